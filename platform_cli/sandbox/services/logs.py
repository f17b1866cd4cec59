"""CloudWatch Logs that turns Embedded Metric Format lines into metrics, as CloudWatch Logs does.

moto 5.2.5 stores log events and nothing more, so a service that reports its metrics as EMF (the sample model
service does) publishes none in the sandbox. Here every event PutLogEvents accepts is read as the EMF
specification says (CloudWatch_Embedded_Metric_Format_Specification): a JSON object whose `_aws` member holds a
Timestamp (ms) and CloudWatchMetrics directives; each directive's Namespace, each dimension set (names of
top-level string members; at most 30) and each metric (a top-level number, or an array of at most 100 numbers)
becomes metric data in CloudWatch of the same account and region, at the event's own timestamp. An event that is
not EMF, or breaks the specification, stays a log event and makes no metric (CloudWatch does the same).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..patching import install_once
from . import cloudwatch

MAX_DIMENSIONS_PER_SET = 30
MAX_VALUES_PER_METRIC = 100
MAX_METRICS_PER_DIRECTIVE = 100


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def metrics_from_emf(message: str) -> list[tuple[str, dict[str, Any]]]:
    """[(namespace, PutMetricData MetricDatum)] from one log event, or [] when it is not valid EMF."""
    try:
        document = json.loads(message)
        meta = document["_aws"]
        timestamp = datetime.fromtimestamp(int(meta["Timestamp"]) / 1000, UTC).replace(tzinfo=None)
        directives = meta["CloudWatchMetrics"]
    except (ValueError, TypeError, KeyError, OverflowError):
        return []
    out: list[tuple[str, dict[str, Any]]] = []
    for directive in directives if isinstance(directives, list) else []:
        try:
            namespace = directive["Namespace"]
            dimension_sets = directive["Dimensions"]
            metrics = directive["Metrics"]
        except (KeyError, TypeError):
            return []
        if not isinstance(namespace, str) or not namespace or len(metrics) > MAX_METRICS_PER_DIRECTIVE:
            return []
        for names in dimension_sets or [[]]:
            if len(names) > MAX_DIMENSIONS_PER_SET or not all(isinstance(document.get(n), str) for n in names):
                return []
            dimensions = [{"Name": n, "Value": document[n]} for n in names]
            for metric in metrics:
                value = document.get(metric.get("Name"))
                values = value if isinstance(value, list) else [value]
                if not values or len(values) > MAX_VALUES_PER_METRIC or not all(_number(v) for v in values):
                    return []
                datum = {"MetricName": metric["Name"], "Dimensions": dimensions, "Timestamp": timestamp}
                datum.update({"Values": [float(v) for v in values]} if isinstance(value, list) else {"Value": value})
                if metric.get("Unit"):
                    datum["Unit"] = metric["Unit"]
                out.append((namespace, datum))
    return out


@install_once
def install() -> None:
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.logs.models import LogsBackend

    cloudwatch.install()  # metrics extracted here are evaluated by alarms there
    put_log_events = LogsBackend.put_log_events

    def put_log_events_extracting_emf(self, log_group_name, log_stream_name, log_events):
        result = put_log_events(self, log_group_name, log_stream_name, log_events)
        extracted = [m for event in log_events for m in metrics_from_emf(event.get("message", ""))]
        if extracted:
            backend = cloudwatch_backends[self.account_id][self.region_name]
            for namespace, datum in extracted:
                backend.put_metric_data(namespace, [datum])
        return result

    LogsBackend.put_log_events = put_log_events_extracting_emf
