"""Reads across accounts as a promote role makes them: another account's registry (registryId) and an SSE-KMS
object in another account's bucket. Each needs the reader's identity policy and the resource's own policy; for the
object, the key's policy too (S3 decrypts as the caller)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from platform_cli.sandbox.images import push_placeholder_image

from .conftest import ACCOUNT, OTHER_ACCOUNT, REGION, allow, unique


def refused(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def _grant(principal: str, actions: list[str], resource: str | None = None) -> dict:
    statement = {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}
    return {"Version": "2012-10-17", "Statement": [statement | ({"Resource": resource} if resource else {})]}


def test_another_accounts_repository_is_read_through_its_registry_id_when_both_policies_allow(iam_sandbox):
    name = unique("source")
    owner = iam_sandbox.root("ecr")
    owner.create_repository(repositoryName=name)
    digest = push_placeholder_image(name, "v1", ecr_client=owner)
    arn = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"
    pull = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"]
    reader = iam_sandbox.user(allow(pull, arn), account=OTHER_ACCOUNT).client("ecr")
    image = {"repositoryName": name, "imageIds": [{"imageDigest": digest}]}

    # Without registryId the request is about the caller's own registry, which its policy does not name.
    own = refused(reader.batch_get_image, **image)["Message"]
    assert f"arn:aws:ecr:{REGION}:{OTHER_ACCOUNT}:repository/{name}" in own
    error = refused(reader.batch_get_image, registryId=ACCOUNT, **image)
    assert error["Code"] == "AccessDeniedException"
    assert f"on resource: {arn} because no resource-based policy allows the ecr:BatchGetImage" in error["Message"]

    owner.set_repository_policy(
        repositoryName=name, policyText=json.dumps(_grant(f"arn:aws:iam::{OTHER_ACCOUNT}:root", pull))
    )
    (got,) = reader.batch_get_image(registryId=ACCOUNT, **image)["images"]
    assert got["imageId"]["imageDigest"] == digest
    nobody = iam_sandbox.user(account=OTHER_ACCOUNT).client("ecr")  # the repository policy alone is not enough
    assert refused(nobody.batch_get_image, registryId=ACCOUNT, **image)["Code"] == "AccessDeniedException"


def test_an_sse_kms_object_in_another_account_needs_the_keys_policy_too(iam_sandbox):
    bucket, s3 = unique("models"), iam_sandbox.root("s3")
    s3.create_bucket(Bucket=bucket)
    key_arn = iam_sandbox.root("kms").create_key()["KeyMetadata"]["Arn"]  # the default policy: this account only
    s3.put_object(Bucket=bucket, Key="m.json", Body=b"{}", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn)
    identity = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
        ],
    }
    outsider = iam_sandbox.user(identity, account=OTHER_ACCOUNT)
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps(_grant(outsider.arn, ["s3:GetObject"], f"arn:aws:s3:::{bucket}/*"))
    )

    error = refused(outsider.client("s3").get_object, Bucket=bucket, Key="m.json")
    assert error["Code"] == "AccessDenied"
    assert f"kms:Decrypt on resource: {key_arn} because no resource-based policy allows" in error["Message"]

    root = {
        "Sid": "Account",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    reader = _grant(outsider.arn, ["kms:Decrypt"], "*")["Statement"][0]
    iam_sandbox.root("kms").put_key_policy(
        KeyId=key_arn, PolicyName="default", Policy=json.dumps({"Version": "2012-10-17", "Statement": [root, reader]})
    )
    assert outsider.client("s3").get_object(Bucket=bucket, Key="m.json")["Body"].read() == b"{}"
    # The owner's own reads go on as before: its root, through the key policy's delegation to the account.
    assert s3.get_object(Bucket=bucket, Key="m.json")["Body"].read() == b"{}"


def test_a_copy_reads_its_source_as_the_caller(iam_sandbox):
    """CopyObject needs s3:GetObject on the source as well as s3:PutObject on the destination, as in AWS."""
    s3 = iam_sandbox.root("s3")
    source, destination = unique("src"), unique("dst")
    for bucket in (source, destination):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=source, Key="m.json", Body=b"{}")
    writer = iam_sandbox.user(allow("s3:PutObject", f"arn:aws:s3:::{destination}/*")).client("s3")
    copy = {"Bucket": destination, "Key": "m.json", "CopySource": {"Bucket": source, "Key": "m.json"}}
    error = refused(writer.copy_object, **copy)
    assert f"s3:GetObject on resource: arn:aws:s3:::{source}/m.json" in error["Message"]
    both = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{destination}/*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{source}/*"},
        ],
    }
    iam_sandbox.user(both).client("s3").copy_object(**copy)
    assert s3.get_object(Bucket=destination, Key="m.json")["Body"].read() == b"{}"
