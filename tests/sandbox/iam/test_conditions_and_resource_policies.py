"""Condition keys the kit's policies use, and resource policies (S3, KMS, ECR), cross-account included."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from platform_cli.sandbox.iam.conditions import evaluate_condition_block

from .conftest import ACCOUNT, OTHER_ACCOUNT, REGION, allow, unique

KEYS = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"


def refused(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]


def _key(sandbox, environment: str, policy: dict | None = None) -> str:
    extra = {"Policy": json.dumps(policy)} if policy else {}
    tags = [{"TagKey": "environment", "TagValue": environment}]
    return sandbox.root("kms").create_key(Tags=tags, **extra)["KeyMetadata"]["KeyId"]


# ------------------------------------------------------------------------------------------------ operators
def test_condition_block_operators_as_aws_evaluates_them():
    context = {"aws:ResourceTag/environment": "staging", "aws:TagKeys": ["environment", "team"]}
    assert evaluate_condition_block({"StringEquals": {"aws:resourcetag/Environment": "staging"}}, context)
    assert not evaluate_condition_block({"StringEquals": {"aws:ResourceTag/environment": ["prod"]}}, context)
    assert not evaluate_condition_block({"ForAllValues:StringEquals": {"aws:TagKeys": ["environment"]}}, context)
    assert evaluate_condition_block({"ForAnyValue:StringLike": {"aws:TagKeys": ["te*"]}}, context)
    assert evaluate_condition_block({"Null": {"s3:x-amz-server-side-encryption": "true"}}, context)
    assert evaluate_condition_block({"StringNotEqualsIfExists": {"s3:x-amz-acl": "public-read"}}, context)
    assert not evaluate_condition_block({"StringNotEquals": {"s3:x-amz-acl": "public-read"}}, context)
    assert evaluate_condition_block(
        {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::logs-*"}}, {"aws:SourceArn": "arn:aws:s3:::logs-1"}
    )
    assert evaluate_condition_block({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True})
    assert evaluate_condition_block({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, {"aws:SourceIp": "127.0.0.1"})
    assert evaluate_condition_block({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "5"})
    assert evaluate_condition_block(
        {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2026-01-01T00:00:00Z"}
    )


# ------------------------------------------------------------------------------------------------ request keys
def test_request_tag_and_tag_keys_scope_key_creation(iam_sandbox):
    policy = allow(
        "kms:CreateKey",
        "*",
        Condition={
            "StringEquals": {"aws:RequestTag/environment": "staging"},
            "ForAllValues:StringEquals": {"aws:TagKeys": ["environment"]},
        },
    )
    kms = iam_sandbox.user(policy).client("kms")
    kms.create_key(Tags=[{"TagKey": "environment", "TagValue": "staging"}])
    assert (
        refused(kms.create_key, Tags=[{"TagKey": "environment", "TagValue": "prod"}])["Code"] == "AccessDeniedException"
    )
    extra_tag = [{"TagKey": "environment", "TagValue": "staging"}, {"TagKey": "team", "TagValue": "x"}]
    assert refused(kms.create_key, Tags=extra_tag)["Code"] == "AccessDeniedException"
    assert refused(kms.create_key)["Code"] == "AccessDeniedException"


def test_resource_tag_scopes_key_use_by_environment(iam_sandbox):
    staging, prod = _key(iam_sandbox, "staging"), _key(iam_sandbox, "prod")
    policy = allow("kms:*", KEYS, Condition={"StringEquals": {"aws:ResourceTag/environment": "staging"}})
    kms = iam_sandbox.user(policy).client("kms")
    kms.encrypt(KeyId=staging, Plaintext=b"x")
    assert refused(kms.encrypt, KeyId=prod, Plaintext=b"x")["Code"] == "AccessDeniedException"


def test_principal_arn_condition(iam_sandbox):
    session = iam_sandbox.role_session(
        allow("logs:CreateLogGroup", "*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/role-*"}})
    )
    session.client("logs").create_log_group(logGroupName=unique("principal"))
    user = iam_sandbox.user(
        allow("logs:CreateLogGroup", "*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}})
    )
    assert refused(user.client("logs").create_log_group, logGroupName=unique("u"))["Code"] == "AccessDeniedException"


def test_permissions_boundary_condition_on_role_creation(iam_sandbox):
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/{unique('b')}"
    iam_sandbox.root("iam").create_policy(
        PolicyName=boundary.rsplit("/", 1)[1], PolicyDocument=json.dumps(allow("logs:*"))
    )
    policy = allow("iam:CreateRole", "*", Condition={"StringEquals": {"iam:PermissionsBoundary": boundary}})
    iam = iam_sandbox.user(policy).client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    iam.create_role(RoleName=unique("bounded"), AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)
    assert refused(iam.create_role, RoleName=unique("free"), AssumeRolePolicyDocument=trust)["Code"] == "AccessDenied"


def test_passed_to_service_condition_on_pass_role(iam_sandbox):
    iam = iam_sandbox.root("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    role = iam.create_role(RoleName=unique("apprunner-access"), AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    policy = allow(["apprunner:*", "ecr:*"])
    policy["Statement"].append(
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": role,
            "Condition": {"StringLike": {"iam:PassedToService": "*.ecs.amazonaws.com"}},
        }
    )
    apprunner = iam_sandbox.user(policy).client("apprunner")
    source = {
        "ImageRepository": {
            "ImageIdentifier": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/x:latest",
            "ImageRepositoryType": "ECR",
        },
        "AuthenticationConfiguration": {"AccessRoleArn": role},
    }
    error = refused(apprunner.create_service, ServiceName=unique("svc"), SourceConfiguration=source)
    assert "iam:PassRole" in error["Message"] and role in error["Message"]


def test_s3_bucket_policy_conditions_on_encryption_header_and_if_none_match(iam_sandbox):
    bucket = unique("records")
    s3_root = iam_sandbox.root("s3")
    s3_root.create_bucket(Bucket=bucket)
    s3_root.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                    {
                        "Sid": "RequireKms",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:PutObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
                    },
                ],
            }
        ),
    )
    policy = allow("s3:PutObject", f"arn:aws:s3:::{bucket}/*", Condition={"StringEquals": {"s3:if-none-match": "*"}})
    s3 = iam_sandbox.user(policy).client("s3")
    s3.put_object(Bucket=bucket, Key="a", Body=b"1", ServerSideEncryption="aws:kms", IfNoneMatch="*")
    denied = refused(s3.put_object, Bucket=bucket, Key="b", Body=b"1", ServerSideEncryption="AES256", IfNoneMatch="*")
    assert denied["Message"].endswith("with an explicit deny in a resource-based policy")
    assert (
        refused(s3.put_object, Bucket=bucket, Key="c", Body=b"1", ServerSideEncryption="aws:kms")["Code"]
        == "AccessDenied"
    )


def test_web_identity_trust_checks_the_tokens_sub_and_aud(iam_sandbox):
    iam = iam_sandbox.root("iam")
    host = "token.actions.githubusercontent.com"
    provider = iam.create_open_id_connect_provider(
        Url=f"https://{host}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )["OpenIDConnectProviderArn"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{host}:aud": "sts.amazonaws.com", f"{host}:sub": "repo:o/r:environment:prod"}
                },
            }
        ],
    }
    role = iam.create_role(RoleName=unique("gha"), AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    def token(sub: str) -> str:
        claims = {"iss": f"https://{host}", "aud": "sts.amazonaws.com", "sub": sub}
        return "e30." + base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=") + ".sig"

    sts = iam_sandbox.root("sts")
    sts.assume_role_with_web_identity(
        RoleArn=role, RoleSessionName="gha", WebIdentityToken=token("repo:o/r:environment:prod")
    )
    error = refused(
        sts.assume_role_with_web_identity,
        RoleArn=role,
        RoleSessionName="gha",
        WebIdentityToken=token("repo:o/r:pull_request"),
    )
    assert (error["Code"], error["Message"]) == (
        "AccessDenied",
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )


# ------------------------------------------------------------------------------------------------ resource policies
def test_kms_key_policy_must_allow_or_delegate_to_the_account(iam_sandbox):
    user = iam_sandbox.user(allow("kms:*"))
    locked = _key(
        iam_sandbox,
        "x",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/nobody"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        },
    )
    error = refused(user.client("kms").encrypt, KeyId=locked, Plaintext=b"x")
    assert error["Message"].endswith("because no resource-based policy allows the kms:Encrypt action")
    direct = _key(
        iam_sandbox,
        "x",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": user.arn}, "Action": "kms:Encrypt", "Resource": "*"}
            ],
        },
    )
    iam_sandbox.user(None).client("kms")  # a user without any policy ...
    user.client("kms").encrypt(KeyId=direct, Plaintext=b"x")  # ... and this one, named by the key policy


def test_ecr_repository_policy_grants_a_user_without_an_identity_policy(iam_sandbox):
    user = iam_sandbox.user()
    name = unique("shared")
    ecr_root = iam_sandbox.root("ecr")
    ecr_root.create_repository(repositoryName=name)
    assert refused(user.client("ecr").describe_images, repositoryName=name)["Code"] == "AccessDeniedException"
    ecr_root.set_repository_policy(
        repositoryName=name,
        policyText=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": user.arn}, "Action": "ecr:DescribeImages"}
                ],
            }
        ),
    )
    user.client("ecr").describe_images(repositoryName=name)


def test_s3_bucket_policy_explicit_deny_refuses_an_allowed_user(iam_sandbox):
    bucket = unique("guarded")
    iam_sandbox.root("s3").create_bucket(Bucket=bucket)
    user = iam_sandbox.user(allow("s3:*"))
    user.client("s3").put_object(Bucket=bucket, Key="k", Body=b"1")
    iam_sandbox.root("s3").put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": user.arn},
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    }
                ],
            }
        ),
    )
    assert refused(user.client("s3").get_object, Bucket=bucket, Key="k")["Code"] == "AccessDenied"


def test_cross_account_access_needs_both_identity_and_resource_policy(iam_sandbox):
    bucket = unique("cross")
    iam_sandbox.root("s3").create_bucket(Bucket=bucket)
    iam_sandbox.root("s3").put_object(Bucket=bucket, Key="k", Body=b"1")
    outsider = iam_sandbox.user(allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*"), account=OTHER_ACCOUNT)
    assert outsider.arn.startswith(f"arn:aws:iam::{OTHER_ACCOUNT}:")
    error = refused(outsider.client("s3").get_object, Bucket=bucket, Key="k")
    assert "because no resource-based policy allows the s3:GetObject action" in error["Message"]

    iam_sandbox.root("s3").put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    }
                ],
            }
        ),
    )
    assert outsider.client("s3").get_object(Bucket=bucket, Key="k")["Body"].read() == b"1"
    no_identity_policy = iam_sandbox.user(account=OTHER_ACCOUNT)
    assert refused(no_identity_policy.client("s3").get_object, Bucket=bucket, Key="k")["Code"] == "AccessDenied"
