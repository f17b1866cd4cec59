"""S3 in the sandbox answers as AWS does where plain moto does not (platform_cli/sandbox/services/s3.py)."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError


def _bucket(s3, prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    return name


def test_bucket_logging_accepts_a_policy_that_also_has_a_wildcard_principal(sandbox):
    """moto 5.2.5 answers HTTP 500 here (and the aws provider retries for minutes); AWS accepts it."""
    s3 = sandbox.client("s3")
    source, target = _bucket(s3, "src"), _bucket(s3, "logs")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{target}", f"arn:aws:s3:::{target}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "AllowS3ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{target}/*",
            },
        ],
    }
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps(policy))
    s3.put_bucket_logging(
        Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": f"s3/{source}/"}}
    )
    assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetBucket"] == target


def test_bucket_logging_without_log_delivery_permission_is_still_refused(sandbox):
    s3 = sandbox.client("s3")
    source, target = _bucket(s3, "src"), _bucket(s3, "logs")
    s3.put_bucket_policy(
        Bucket=target,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{target}/*"}
                ],
            }
        ),
    )
    try:
        s3.put_bucket_logging(
            Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "x/"}}
        )
    except s3.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidTargetBucketForLogging"
    else:
        raise AssertionError("PutBucketLogging without log-delivery permission should be refused")


def test_put_lifecycle_echoes_the_transition_minimum_size(sandbox):
    s3 = sandbox.client("s3")
    bucket = _bucket(s3, "lc")
    response = s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 30}}]
        },
    )
    assert response["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert got["Rules"][0]["Expiration"] == {"Days": 30}


def test_lifecycle_rules_round_trip_exactly(sandbox):
    """The aws provider waits until GET equals its PUT; moto 5.2.5 drops these fields, so it never converges."""
    s3 = sandbox.client("s3")
    bucket = _bucket(s3, "lc")
    rules = [
        {
            "ID": "noncurrent",
            "Status": "Enabled",
            "Filter": {"Prefix": "models/"},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30, "NewerNoncurrentVersions": 3},
            "NoncurrentVersionTransitions": [
                {"NoncurrentDays": 10, "StorageClass": "GLACIER", "NewerNoncurrentVersions": 2}
            ],
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
        {
            "ID": "sized-and",
            "Status": "Enabled",
            "Expiration": {"Days": 90},
            "Filter": {
                "And": {
                    "Prefix": "x/",
                    "Tags": [{"Key": "k", "Value": "v"}],
                    "ObjectSizeGreaterThan": 10,
                    "ObjectSizeLessThan": 5000,
                }
            },
        },
        {"ID": "sized", "Status": "Disabled", "Filter": {"ObjectSizeLessThan": 1000}, "Expiration": {"Days": 1}},
        {"ID": "everything", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 365}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules

    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules[3:]})
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules[3:]

    s3.delete_bucket_lifecycle(Bucket=bucket)
    try:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    except s3.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"
    else:
        raise AssertionError("lifecycle configuration should be gone after DeleteBucketLifecycle")


def test_recreated_bucket_does_not_inherit_old_lifecycle_rules(sandbox):
    s3 = sandbox.client("s3")
    bucket = _bucket(s3, "lc")
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [{"ID": "old", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 3}}]},
    )
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    try:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    except s3.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"
    else:
        raise AssertionError("a new bucket has no lifecycle configuration")


def test_a_conditional_deny_in_a_bucket_policy_does_not_refuse_every_upload(sandbox):
    """moto applied the artifact store's "deny without TLS" / "deny without our KMS key" statements as if they had
    no condition, so every upload got 403. Unconditional statements still apply."""
    s3 = sandbox.client("s3", "eu-west-1")
    bucket = f"cond-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    arn = f"arn:aws:s3:::{bucket}"
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TLSOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [arn, f"{arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                    {
                        "Sid": "NoSecrets",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:PutObject",
                        "Resource": f"{arn}/secrets/*",
                    },
                ],
            }
        ),
    )
    assert s3.put_object(Bucket=bucket, Key="models/m.json", Body=b"{}")["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket=bucket, Key="secrets/x", Body=b"no")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_state_bucket_supports_terraform_s3_native_locking(sandbox):
    """Terraform >= 1.10 `use_lockfile` takes the lock with a conditional PutObject (If-None-Match: *)."""
    s3 = sandbox.client("s3")
    key = f"locks/{uuid.uuid4().hex}.tfstate.tflock"
    s3.put_object(Bucket=sandbox.state_bucket, Key=key, Body=b"{}", IfNoneMatch="*")
    try:
        s3.put_object(Bucket=sandbox.state_bucket, Key=key, Body=b"{}", IfNoneMatch="*")
    except s3.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "PreconditionFailed"
    else:
        raise AssertionError("a second lock on the same key must be refused")
    assert s3.get_bucket_versioning(Bucket=sandbox.state_bucket)["Status"] == "Enabled"
