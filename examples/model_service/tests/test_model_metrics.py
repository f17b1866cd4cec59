"""What the service reports about its predictions: CloudWatch Embedded Metric Format lines, parsed back against the
documented structure and limits (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
CloudWatch_Embedded_Metric_Format_Specification.html)."""

from __future__ import annotations

import io
import json
import threading
import urllib.request
from contextlib import redirect_stdout
from typing import Any

import model_server
import pytest
from model_server import LinearModel, MetricsSettings, emf_lines

# The specification's limits and units.
MAX_METRICS_PER_DIRECTIVE = 100
MAX_DIMENSIONS_PER_SET = 30
MAX_VALUES_PER_METRIC = 100
UNITS = {
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits",
    "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
    "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
    "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}  # fmt: skip
SETTINGS = MetricsSettings(namespace="mlplatform-staging/model", environment="staging", valid_min=0, valid_max=100)


def parse_emf(line: str) -> dict[str, Any]:
    """One EMF line checked against the specification; returns {metric name: [values]} with its dimensions."""
    document = json.loads(line)
    meta = document["_aws"]
    assert isinstance(meta["Timestamp"], int) and meta["Timestamp"] > 0  # milliseconds since the epoch
    found: dict[str, Any] = {"namespace": [], "dimensions": [], "metrics": {}}
    for directive in meta["CloudWatchMetrics"]:
        assert isinstance(directive["Namespace"], str) and 1 <= len(directive["Namespace"]) <= 255
        for dimension_set in directive["Dimensions"]:
            assert 1 <= len(dimension_set) <= MAX_DIMENSIONS_PER_SET
            for name in dimension_set:  # each names a top-level string member
                assert isinstance(document[name], str) and 1 <= len(document[name]) <= 1024
            found["dimensions"].append({name: document[name] for name in dimension_set})
        assert 1 <= len(directive["Metrics"]) <= MAX_METRICS_PER_DIRECTIVE
        for metric in directive["Metrics"]:
            assert 1 <= len(metric["Name"]) <= 1024 and metric.get("Unit", "None") in UNITS
            value = document[metric["Name"]]
            values = value if isinstance(value, list) else [value]
            assert 1 <= len(values) <= MAX_VALUES_PER_METRIC
            assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
            found["metrics"][metric["Name"]] = values
        found["namespace"].append(directive["Namespace"])
    return found


def test_one_batch_is_one_line_with_predictions_out_of_range_flags_and_no_invalid_input() -> None:
    (line,) = emf_lines(SETTINGS, "v1", [5.0, 150.0, -2.0], now_ms=1_700_000_000_000)
    parsed = parse_emf(line)
    assert parsed["namespace"] == ["mlplatform-staging/model"]
    assert parsed["dimensions"] == [{"Environment": "staging", "ModelVersion": "v1"}]
    assert parsed["metrics"] == {
        "Prediction": [5.0, 150.0, -2.0],
        "PredictionOutOfRange": [0, 1, 1],
        "InvalidInput": [0],
    }
    assert json.loads(line)["_aws"]["Timestamp"] == 1_700_000_000_000


def test_a_batch_over_100_values_is_split_and_counts_one_request() -> None:
    lines = emf_lines(SETTINGS, "v1", [float(i) for i in range(250)])
    parsed = [parse_emf(line)["metrics"] for line in lines]
    assert [len(p["Prediction"]) for p in parsed] == [100, 100, 50]
    assert sum(len(p.get("InvalidInput", [])) for p in parsed) == 1
    assert [v for p in parsed for v in p["Prediction"]] == [float(i) for i in range(250)]


def test_an_invalid_request_reports_invalid_input_only() -> None:
    (line,) = emf_lines(SETTINGS, "v1", [], invalid=True)
    assert parse_emf(line)["metrics"] == {"InvalidInput": [1]}


def test_no_range_means_nothing_is_out_of_range_and_a_bad_bound_is_refused() -> None:
    open_range = MetricsSettings.from_env({"METRICS_NAMESPACE": "ns", "METRICS_ENVIRONMENT": "prod"})
    assert parse_emf(emf_lines(open_range, "v", [-1e9, 1e9])[0])["metrics"]["PredictionOutOfRange"] == [0, 0]
    assert MetricsSettings.from_env({}) is None  # no namespace: no metrics
    with pytest.raises(model_server.Refusal, match="MODEL_VALID_MAX must be a number"):
        MetricsSettings.from_env({"METRICS_NAMESPACE": "ns", "MODEL_VALID_MAX": "lots"})


def _post(url: str, payload: Any) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_running_service_writes_one_emf_line_per_request_on_stdout() -> None:
    state = model_server.ServiceState()
    state.metrics = SETTINGS
    ref = model_server.ArtifactRef(bucket="b", key="k", version_id="v7", sha256="0" * 64)
    state.loaded(LinearModel(weights=(10.0, 1.0), bias=0.0), ref)
    server = model_server.make_server(state, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/predict"
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            assert _post(url, {"instances": [[1, 2], [20, 0]]}) == (
                200,
                {"predictions": [12.0, 200.0], "model": ref.describe()},
            )
            assert _post(url, {"features": [1, 2, 3]})[0] == 400
    finally:
        server.shutdown()
        server.server_close()
    first, second = (parse_emf(line) for line in out.getvalue().splitlines())
    assert first["metrics"] == {"Prediction": [12.0, 200.0], "PredictionOutOfRange": [0, 1], "InvalidInput": [0]}
    assert first["dimensions"] == [{"Environment": "staging", "ModelVersion": "v7"}]
    assert second["metrics"] == {"InvalidInput": [1]}
