"""deploy.yml's promote job as the role it assumes: it writes its request (plan bytes and log entry) only as new
objects, and AWS's policy evaluation refuses it an approval, a delete or an overwrite of the audit log."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from platform_cli.core.aws import AwsTarget
from platform_cli.core.records import EnvRecords, RecordError

pytestmark = [pytest.mark.real, pytest.mark.xdist_group("bootstrap-roles")]


def _refused(call) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]["Code"]


def test_the_promote_role_writes_a_request_through_platformctls_own_records_code(account):
    """What `promote` does in the target's log, run as the promote role: lock, plan bytes, the request entry and
    the claim of its number; an approval written the same way is AWS's AccessDenied, and nothing of it stays."""
    creds = account.promote_role("prod")
    target = AwsTarget(env={**creds, "AWS_ENDPOINT_URL": account.info.endpoint}, endpoint=account.info.endpoint)
    # prod's own log (first in this file: it reads the log whole); the role may write in no other environment's.
    records = EnvRecords(target, "eu-west-1", account.outputs["state_bucket_name"], f"{account.project}/prod.tfstate")
    token = records.acquire("promote role", "promote staging -> prod")
    try:
        records.store_plan("r1", b"plan bytes", {"plan_sha256": "p"})
        records.append("request", request_id="r1", plan_sha256="p")
        with pytest.raises(RecordError, match="AccessDenied"):
            records.append("approval", request_id="r1", plan_sha256="p")
    finally:
        records.release(token)
    log = records.read_log()
    assert log.problem is None and [e["kind"] for e in log.entries] == ["request"]


def test_the_promote_role_writes_requests_and_nothing_else_in_the_log(account):
    bucket = account.outputs["state_bucket_name"]
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": account.outputs["state_kms_key_arn"]}
    log = f"{account.project}/prod.tfstate.platformctl/log"  # prod's: the one log this role may write requests in
    account.client("s3").put_object(
        Bucket=bucket, Key=f"{log}/000001-request-seed.json", Body=b"{}", IfNoneMatch="*", **sse
    )
    s3 = account.client("s3", account.promote_role("prod"))

    s3.put_object(Bucket=bucket, Key=f"{log}/000002-request-r2.json", Body=b"{}", IfNoneMatch="*", **sse)
    approval = f"{log}/000003-approval-a1.json"
    assert _refused(lambda: s3.put_object(Bucket=bucket, Key=approval, Body=b"{}", IfNoneMatch="*", **sse)) == (
        "AccessDenied"
    )
    overwrite = f"{log}/000001-request-seed.json"
    assert _refused(lambda: s3.put_object(Bucket=bucket, Key=overwrite, Body=b"{}", **sse)) == "AccessDenied"
    assert _refused(lambda: s3.delete_object(Bucket=bucket, Key=overwrite)) == "AccessDenied"
    assert account.client("s3").get_object(Bucket=bucket, Key=overwrite)["Body"].read() == b"{}"
    staging = f"{account.project}/staging.tfstate.platformctl/log/000001-request-r1.json"  # another environment's
    assert _refused(lambda: s3.put_object(Bucket=bucket, Key=staging, Body=b"{}", IfNoneMatch="*", **sse)) == (
        "AccessDenied"
    )


def test_the_state_bucket_keeps_the_log_append_only_even_for_the_apply_role(account):
    """The apply role may write anything in its state bucket; the bucket policy still refuses it a delete or a
    write that could replace a log entry."""
    bucket = account.outputs["state_bucket_name"]
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": account.outputs["state_kms_key_arn"]}
    log = f"{account.project}/scratch.tfstate.platformctl/log"  # no environment reads this log
    s3 = account.client("s3", account.apply_role("staging"))
    s3.put_object(Bucket=bucket, Key=f"{log}/000001-approval-a1.json", Body=b"{}", IfNoneMatch="*", **sse)
    entry = f"{log}/000001-approval-a1.json"
    assert _refused(lambda: s3.put_object(Bucket=bucket, Key=entry, Body=b'{"forged": 1}', **sse)) == "AccessDenied"
    assert _refused(lambda: s3.delete_object(Bucket=bucket, Key=entry)) == "AccessDenied"
    assert account.client("s3").get_object(Bucket=bucket, Key=entry)["Body"].read() == b"{}"
