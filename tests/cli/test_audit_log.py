"""The audit log is chained and numbered: two writers never share a number, and an entry changed or deleted
afterwards is named by `history --verify` and stops approve and apply (real tier: the records live in S3)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
from support.cli_project import REGION, STATE_BUCKET

from platform_cli.core.aws import AwsTarget
from platform_cli.core.records import EnvRecords, sha256_hex


def _records(project) -> EnvRecords:
    return EnvRecords(AwsTarget.real(), REGION, STATE_BUCKET, f"{project.name}/prod.tfstate")


def _error(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_racing_writers_each_get_their_own_number_and_the_chain_holds(project):
    records = _records(project)
    with ThreadPoolExecutor(max_workers=6) as pool:
        written = list(pool.map(lambda i: records.append("note", n=i), range(12)))
    assert sorted(e["seq"] for e in written) == list(range(1, 13))
    log = records.read_log()
    assert log.problem is None and [e["seq"] for e in log.entries] == list(range(1, 13))
    assert log.entries[0]["prev_sha256"] is None and all(e["prev_sha256"] for e in log.entries[1:])
    verified = project.invoke("history", "prod", "--verify")
    assert verified.exit_code == 0 and "the audit log verifies (12 entries)" in verified.stderr


def test_a_changed_entry_is_named_and_stops_approve_and_apply(project):
    assert project.invoke("plan", "prod", "--request").exit_code == 2
    records = _records(project)
    (request,) = records.entries()
    claim = json.loads(
        boto3.client("s3", region_name=REGION)
        .get_object(Bucket=STATE_BUCKET, Key=f"{records.prefix}numbers/000001.json")["Body"]
        .read()
    )
    s3 = boto3.client("s3", region_name=REGION)
    forged = json.dumps({**request, "requested_by": {"aws": "arn:aws:iam::123456789012:user/mallory"}}, sort_keys=True)
    s3.put_object(Bucket=STATE_BUCKET, Key=claim["key"], Body=forged.encode())
    assert sha256_hex(forged.encode()) != claim["sha256"]

    verify = project.invoke("history", "prod", "--verify")
    assert verify.exit_code == 1
    assert f"prod's audit log does not verify: entry 1 (request {request['id']}) was changed" in _error(verify)
    approve = project.invoke("approve", "prod", env=project.person("bob"))
    assert approve.exit_code == 1 and "approve refused: prod's audit log does not verify" in _error(approve)
    apply = project.invoke("apply", "prod")
    assert apply.exit_code == 1 and "apply refused: prod's audit log does not verify" in _error(apply)
    assert [e["kind"] for e in _records(project).entries()] == ["request"]  # nothing written


def test_a_deleted_entry_is_named(project):
    records = _records(project)
    records.append("note")
    second = records.append("note")
    records.append("note")
    s3 = boto3.client("s3", region_name=REGION)
    s3.delete_object(Bucket=STATE_BUCKET, Key=f"{records.prefix}log/000002-note-{second['id']}.json")
    verify = project.invoke("history", "prod", "--verify")
    assert verify.exit_code == 1 and "entry 2 is missing" in _error(verify)


def test_a_log_write_whose_answer_was_lost_is_recognised_as_ours_on_retry(project, monkeypatch):
    """The claim of a number was stored, but its answer lost: the retry finds the claim taken (412). It is ours:
    the entry keeps its number, and no second entry or number is written."""
    records = EnvRecords(AwsTarget.real(), REGION, STATE_BUCKET, f"{project.name}/prod.tfstate")
    records.append("note", n=0)
    real_put = EnvRecords._put
    lost: list[str] = []

    def put_then_lose_the_answer(self, key, body, *, only_if_new, content_type="application/json"):
        stored = real_put(self, key, body, only_if_new=only_if_new, content_type=content_type)
        if "/numbers/" in key and not lost:
            lost.append(key)
            return False  # what the retried conditional put answers: 412, the object is there
        return stored

    monkeypatch.setattr(EnvRecords, "_put", put_then_lose_the_answer)
    entry = records.append("note", n=1)
    assert lost and entry["seq"] == 2
    log = records.read_log()
    assert log.problem is None and [e["n"] for e in log.entries] == [0, 1]
