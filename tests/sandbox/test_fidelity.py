"""Where plain moto answers differently from AWS, the sandbox answers as AWS does."""

from __future__ import annotations

import json
import uuid

from platform_cli.sandbox.fidelity import FidelityMiddleware


def _bucket(s3, prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    return name


def test_bucket_logging_accepts_a_policy_that_also_has_a_wildcard_principal(sandbox):
    """moto 5.2.5 answers HTTP 500 here (and the aws provider retries for minutes); AWS accepts it."""
    s3 = sandbox.client("s3")
    source, target = _bucket(s3, "src"), _bucket(s3, "logs")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{target}", f"arn:aws:s3:::{target}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "AllowS3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{target}/*"},
    ]}
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps(policy))
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": f"s3/{source}/"}})
    assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetBucket"] == target


def test_bucket_logging_without_log_delivery_permission_is_still_refused(sandbox):
    s3 = sandbox.client("s3")
    source, target = _bucket(s3, "src"), _bucket(s3, "logs")
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{target}/*"}]}))
    try:
        s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "x/"}})
    except s3.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidTargetBucketForLogging"
    else:
        raise AssertionError("PutBucketLogging without log-delivery permission should be refused")


def test_put_lifecycle_echoes_the_transition_minimum_size(sandbox):
    s3 = sandbox.client("s3")
    bucket = _bucket(s3, "lc")
    response = s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 30}}]})
    assert response["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert got["Rules"][0]["Expiration"] == {"Days": 30}


def test_middleware_passes_unmatched_requests_through_untouched():
    def app(environ, start_response):
        start_response("200 OK", [("X-Original", "yes")])
        return [b"body"]

    seen = {}
    body = FidelityMiddleware(app)({"REQUEST_METHOD": "GET", "QUERY_STRING": ""},
                                   lambda status, headers: seen.update(status=status, headers=headers))
    assert list(body) == [b"body"] and seen["headers"] == [("X-Original", "yes")]
