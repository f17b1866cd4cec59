"""Promotion to prod end to end in the sandbox, with two people: alice asks, bob approves.

staging (the shared deployment) verifies its release -> alice promotes it -> bob approves -> alice applies -> prod
runs staging's digest; a second release goes the same way; `rollback` returns the previous release; an alarm that
fires after `apply --watch` rolls back on its own (envs/prod says auto_rollback: true in this copy).
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from .conftest import ENV as STAGING

# One worker runs every test of the shared deployment, in file order (`make test` runs pytest-xdist).
pytestmark = pytest.mark.xdist_group("deployment")

PROD = "prod"
KILL_WAIT_SECONDS = 300


@pytest.fixture(scope="module")
def people(staging):
    return staging.people


def _request(staging) -> dict:
    return [e for e in staging.history(PROD) if e["kind"] == "request"][-1]


def _prod_image(staging) -> str:
    return json.loads(staging.must("output", PROD, "--json").stdout)["service_image"].rsplit("@", 1)[1]


def _ship(staging, people, *args: str) -> dict:
    """alice asks (the command in args), bob approves, alice applies; returns the request."""
    staging.must(*args, codes=(0, 2), person=people["alice"])
    request = _request(staging)
    staging.must("approve", PROD, request["request_id"], person=people["bob"])
    staging.must("apply", PROD, person=people["alice"])
    return request


def test_prod_foundation_was_asked_by_alice_approved_by_bob_and_applied(staging, people):
    request, approval, start, outcome = staging.history(PROD)[:4]
    assert request["requested_by"]["aws"].endswith("user/alice")
    assert approval["approved_by"]["aws"].endswith("user/bob")
    assert start["kind"] == "apply-start" and outcome["outcome"] == "applied"


def test_a_prod_plan_needs_someone_elses_approval(staging, people):
    staging.must("plan", PROD, codes=(0, 2), person=people["alice"])
    refused = staging.run("apply", PROD, person=people["alice"])
    assert refused.exit_code == 1 and "0 of 1 required approval(s)" in refused.stderr
    own = staging.run("approve", PROD, person=people["alice"])
    assert own.exit_code == 1 and "may not approve it" in own.stderr


def test_an_unverified_release_is_not_promoted(staging, people):
    digest = staging.push_image("unverified")
    staging.must("plan", STAGING, "--image", digest, codes=(2,))
    staging.must("apply", STAGING)
    refused = staging.run("promote", STAGING, PROD, person=people["alice"])
    assert refused.exit_code == 1 and "never ran `platformctl verify` there" in refused.stderr
    staging.digest = digest


def test_promote_approve_apply_runs_stagings_digest_in_prod(staging, people):
    staging.must("verify", STAGING)
    request = _ship(staging, people, "promote", STAGING, PROD)
    assert request["release"]["image"] == staging.digest
    assert request["evidence"]["source_verify"]["ok"] is True
    assert _prod_image(staging) == staging.digest
    verified = [e for e in staging.history(PROD) if e["kind"] == "verify"][-1]
    assert verified["ok"] and verified["release_id"] == request["release_id"]


def test_history_shows_every_step_with_both_people(staging, people):
    entries = staging.history(PROD)
    kinds = [e["kind"] for e in entries]
    assert kinds.count("request") == 3 and kinds.count("approval") == 2
    assert kinds[-5:] == ["request", "approval", "apply-start", "apply-outcome", "verify"]
    request, approval = entries[-5], entries[-4]
    assert request["requested_by"]["aws"].endswith("user/alice")
    assert approval["approved_by"]["aws"].endswith("user/bob")
    assert approval["plan_sha256"] == request["plan_sha256"] == entries[-3]["plan_sha256"]
    table = staging.must("history", PROD).stdout
    assert "alice" in table and "bob" in table and request["plan_sha256"][:12] in table


def test_rollback_returns_the_previous_release(staging, people):
    first = staging.digest
    second = staging.push_image("release-2")
    staging.must("plan", STAGING, "--image", second, codes=(2,))
    staging.must("apply", STAGING)
    staging.must("verify", STAGING)
    _ship(staging, people, "promote", STAGING, PROD)
    assert _prod_image(staging) == second

    request = _ship(staging, people, "rollback", PROD)
    assert request["reason"].startswith("rollback") and request["release"]["image"] == first
    assert _prod_image(staging) == first
    staging.digest = second  # staging still runs the second release


def test_a_firing_alarm_after_apply_rolls_back_on_its_own(staging, people):
    staging.must("promote", STAGING, PROD, codes=(0,), person=people["alice"])
    staging.must("approve", PROD, person=people["bob"])
    alarms = json.loads(staging.must("output", PROD, "--json").stdout)["alarm_names"]
    staging.client("cloudwatch").set_alarm_state(AlarmName=alarms[0], StateValue="ALARM",
                                                  StateReason="test: 5xx burst")
    watched = staging.run("apply", PROD, "--watch", "1s", person=people["alice"])
    assert watched.exit_code == 1, watched.output
    assert f"alarm(s) fired after apply: {alarms[0]}" in watched.stdout
    rolled_back = [e for e in staging.history(PROD) if e["kind"] == "rollback"][-1]
    assert alarms[0] in rolled_back["reason"]
    last_start = [e for e in staging.history(PROD) if e["kind"] == "apply-start"][-1]
    assert last_start["approvers"][0].startswith("auto_rollback")
    assert _prod_image(staging) != staging.digest  # back on the release before


def test_killing_platformctl_mid_apply_loses_nothing_and_apply_continues(staging, people):
    staging.must("promote", STAGING, PROD, person=people["alice"])
    request = _request(staging)
    staging.must("approve", PROD, request["request_id"], person=people["bob"])
    proc = staging.spawn("apply", PROD, person=people["alice"])
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while not any(e["kind"] == "apply-start" and e["request_id"] == request["request_id"]
                  for e in staging.history(PROD)):
        assert time.monotonic() < deadline and proc.poll() is None, "apply never started"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)  # no chance to write anything more
    proc.wait()
    # Terraform, writing to a file rather than to the dead process, finishes on its own and releases its lock.
    logs = staging.work_dir / "envs" / PROD / "logs"
    while not any(b"Apply complete!" in raw.read_bytes() for raw in logs.glob("*-apply.log.raw")):
        assert time.monotonic() < deadline, "the orphaned terraform apply never finished"
        time.sleep(0.5)

    killed = [e for e in staging.history(PROD) if e.get("request_id") == request["request_id"]]
    assert [e["kind"] for e in killed] == ["request", "approval", "apply-start"]

    staging.must("apply", PROD, person=people["alice"])
    entries = [e for e in staging.history(PROD) if e.get("request_id") == request["request_id"]]
    assert [e["kind"] for e in entries] == ["request", "approval", "apply-start", "apply-outcome"]
    assert entries[-1]["outcome"] == "unknown" and entries[-1]["finished"] is True
    assert staging.history(PROD)[-1]["kind"] == "verify" and staging.history(PROD)[-1]["ok"]
    assert _prod_image(staging) == request["release"]["image"]
    assert list(logs.glob("*.orphaned.log")) or list(logs.glob("*.raw")), "the orphan's output is kept"
