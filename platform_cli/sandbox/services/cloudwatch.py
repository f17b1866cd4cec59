"""CloudWatch metric alarms that evaluate their metric, change state and notify their actions, as CloudWatch does.

moto 5.2.5 stores alarms and metric data but never evaluates an alarm: it stays "OK" whatever the data, so a
watch on a bad release sees nothing. Here an alarm on one metric (Namespace, MetricName, Dimensions) is evaluated
as the CloudWatch user guide describes ("Evaluating an alarm", "Configuring how alarms treat missing data"):

* the evaluation range is the last EvaluationPeriods periods of Period seconds (aligned to the period); each
  period's datapoint is the alarm's Statistic (SampleCount, Average, Sum, Minimum, Maximum) or ExtendedStatistic
  (pNN) of the values in it, or missing when it holds none;
* a datapoint breaches when it compares to Threshold by ComparisonOperator (GreaterThanThreshold,
  GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold);
* the alarm goes to ALARM when at least DatapointsToAlarm (default EvaluationPeriods) of the range breach, else
  OK; missing periods count as TreatMissingData says: notBreaching (good), breaching (bad), ignore (the state
  stays when every period is missing), missing (default: INSUFFICIENT_DATA when every period is missing);
* a state change records its reason (CloudWatch's wording) and history, and publishes CloudWatch's alarm
  message to each SNS topic of the new state's actions (AlarmActions, OKActions, InsufficientDataActions) when
  ActionsEnabled.

Differences, on purpose: evaluation is lazy (whenever data arrives or anybody reads alarms; no background
thread), and the current, still open period counts as the newest one once it holds data, so a test need not wait
a period out; while it holds none, the range ends with the period just closed, which CloudWatch evaluates a minute
after it ends (without this, data whose period closed between its arrival and the next look was never evaluated).
A state set through SetAlarmState holds until new data for the alarm's metric arrives (on AWS, until the next
evaluation a minute later): tests that force an alarm keep it. Metric-math alarms are left as moto has them.
"""

from __future__ import annotations

import json
import math
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from ..patching import install_once

COMPARISONS = {
    "GreaterThanThreshold": (lambda value, threshold: value > threshold, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda value, threshold: value >= threshold, "greater than or equal to"),
    "LessThanThreshold": (lambda value, threshold: value < threshold, "less than"),
    "LessThanOrEqualToThreshold": (lambda value, threshold: value <= threshold, "less than or equal to"),
}
_LOCK = threading.RLock()


def statistic(values: list[float], name: str) -> float:
    """One period's datapoint from its values; name is a Statistic or an ExtendedStatistic pNN(.N)."""
    if name == "SampleCount":
        return float(len(values))
    if name == "Sum":
        return math.fsum(values)
    if name == "Average":
        return math.fsum(values) / len(values)
    if name == "Minimum":
        return min(values)
    if name == "Maximum":
        return max(values)
    if name.startswith("p"):  # nearest-rank percentile
        ordered = sorted(values)
        rank = max(1, math.ceil(float(name[1:]) / 100 * len(ordered)))
        return ordered[rank - 1]
    raise ValueError(f"unsupported statistic {name!r}")


def datapoints(alarm: Any, data: list[Any], now: datetime) -> list[tuple[datetime, float | None]]:
    """(period start, datapoint or None when missing), newest first, for the alarm's evaluation range."""
    period = timedelta(seconds=alarm.period)
    epoch = datetime(1970, 1, 1)
    newest = epoch + period * ((now - epoch) // period)
    wanted = {(d.name, d.value) for d in alarm.dimensions}
    values: dict[datetime, list[float]] = {}
    for datum in data:
        if datum.namespace != alarm.namespace or datum.name != alarm.metric_name or not hasattr(datum, "value"):
            continue
        if {(d.name, d.value) for d in datum.dimensions} != wanted:
            continue  # CloudWatch: a metric is its exact set of dimensions
        start = epoch + period * ((_naive(datum.timestamp) - epoch) // period)
        values.setdefault(start, []).append(datum.value)
    if newest not in values:  # the open period has no data yet: the range ends with the one just closed
        newest -= period
    stat = alarm.extended_statistic or alarm.statistic
    out = []
    for back in range(int(alarm.evaluation_periods)):
        start = newest - period * back
        found = values.get(start)
        out.append((start, statistic(found, stat) if found else None))
    return out


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def evaluate(alarm: Any, data: list[Any], now: datetime) -> tuple[str, str, dict] | None:
    """The state the alarm's data puts it in, with CloudWatch's reason; None to keep the current state."""
    if not alarm.metric_name or alarm.metric_data_queries or alarm.comparison_operator not in COMPARISONS:
        return None
    compare, words = COMPARISONS[alarm.comparison_operator]
    points = datapoints(alarm, data, now)
    present = [(start, value) for start, value in points if value is not None]
    treat = alarm.treat_missing_data or "missing"
    needed = int(alarm.datapoints_to_alarm or alarm.evaluation_periods)
    reason_data = {
        "version": "1.0",
        "queryDate": now.isoformat(),
        "statistic": alarm.extended_statistic or alarm.statistic,
        "period": alarm.period,
        "recentDatapoints": [value for _, value in present],
        "threshold": alarm.threshold,
        "evaluatedDatapoints": [{"timestamp": s.isoformat(), "value": v} for s, v in present],
    }
    if not present:
        if treat == "ignore":
            return None
        if treat == "missing":
            return "INSUFFICIENT_DATA", "Insufficient Data: no datapoints were received", reason_data
    breaching = sum(1 for _, value in present if compare(value, alarm.threshold))
    if treat == "breaching":
        breaching += len(points) - len(present)
    state = "ALARM" if breaching >= needed else "OK"
    shown = ", ".join(f"{value} ({start:%d/%m/%y %H:%M:%S})" for start, value in present) or "no datapoints"
    verb = "was" if breaching == 1 else "were"
    reason = (
        f"Threshold Crossed: {breaching} out of the last {len(points)} datapoints [{shown}] {verb} {words} "
        f"the threshold ({alarm.threshold}) (minimum {needed} datapoint(s) for ALARM, treat missing data as {treat})."
    )
    return state, reason, reason_data


def notify(alarm: Any, old_state: str, account_id: str) -> None:
    """CloudWatch's alarm message to the SNS topics of the new state's actions."""
    if not alarm.actions_enabled:
        return
    actions = {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions}.get(
        alarm.state_value, alarm.insufficient_data_actions
    )
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": account_id,
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": alarm.state_updated_timestamp.isoformat(),
        "Region": alarm.region_name,
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old_state,
        "Trigger": {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "Statistic": (alarm.statistic or "").upper() or None,
            "ExtendedStatistic": alarm.extended_statistic,
            "Dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "DatapointsToAlarm": alarm.datapoints_to_alarm,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": alarm.threshold,
            "TreatMissingData": alarm.treat_missing_data,
        },
    }
    from moto.sns.models import sns_backends

    for arn in actions or []:
        parts = arn.split(":")
        if len(parts) < 6 or parts[2] != "sns":
            continue
        backend = sns_backends[parts[4]][parts[3]]
        if arn in backend.topics:
            subject = f'{alarm.state_value}: "{alarm.name}" in {alarm.region_name}'
            backend.publish(json.dumps(message), arn=arn, subject=subject[:100])


def evaluate_all(backend: Any, now: datetime | None = None) -> None:
    """Evaluate every alarm of one account and region; change state and notify where the data says so."""
    from moto.core.utils import utcnow

    now = now or utcnow()
    with _LOCK:
        data = list(backend.metric_data)
        for alarm in list(backend.alarms.values()):
            forced_at = getattr(alarm, "sandbox_forced_at", None)
            if forced_at is not None:
                if not any(_is_datum_of(alarm, d) and _naive(d.timestamp) > forced_at for d in data):
                    continue
                alarm.sandbox_forced_at = None
            result = evaluate(alarm, data, now)
            if result is None or result[0] == alarm.state_value:
                continue
            state, reason, reason_data = result
            old = alarm.state_value
            alarm.update_state(reason, json.dumps(reason_data), state)
            notify(alarm, old, backend.account_id)


def _is_datum_of(alarm: Any, datum: Any) -> bool:
    return datum.namespace == alarm.namespace and datum.name == alarm.metric_name


@install_once
def install() -> None:
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.core.utils import utcnow

    def evaluated_first(method):
        def wrapper(self, *args, **kwargs):
            evaluate_all(self)
            return method(self, *args, **kwargs)

        return wrapper

    # Every way DescribeAlarms reads alarms sees them evaluated.
    for name in (
        "describe_alarms",
        "get_alarms_by_alarm_names",
        "get_alarms_by_alarm_name_prefix",
        "get_alarms_by_action_prefix",
        "get_alarms_by_state_value",
    ):
        setattr(CloudWatchBackend, name, evaluated_first(getattr(CloudWatchBackend, name)))

    put_metric_data = CloudWatchBackend.put_metric_data

    def put_metric_data_then_evaluate(self, namespace, metric_data):
        put_metric_data(self, namespace, metric_data)
        evaluate_all(self)  # alarms act when data arrives, not only when somebody looks

    CloudWatchBackend.put_metric_data = put_metric_data_then_evaluate

    set_alarm_state = CloudWatchBackend.set_alarm_state

    def set_alarm_state_and_hold(self, alarm_name, reason, reason_data, state_value):
        old = self.alarms[alarm_name].state_value if alarm_name in self.alarms else None
        set_alarm_state(self, alarm_name, reason, reason_data, state_value)
        alarm = self.alarms[alarm_name]
        alarm.sandbox_forced_at = utcnow()
        if old != state_value:
            notify(alarm, old, self.account_id)

    CloudWatchBackend.set_alarm_state = set_alarm_state_and_hold
