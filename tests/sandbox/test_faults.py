"""`sandbox start --faults RATE`: AWS calls fail as AWS's do, before they are served or (S3 object writes) after
they were stored; platformctl's records come through whole: every log entry once, one number each, a chain that
verifies, a lock taken and released."""

from __future__ import annotations

import io

import pytest

from platform_cli.core.aws import AwsTarget
from platform_cli.core.records import EnvRecords
from platform_cli.sandbox import manager
from platform_cli.sandbox.faults import FaultInjection, parse_rate

S3_AUTH = "AWS4-HMAC-SHA256 Credential=testing/20261206/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=x"


def _call(app, method: str, auth: str = S3_AUTH, path: str = "/bucket/key") -> tuple[str, bytes]:
    seen: dict[str, str] = {}
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "HTTP_AUTHORIZATION": auth,
        "wsgi.input": io.BytesIO(),
    }
    body = b"".join(app(environ, lambda status, headers: seen.setdefault("status", status)))
    return seen["status"], body


def test_a_write_can_fail_after_it_was_stored_and_a_read_before_it_is_served():
    stored: list[str] = []

    def backend(environ, start_response):
        stored.append(environ["REQUEST_METHOD"])
        start_response("200 OK", [])
        return [b"ok"]

    always = FaultInjection(backend, rate=1.0, seed="after")
    statuses = {_call(always, "PUT")[0] for _ in range(20)}
    assert statuses == {"500 Internal Server Error", "503 Slow Down"}  # both kinds happen to a write
    assert 0 < stored.count("PUT") < 20  # the 500s were stored first, the 503s never reached the backend
    stored.clear()
    status, body = _call(always, "GET")
    assert status == "503 Slow Down" and b"<Code>SlowDown</Code>" in body and stored == []
    assert _call(always, "GET", auth="")[0] == "200 OK"  # unsigned calls (health, OIDC) never fail
    stored.clear()
    # Terraform's lock file and bucket-level writes fail only before they are served.
    assert {_call(always, "PUT", path="/bucket/env/prod.tfstate.tflock")[0] for _ in range(10)} == {"503 Slow Down"}
    assert {_call(always, "PUT", path="/bucket")[0] for _ in range(10)} == {"503 Slow Down"}
    assert stored == []


@pytest.mark.parametrize("value", ["lots", "0.9", "-0.1"])
def test_a_rate_that_is_not_a_share_of_calls_is_refused(value):
    with pytest.raises(ValueError, match="faults"):
        parse_rate(value)


@pytest.mark.real
def test_the_audit_log_and_lock_come_through_faults_whole(tmp_path):
    info = manager.start(manager.free_port(), state_dir=tmp_path / "sandbox", faults=0.1)
    try:
        target = AwsTarget(env=dict(info.env), sandbox=True, endpoint=info.endpoint)
        s3 = target.client("s3", "eu-west-1")
        s3.create_bucket(Bucket="faulty", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        records = EnvRecords(target, "eu-west-1", "faulty", "env/prod.tfstate")
        written = []
        for i in range(40):
            if i % 10 == 0:
                records.release(records.acquire("tester", "apply prod"))
            written.append(records.append("note", n=i))
        log = records.read_log()
        assert log.problem is None
        assert [e["n"] for e in log.entries] == list(range(40)) and [e["seq"] for e in log.entries] == list(
            range(1, 41)
        )
        faults = [
            line for line in (tmp_path / "sandbox" / "server.log").read_text().splitlines() if line.startswith("fault:")
        ]
        assert len(faults) >= 5, faults  # (about 30 expected: which calls fail differs from run to run)
    finally:
        manager.stop(tmp_path / "sandbox")
