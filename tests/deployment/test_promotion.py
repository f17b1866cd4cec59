"""Promotion to prod end to end in the sandbox, with two people: alice asks, bob approves.

staging verifies its release -> alice promotes it -> bob approves -> alice applies -> prod runs staging's digest;
a second release is refused until it verified, then ships with `apply --watch` and an alarm that fires rolls it
back on its own (this copy's envs/prod/env.yaml says auto_rollback: true); `rollback` then returns the release
before (the second one). The tests run in file order on one deployment. Refusals and killing platformctl mid-apply are tested on a small
stack in tests/cli (cheaper, same code path).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from support.deployment import ENV as STAGING

# One worker runs every test of this deployment, in file order (`make test` runs pytest-xdist).
pytestmark = pytest.mark.xdist_group("deployment-promotion")

PROD = "prod"
MODEL = b'{"weights": [0.5, -1.25], "bias": 0.1}'
EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "model_service"


def _publish_baseline(dep, bucket: str, key: str, version_id: str, tmp_path: Path) -> None:
    """What deploy.yml does after the upload: the model's baseline beside its version (plan refuses a model without)."""
    sys.path.insert(0, str(EXAMPLE_DIR))
    import publish

    holdout = tmp_path / "holdout.json"
    holdout.write_text(json.dumps([[i / 10, (40 - i) / 10] for i in range(40)]))
    publish.publish_baseline(bucket, key, version_id, holdout, s3_client=dep.client("s3"))


@pytest.fixture(scope="module")
def dep(staging_and_prod):
    return staging_and_prod


@pytest.fixture(scope="module")
def people(dep):
    return dep.people


def _requests(dep) -> list[dict]:
    return [e for e in dep.history(PROD) if e["kind"] == "request"]


def _prod_image(dep) -> str:
    return json.loads(dep.must("output", PROD, "--json").stdout)["service_image"].rsplit("@", 1)[1]


def _ship(dep, people, *args: str) -> dict:
    """alice asks (the command in args), bob approves, alice applies; returns the request."""
    dep.must(*args, codes=(0, 2), person=people["alice"])
    request = _requests(dep)[-1]
    dep.must("approve", PROD, request["request_id"], person=people["bob"])
    dep.must("apply", PROD, person=people["alice"])
    return request


def test_prod_foundation_was_asked_by_alice_approved_by_bob_and_applied(dep, people):
    request, approval, start, outcome = dep.history(PROD)[:4]
    assert "user/alice-" in request["requested_by"]["aws"]
    assert "user/bob-" in approval["approved_by"]["aws"]
    assert start["kind"] == "apply-start" and outcome["outcome"] == "applied"


def test_promote_approve_apply_runs_stagings_digest_in_prod(dep, people):
    dep.must("verify", STAGING)
    request = _ship(dep, people, "promote", STAGING, PROD)
    assert request["release"]["image"] == dep.digest
    assert request["evidence"]["source_verify"]["ok"] is True
    copied = request["evidence"]["image_copy"]
    assert copied["layers_copied"] == copied["layers"] == 2  # prod's registry held none of build-1's blobs
    assert _prod_image(dep) == dep.digest
    verified = dep.history(PROD)[-1]
    assert verified["kind"] == "verify" and verified["ok"] and verified["release_id"] == request["release_id"]


def test_history_shows_every_step_with_both_people(dep, people):
    entries = dep.history(PROD)
    kinds = [e["kind"] for e in entries]
    assert kinds.count("request") == 2 and kinds.count("approval") == 2
    assert kinds[-5:] == ["request", "approval", "apply-start", "apply-outcome", "verify"]
    request, approval = entries[-5], entries[-4]
    assert "alice" in request["requested_by"]["aws"] and "bob" in approval["approved_by"]["aws"]
    assert approval["plan_sha256"] == request["plan_sha256"] == entries[-3]["plan_sha256"]
    table = dep.must("history", PROD).stdout
    assert "alice" in table and "bob" in table and request["plan_sha256"][:12] in table


def test_a_release_that_never_verified_is_not_promoted(dep, people, tmp_path):
    """Release 2: a new image and a model artifact, pinned by its exact S3 version."""
    dep.first_digest = dep.digest
    dep.digest = dep.push_image("release-2")
    s3 = dep.client("s3")
    bucket = dep.outputs["artifact_bucket_name"]
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": dep.outputs["artifact_kms_key_arn"]}
    dep.model_version = s3.put_object(Bucket=bucket, Key="models/churn.json", Body=MODEL, **sse)["VersionId"]
    s3.put_object(Bucket=bucket, Key="models/churn.json", Body=b'{"newer": true}', **sse)
    refused = dep.run("plan", STAGING, "--image", dep.digest, "--model", f"models/churn.json@{dep.model_version}")
    assert refused.exit_code == 1 and "has no baseline" in refused.stderr and "publish.py baseline" in refused.stderr
    _publish_baseline(dep, bucket, "models/churn.json", dep.model_version, tmp_path)
    dep.must("plan", STAGING, "--image", dep.digest, "--model", f"models/churn.json@{dep.model_version}", codes=(2,))
    dep.must("apply", STAGING)
    refused = dep.run("promote", STAGING, PROD, person=people["alice"])
    assert refused.exit_code == 1 and "never ran `platformctl verify` there" in refused.stderr


def test_a_firing_alarm_after_apply_rolls_back_on_its_own(dep, people):
    dep.must("verify", STAGING)  # release 2 verified in staging: now it may go
    dep.must("promote", STAGING, PROD, person=people["alice"])
    dep.must("approve", PROD, person=people["bob"])
    alarms = json.loads(dep.must("output", PROD, "--json").stdout)["alarm_names"]
    dep.client("cloudwatch").set_alarm_state(AlarmName=alarms[0], StateValue="ALARM", StateReason="test: 5xx burst")
    watched = dep.run("apply", PROD, "--watch", "1s", person=people["alice"])
    assert watched.exit_code == 1, watched.output
    assert f"alarm(s) fired after apply: {alarms[0]}" in watched.stdout
    entries = dep.history(PROD)
    shipped = [e for e in entries if e["kind"] == "verify" and e["release_id"] != entries[-1]["release_id"]]
    assert shipped and shipped[-1]["ok"], "release 2 was applied and verified before the alarm"
    rolled_back = [e for e in entries if e["kind"] == "rollback"][-1]
    assert alarms[0] in rolled_back["reason"]
    last_start = [e for e in entries if e["kind"] == "apply-start"][-1]
    assert last_start["approvers"][0].startswith("auto_rollback")
    assert _prod_image(dep) == dep.first_digest  # back on the release before


def test_rollback_returns_the_previous_release(dep, people):
    """prod runs release 1 again; the release before it that verified there is release 2."""
    request = _ship(dep, people, "rollback", PROD)
    assert request["reason"].startswith("rollback") and request["release"]["image"] == dep.digest
    assert _prod_image(dep) == dep.digest
    # The model came along by version: prod's own copy of those exact bytes, handed to the service.
    out = json.loads(dep.must("output", PROD, "--json").stdout)
    model = out["model_artifact"]
    assert model["sha256"] == hashlib.sha256(MODEL).hexdigest() and model["version_id"] != dep.model_version
    service = dep.client("apprunner").describe_service(ServiceArn=out["service_arn"])["Service"]
    env = service["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]["RuntimeEnvironmentVariables"]
    assert env["MODEL_ARTIFACT_BUCKET"] == out["artifact_bucket_name"]
    assert (env["MODEL_ARTIFACT_KEY"], env["MODEL_ARTIFACT_VERSION_ID"]) == ("models/churn.json", model["version_id"])
    body = (
        dep.client("s3")
        .get_object(Bucket=out["artifact_bucket_name"], Key="models/churn.json", VersionId=model["version_id"])["Body"]
        .read()
    )
    assert body == MODEL
    nowhere = dep.run("rollback", PROD, "--to", "no-such-entry", person=people["alice"])
    assert nowhere.exit_code == 1 and "no history entry 'no-such-entry' in prod" in nowhere.stderr
