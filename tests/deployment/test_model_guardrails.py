"""A release that predicts nonsense is caught by its model alarms and rolled back, end to end in the sandbox.

Staging (model guardrails on, `auto_rollback: true`) runs release A, a sane pricing model. Release B carries a model
trained on features in units a hundred times larger than the service is sent (training-serving skew): its own
baseline, computed on its own held-out data, looks just like A's, but on the same production-like requests it
prices a 13,000 USD camera at 130 USD. For each release the real sample service runs locally as App Runner
would run it (tests/support/sample_service.py), answers the same fixed requests, and its EMF lines go to the
service's log group; the sandbox turns them into metrics and evaluates the alarms the plan derived from the
baseline. The tests run in file order on one deployment.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from pathlib import Path

import pytest
from support.deployment import ENV
from support.sample_service import serve_requests, ship_to_log_group

# One worker, file order: this file runs first on the staging deployment test_staging.py reads and destroys after.
pytestmark = pytest.mark.xdist_group("deployment-staging")

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "model_service"
KEY = "models/camera-price.json"
# A price from (megapixels, lens mount grade): A is trained and served in the same units.
MODEL_A = {"weights": [400.0, 150.0], "bias": 0.0}
# B was trained on features recorded in hundredths (a unit mismatch with what the service is sent).
MODEL_B = {"weights": [4.0, 1.5], "bias": 0.0}
REQUESTS = [[10 + (i % 21), 1 + (i * 7) % 10] for i in range(120)]  # production-like, fixed
HOLDOUT_A = [[10 + (i * 3) % 21, 1 + (i * 5) % 10] for i in range(200)]
HOLDOUT_B = [[x * 100, y * 100] for x, y in HOLDOUT_A]  # B's own held-out data, in B's training units
QUIET_WATCH = "30s"  # release A's watch runs its whole window
ALARM_WATCH = "300s"  # release B's ends at the first poll after its alarm fires, however slow the machine


@pytest.fixture(scope="module")
def dep(staging):
    return staging


@pytest.fixture(scope="module")
def releases() -> dict[str, dict]:
    """Release A and B's published models, filled in by the tests in file order."""
    return {}


def _publish(dep, model: dict, holdout: list, tmp_path: Path) -> dict:
    """What deploy.yml does: upload the model, then its baseline from its own held-out data (publish.py)."""
    sys.path.insert(0, str(EXAMPLE_DIR))
    import publish

    model_file, holdout_file = tmp_path / "model.json", tmp_path / "holdout.json"
    model_file.write_text(json.dumps(model))
    holdout_file.write_text(json.dumps(holdout))
    s3, bucket = dep.client("s3"), dep.outputs["artifact_bucket_name"]
    uploaded = publish.upload_model(bucket, KEY, model_file, s3_client=s3)
    baseline = publish.publish_baseline(bucket, KEY, uploaded["version_id"], holdout_file, s3_client=s3)
    return {**uploaded, "baseline": baseline["predictions"]}


def _apply_watched_while_serving(dep, version: str, window: str) -> str:
    """plan the release, `apply --watch` it, and once the watch has begun let the service answer the requests."""
    dep.must("plan", ENV, "--image", dep.digest, "--model", f"{KEY}@{version}", codes=(2,))
    proc = dep.spawn("apply", ENV, "--watch", window)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    seen = []
    while not any("watching the alarms" in line for line in seen):
        seen.append(lines.get(timeout=600))
    service = dep.client("apprunner").describe_service(ServiceArn=dep.outputs["service_arn"])["Service"]
    assert (
        service["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]["RuntimeEnvironmentVariables"][
            "MODEL_ARTIFACT_VERSION_ID"
        ]
        == version
    ), "the watch began before the release was deployed"
    emf = serve_requests(dep.client("apprunner"), dep.outputs["service_arn"], dep.sandbox.env, REQUESTS)
    assert emf, "the service reported no metrics"
    ship_to_log_group(dep.client("logs"), service, emf)
    proc.wait(timeout=600)
    reader.join(timeout=10)
    while not lines.empty():
        seen.append(lines.get())
    # The sandbox's log tail too: when an assertion on this output fails, it says what the sandbox saw.
    return f"exit {proc.returncode}\n" + "".join(seen) + "\n" + dep.server_log_tail()


def _model_alarms(dep) -> dict[str, str]:
    names = json.loads(dep.must("output", ENV, "--json").stdout)["model_alarm_names"]
    alarms = dep.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
    return {a["AlarmName"]: a["StateValue"] for a in alarms}


def _deployed_model_version(dep) -> str:
    return json.loads(dep.must("output", ENV, "--json").stdout)["model_artifact"]["version_id"]


def _watches(dep) -> list[dict]:
    return [e for e in dep.history(ENV) if e["kind"] == "watch"]


def test_release_a_runs_its_watch_with_no_alarm(dep, releases, tmp_path):
    releases["a"] = _publish(dep, MODEL_A, HOLDOUT_A, tmp_path)
    out = _apply_watched_while_serving(dep, releases["a"]["version_id"], QUIET_WATCH)
    assert out.startswith("exit 0"), out
    assert f"no alarm fired in {QUIET_WATCH}" in out
    states = _model_alarms(dep)
    assert len(states) == 4 and set(states.values()) == {"OK"}, states  # evaluated on A's data, all quiet
    (watch,) = _watches(dep)
    assert watch["firing"] == [] and watch["release"]["model"]["version_id"] == releases["a"]["version_id"]
    dep.must("verify", ENV)  # what deploy.yml does next: A becomes the release to go back to


def test_release_b_looks_normal_on_its_own_baseline(dep, releases, tmp_path):
    releases["b"] = _publish(dep, MODEL_B, HOLDOUT_B, tmp_path)
    a, b = releases["a"]["baseline"], releases["b"]["baseline"]
    assert abs(b["mean"] - a["mean"]) / a["mean"] < 0.01 and abs(b["p01"] - a["p01"]) / a["p01"] < 0.05


def test_release_b_fires_its_model_alarm_and_staging_goes_back_to_a(dep, releases):
    out = _apply_watched_while_serving(dep, releases["b"]["version_id"], ALARM_WATCH)
    assert out.startswith("exit 1"), out
    assert "model-mean-low (model)" in out and "rolled back to release" in out, out
    assert _deployed_model_version(dep) == releases["a"]["version_id"]
    watch = _watches(dep)[-1]
    assert watch["release"]["model"]["version_id"] == releases["b"]["version_id"]
    fired = {a["alarm"].rsplit("-model-", 1)[-1] for a in watch["firing"] if a["model"]}
    assert "mean-low" in fired, watch
    rollback = [e for e in dep.history(ENV) if e["kind"] == "rollback"][-1]
    assert "model-mean-low (model)" in rollback["reason"]


def test_promote_refuses_release_b_even_after_it_passed_verify(dep, releases):
    """B applied again without a watch (and verified: the infrastructure is fine) is still never promoted."""
    dep.must("plan", ENV, "--image", dep.digest, "--model", f"{KEY}@{releases['b']['version_id']}", codes=(2,))
    dep.must("apply", ENV)
    dep.must("verify", ENV)
    refused = dep.run("promote", ENV, "prod")
    assert refused.exit_code != 0
    alarm = next(a for a in _watches(dep)[-1]["firing"] if a["model"])
    assert f"fired model alarm {alarm['alarm']} at {alarm['at']} while staging watched it" in refused.output


def test_the_dashboard_row_shows_release_bs_mean_far_below_its_band(dep, tmp_path):
    """The model row as the console would draw it (scripts/dashboard_row_svg.py), from the dashboard's own JSON and
    B's datapoints: README's picture is this file."""
    sys.path.insert(0, str(EXAMPLE_DIR.parents[1] / "scripts"))
    import dashboard_row_svg

    cloudwatch = dep.client("cloudwatch")
    body = json.loads(cloudwatch.get_dashboard(DashboardName=dep.outputs["dashboard_name"])["DashboardBody"])
    widget = dashboard_row_svg.model_widget(body)
    points = dashboard_row_svg.datapoints(cloudwatch, widget, hours=3)
    (band_low, band_high) = (a["value"] for a in widget["annotations"]["horizontal"])
    assert points and all(value < band_low / 10 for _, value in points), (points, band_low)
    picture = dashboard_row_svg.render(widget, points)
    (tmp_path / "model-row.svg").write_text(picture)
    assert 'fill="#d62728"' in picture and "band low" in picture and "band high" in picture
