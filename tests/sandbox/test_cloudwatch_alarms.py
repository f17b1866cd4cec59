"""The sandbox's CloudWatch evaluates metric alarms as the CloudWatch user guide describes ("Evaluating an alarm",
"Configuring how CloudWatch alarms treat missing data"), and CloudWatch Logs extracts metrics from EMF lines.

The first tests evaluate moto's own Alarm and MetricDatum objects directly (no server); the last ones go through
the running sandbox: EMF lines in PutLogEvents -> metric -> alarm state -> message on the alarm's SNS topic."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta

import pytest
from moto.cloudwatch.models import Alarm, MetricDatum

from platform_cli.sandbox.services.cloudwatch import evaluate, statistic
from platform_cli.sandbox.services.logs import metrics_from_emf

NOW = datetime(2026, 5, 1, 12, 0, 30)  # 30 s into a minute: the newest 60 s period starts at 12:00:00
DIMS = [{"Name": "Environment", "Value": "staging"}]


def _alarm(**overrides) -> Alarm:
    settings = {
        "account_id": "123456789012",
        "region_name": "eu-west-1",
        "name": "a",
        "namespace": "ns",
        "metric_name": "m",
        "metric_data_queries": None,
        "comparison_operator": "GreaterThanThreshold",
        "evaluation_periods": 3,
        "datapoints_to_alarm": None,
        "period": 60,
        "threshold": 10.0,
        "statistic": "Average",
        "extended_statistic": None,
        "description": "",
        "dimensions": DIMS,
        "alarm_actions": [],
        "ok_actions": [],
        "insufficient_data_actions": [],
        "unit": None,
        "actions_enabled": True,
        "treat_missing_data": "notBreaching",
        "evaluate_low_sample_count_percentile": None,
        "threshold_metric_id": None,
        "rule": None,
    }
    return Alarm(**{**settings, **overrides})


def _data(*points: tuple[int, float], dims=DIMS, name="m") -> list[MetricDatum]:
    """(minutes before NOW's period, value) pairs as metric data."""
    start = NOW.replace(second=0)
    return [
        MetricDatum("ns", name, v, dims, start - timedelta(minutes=back) + timedelta(seconds=5)) for back, v in points
    ]


def test_statistics_of_one_period() -> None:
    values = [1.0, 2.0, 3.0, 10.0]
    assert [statistic(values, s) for s in ("SampleCount", "Sum", "Average", "Minimum", "Maximum")] == [
        4.0,
        16.0,
        4.0,
        1.0,
        10.0,
    ]
    assert statistic([float(v) for v in range(1, 101)], "p99") == 99.0
    assert statistic([float(v) for v in range(1, 101)], "p50") == 50.0


def test_all_evaluation_periods_breaching_alarm_and_the_reason_says_so() -> None:
    state, reason, _ = evaluate(_alarm(), _data((0, 11), (1, 12), (2, 30)), NOW)
    assert state == "ALARM"
    assert reason.startswith("Threshold Crossed: 3 out of the last 3 datapoints") and "greater than" in reason


def test_the_statistic_is_taken_over_each_period() -> None:
    # newest period averages 15 (> 10), the two before average 5: 1 of 3 breaching
    data = _data((0, 10), (0, 20), (1, 5), (2, 4), (2, 6))
    assert evaluate(_alarm(), data, NOW)[0] == "OK"
    assert evaluate(_alarm(datapoints_to_alarm=1), data, NOW)[0] == "ALARM"  # M of N: 1 of 3 is enough
    assert evaluate(_alarm(statistic="Maximum", datapoints_to_alarm=1), _data((1, 9), (1, 11)), NOW)[0] == "ALARM"


def test_datapoints_outside_the_evaluation_range_do_not_count() -> None:
    assert evaluate(_alarm(datapoints_to_alarm=1), _data((4, 100), (5, 100)), NOW)[0] == "OK"
    assert evaluate(_alarm(datapoints_to_alarm=1), _data((0, 1), (3, 100)), NOW)[0] == "OK"  # open period has data


def test_a_period_that_closed_before_anybody_looked_is_still_evaluated() -> None:
    """Data that arrived in the last seconds of a period, read just after it closed: CloudWatch evaluates that
    period a minute after it ends, so it alarms; the open period, still empty, does not hide it. One period later
    it is out of the range."""
    one_period = _alarm(evaluation_periods=1)
    assert evaluate(one_period, _data((1, 50)), NOW)[0] == "ALARM"
    assert evaluate(one_period, _data((2, 50)), NOW)[0] == "OK"


@pytest.mark.parametrize(
    ("operator", "value", "state"),
    [
        ("GreaterThanThreshold", 10, "OK"),
        ("GreaterThanOrEqualToThreshold", 10, "ALARM"),
        ("LessThanThreshold", 10, "OK"),
        ("LessThanThreshold", 9.9, "ALARM"),
        ("LessThanOrEqualToThreshold", 10, "ALARM"),
    ],
)
def test_comparison_operators_at_the_threshold(operator: str, value: float, state: str) -> None:
    alarm = _alarm(comparison_operator=operator, evaluation_periods=1)
    assert evaluate(alarm, _data((0, value)), NOW)[0] == state


def test_only_the_alarms_exact_dimensions_and_metric_count() -> None:
    other = [{"Name": "Environment", "Value": "prod"}]
    more = [*DIMS, {"Name": "ModelVersion", "Value": "v1"}]
    data = _data((0, 99), dims=other) + _data((0, 99), dims=more) + _data((0, 99), name="other")
    assert evaluate(_alarm(evaluation_periods=1), data, NOW)[0] == "OK"


def test_missing_data_as_not_breaching_breaching_ignore_and_missing() -> None:
    no_data: list[MetricDatum] = []
    assert evaluate(_alarm(treat_missing_data="notBreaching"), no_data, NOW)[0] == "OK"
    assert evaluate(_alarm(treat_missing_data="breaching"), no_data, NOW)[0] == "ALARM"
    assert evaluate(_alarm(treat_missing_data="ignore"), no_data, NOW) is None  # keeps its state
    assert evaluate(_alarm(treat_missing_data="missing"), no_data, NOW)[0] == "INSUFFICIENT_DATA"
    assert evaluate(_alarm(treat_missing_data=None), no_data, NOW)[0] == "INSUFFICIENT_DATA"  # the default
    one_bad = _data((0, 50))  # 1 breaching, 2 missing, 3 of 3 needed
    assert evaluate(_alarm(treat_missing_data="notBreaching"), one_bad, NOW)[0] == "OK"
    assert evaluate(_alarm(treat_missing_data="breaching"), one_bad, NOW)[0] == "ALARM"


def test_metric_math_alarms_are_left_alone() -> None:
    assert evaluate(_alarm(metric_name=None, metric_data_queries=[object()]), _data((0, 99)), NOW) is None


def test_emf_lines_become_metric_data_and_invalid_ones_none() -> None:
    line = {
        "_aws": {
            "Timestamp": 1_777_636_800_000,
            "CloudWatchMetrics": [
                {"Namespace": "ns", "Dimensions": [["Environment"]], "Metrics": [{"Name": "m", "Unit": "Count"}]}
            ],
        },
        "Environment": "staging",
        "m": [1, 2.5],
    }
    ((namespace, datum),) = metrics_from_emf(json.dumps(line))
    assert namespace == "ns" and datum["Values"] == [1.0, 2.5] and datum["Unit"] == "Count"
    assert datum["Dimensions"] == DIMS and datum["Timestamp"] == datetime(2026, 5, 1, 12, 0)
    assert metrics_from_emf("plain text") == [] and metrics_from_emf('{"event": "request"}') == []
    assert metrics_from_emf(json.dumps({**line, "m": list(range(101))})) == []  # over 100 values
    assert metrics_from_emf(json.dumps({**line, "m": "high"})) == []
    assert metrics_from_emf(json.dumps({**line, "Environment": 3})) == []  # a dimension must be a string


def _emf(value: float, namespace: str) -> str:
    return json.dumps(
        {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {"Namespace": namespace, "Dimensions": [["Environment"]], "Metrics": [{"Name": "m"}]}
                ],
            },
            "Environment": "staging",
            "m": [value],
        }
    )


def test_emf_in_the_log_stream_fires_the_alarm_and_notifies_its_topic(sandbox) -> None:
    logs, cloudwatch = sandbox.client("logs"), sandbox.client("cloudwatch")
    sns, sqs = sandbox.client("sns"), sandbox.client("sqs")
    suffix = uuid.uuid4().hex[:8]
    namespace, group = f"test-{suffix}/model", f"/test/{suffix}"
    topic = sns.create_topic(Name=f"alerts-{suffix}")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"alerts-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    cloudwatch.put_metric_alarm(
        AlarmName=f"mean-{suffix}",
        Namespace=namespace,
        MetricName="m",
        Dimensions=DIMS,
        Statistic="Average",
        Period=60,
        EvaluationPeriods=3,
        DatapointsToAlarm=1,
        Threshold=10,
        ComparisonOperator="LessThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")

    def put(value: float) -> None:
        event = {"timestamp": int(time.time() * 1000), "message": _emf(value, namespace)}
        logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[event])

    def state() -> dict:
        return cloudwatch.describe_alarms(AlarmNames=[f"mean-{suffix}"])["MetricAlarms"][0]

    put(50.0)
    assert state()["StateValue"] == "OK"  # the mean is above the floor
    put(0.1)
    put(0.1)  # the period's average drops to ~16.7: still OK
    assert state()["StateValue"] == "OK"
    for _ in range(20):
        put(0.1)
    alarm = state()
    assert alarm["StateValue"] == "ALARM" and alarm["StateReason"].startswith("Threshold Crossed: 1 out of")
    message = json.loads(sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"][0]["Body"])
    assert message["AlarmName"] == f"mean-{suffix}" and message["NewStateValue"] == "ALARM"
    assert message["OldStateValue"] == "OK" and message["Trigger"]["Namespace"] == namespace


def test_a_state_set_by_hand_holds_until_new_data_arrives(sandbox) -> None:
    cloudwatch = sandbox.client("cloudwatch")
    name = f"forced-{uuid.uuid4().hex[:8]}"
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="forced",
        MetricName="m",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test: forced")
    assert cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] == "ALARM"
    cloudwatch.put_metric_data(Namespace="forced", MetricData=[{"MetricName": "m", "Value": 1}])
    assert cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] == "OK"
