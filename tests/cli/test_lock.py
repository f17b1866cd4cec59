"""The deployment lock (real tier: it lives in S3): it expires when abandoned, its holder keeps it alive, and of
several processes taking over an expired lock exactly one wins."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time

import boto3
import pytest
from support.cli_project import REGION, STATE_BUCKET

from platform_cli.core import records as records_module
from platform_cli.core.aws import AwsTarget
from platform_cli.core.records import EnvLocked, EnvRecords


def _records(project) -> EnvRecords:
    return EnvRecords(AwsTarget.real(), REGION, STATE_BUCKET, f"{project.name}/staging.tfstate")


def _write_lock(records: EnvRecords, **fields) -> None:
    body = {"holder": "arn:aws:iam::123456789012:user/alice", "operation": "apply staging", "host": "elsewhere"}
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=STATE_BUCKET, Key=records.prefix + "lock.json", Body=json.dumps({**body, **fields}).encode()
    )


def _lock(records: EnvRecords) -> dict:
    s3 = boto3.client("s3", region_name=REGION)
    return json.loads(s3.get_object(Bucket=STATE_BUCKET, Key=records.prefix + "lock.json")["Body"].read())


def test_of_several_takers_of_an_expired_lock_exactly_one_wins(project):
    records = _records(project)
    _write_lock(records, expires=(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat())
    won: list[str] = []
    lost: list[str] = []
    start = threading.Barrier(6)

    def take(i: int) -> None:
        mine = _records(project)
        start.wait()
        try:
            mine.acquire(f"taker-{i}", "apply staging")
            won.append(f"taker-{i}")
        except EnvLocked:
            lost.append(f"taker-{i}")

    threads = [threading.Thread(target=take, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 5
    assert _lock(records)["holder"] == won[0]


def test_a_live_lock_is_refused_naming_its_holder_and_expiry(project):
    records = _records(project)
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    _write_lock(records, since="2026-12-06T10:00:00+00:00", expires=expires)
    with pytest.raises(EnvLocked, match=f"user/alice holds the lock .*expires {re.escape(expires)}"):
        records.acquire("bob", "apply staging")


def test_the_holder_keeps_its_lock_alive_and_release_frees_it(project, monkeypatch):
    monkeypatch.setattr(records_module, "LOCK_TTL_SECONDS", 3)
    records = _records(project)
    token = records.acquire("alice", "apply staging")
    first = _lock(records)["expires"]
    time.sleep(4.5)  # past the first lease: the holder has renewed it
    assert _lock(records)["expires"] > first
    with pytest.raises(EnvLocked):
        _records(project).acquire("bob", "apply staging")
    records.release(token)
    assert _records(project).acquire("bob", "apply staging")
