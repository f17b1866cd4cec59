"""A model's baseline: computed from its own predictions on held-out rows, stored beside its exact version, read
back by platformctl (core/baseline.py) for the model alarms, and refused when it is missing or does not fit."""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

import publish
import pytest

from platform_cli.core.aws import AwsTarget
from platform_cli.core.baseline import baseline_key, parse_baseline, read_baseline
from platform_cli.core.errors import Refused

EXAMPLE_DIR = Path(__file__).resolve().parents[1]
SAMPLE_MODEL = EXAMPLE_DIR / "model" / "model.json"
HOLDOUT = EXAMPLE_DIR / "model" / "holdout.json"
KEY = "model-service/model.json"


def test_the_baseline_is_count_mean_stddev_and_quantiles_of_the_predictions() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100: every statistic is known by hand
    baseline = publish.compute_baseline(values)
    assert baseline["count"] == 100 and baseline["mean"] == 50.5
    assert baseline["stddev"] == pytest.approx(statistics.stdev(values)) == pytest.approx(29.011, abs=1e-3)
    assert baseline["min"] == 1 and baseline["max"] == 100
    # inclusive quantiles: p50 of 1..100 is 50.5, p01 lies just above the smallest value, p99 just below the largest
    assert baseline["p50"] == 50.5
    assert 1 < baseline["p01"] < 2 and 99 < baseline["p99"] < 100
    assert baseline["p01"] <= baseline["p05"] <= baseline["p50"] <= baseline["p95"] <= baseline["p99"]


def test_too_few_held_out_rows_make_no_baseline() -> None:
    with pytest.raises(publish.PublishError, match="at least 30 held-out rows"):
        publish.compute_baseline([1.0] * 29)


def test_publish_stores_the_baseline_beside_the_version_and_platformctl_reads_it(s3, bucket, aws_env) -> None:
    uploaded = publish.upload_model(bucket, KEY, SAMPLE_MODEL)
    stored = publish.publish_baseline(bucket, KEY, uploaded["version_id"], HOLDOUT)

    model = json.loads(SAMPLE_MODEL.read_text())
    rows = json.loads(HOLDOUT.read_text())
    predictions = [sum(w * x for w, x in zip(model["weights"], row, strict=True)) + model["bias"] for row in rows]
    assert stored["predictions"]["count"] == len(rows)
    assert stored["predictions"]["mean"] == pytest.approx(statistics.fmean(predictions))
    assert stored["model"] == {k: uploaded[k] for k in ("key", "version_id", "sha256")}
    body = s3.get_object(Bucket=bucket, Key=baseline_key(KEY, uploaded["version_id"]))["Body"].read()
    assert json.loads(body) == stored

    read = read_baseline(AwsTarget(), aws_env["AWS_REGION"], bucket, stored["model"])
    assert read == {name: stored["predictions"][name] for name in ("count", "mean", "stddev", "p01", "p50", "p99")}


def test_a_model_version_without_a_baseline_is_refused_with_how_to_publish_one(bucket, aws_env) -> None:
    uploaded = publish.upload_model(bucket, KEY, SAMPLE_MODEL)
    model = {k: uploaded[k] for k in ("key", "version_id", "sha256")}
    with pytest.raises(Refused) as refused:
        read_baseline(AwsTarget(), aws_env["AWS_REGION"], bucket, model)
    line = refused.value.one_line()
    assert "\n" not in line and f"{KEY}@{uploaded['version_id']} has no baseline" in line
    assert f"publish.py baseline --bucket BUCKET --key {KEY} --version-id {uploaded['version_id']}" in line


def test_a_baseline_of_other_bytes_or_with_impossible_numbers_is_refused() -> None:
    model = {"key": KEY, "version_id": "v1", "sha256": "a" * 64}
    good = {"p01": 1.0, "p50": 2.0, "p99": 3.0, "count": 100, "mean": 2.0, "stddev": 0.5}
    body = {"model": dict(model), "predictions": good}
    assert parse_baseline(json.dumps(body).encode(), model)["count"] == 100
    with pytest.raises(Refused, match="other bytes"):
        parse_baseline(json.dumps({**body, "model": {**model, "sha256": "b" * 64}}).encode(), model)
    with pytest.raises(Refused, match="out of order"):
        parse_baseline(json.dumps({**body, "predictions": {**good, "p01": 5.0}}).encode(), model)
    with pytest.raises(Refused, match="impossible numbers"):
        parse_baseline(json.dumps({**body, "predictions": {**good, "stddev": -1}}).encode(), model)
    with pytest.raises(Refused, match="not in the published format"):
        parse_baseline(b"{}", model)


def test_upload_model_with_holdout_prints_the_baseline_for_the_workflow(bucket, aws_env, tmp_path) -> None:
    rows = [[random.Random(i).uniform(-1, 1) for _ in range(3)] for i in range(40)]
    holdout = tmp_path / "holdout.json"
    holdout.write_text(json.dumps(rows))
    args = ["upload-model", "--bucket", bucket, "--key", KEY, "--file", str(SAMPLE_MODEL), "--holdout", str(holdout)]
    done = subprocess.run(
        [sys.executable, str(EXAMPLE_DIR / "publish.py"), *args], env=aws_env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["baseline"]["count"] == 40 and printed["model"].startswith(f"{KEY}@")


def test_held_out_rows_that_do_not_fit_the_model_are_refused(bucket, aws_env, tmp_path) -> None:
    uploaded = publish.upload_model(bucket, KEY, SAMPLE_MODEL)
    holdout = tmp_path / "holdout.json"
    holdout.write_text(json.dumps([[1.0, 2.0]] * 40))
    with pytest.raises(publish.PublishError, match="every row must hold 3 features"):
        publish.publish_baseline(bucket, KEY, uploaded["version_id"], holdout)
    holdout.write_text('{"rows": 1}')
    with pytest.raises(publish.PublishError, match="JSON list of feature rows"):
        publish.publish_baseline(bucket, KEY, uploaded["version_id"], holdout)
