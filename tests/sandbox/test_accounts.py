"""The sandbox's accounts (platform_cli/sandbox/accounts.py): each account id is its own world, reached with its
root's keys, and whatever one account reaches in another is up to that account's resource policies."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from platform_cli.sandbox.accounts import account_of_root_key, root_credentials

STAGING, PROD = "111111111111", "222222222222"


def test_root_keys_name_their_account_and_nothing_else_is_a_root_key():
    keys = root_credentials(STAGING)
    assert len(keys["AWS_ACCESS_KEY_ID"]) == 20 and account_of_root_key(keys["AWS_ACCESS_KEY_ID"]) == STAGING
    assert account_of_root_key("testing") is None and account_of_root_key("AKIAROOT1234") is None
    for bad in ("12", "1111111111112", "abcdefghijkl", ""):
        with pytest.raises(ValueError, match="12-digit"):
            root_credentials(bad)


def test_each_account_is_its_own_world(sandbox):
    name = f"model-{uuid.uuid4().hex[:8]}"
    staging = {s: sandbox.client(s, "eu-west-1", root_credentials(STAGING)) for s in ("sts", "ecr", "iam")}
    prod = {s: sandbox.client(s, "eu-west-1", root_credentials(PROD)) for s in ("sts", "ecr", "iam")}

    assert staging["sts"].get_caller_identity()["Arn"] == f"arn:aws:iam::{STAGING}:root"
    assert prod["sts"].get_caller_identity()["Account"] == PROD
    uri = staging["ecr"].create_repository(repositoryName=name)["repository"]["repositoryUri"]
    assert uri.startswith(f"{STAGING}.dkr.ecr.eu-west-1.amazonaws.com/")
    with pytest.raises(ClientError) as missing:
        prod["ecr"].describe_repositories(repositoryNames=[name])
    assert missing.value.response["Error"]["Code"] == "RepositoryNotFoundException"
    assert name not in [
        r["repositoryName"] for r in sandbox.client("ecr", "eu-west-1").describe_repositories()["repositories"]
    ]

    # A user made by prod's root acts in prod with its own keys.
    prod["iam"].create_user(UserName=name)
    key = prod["iam"].create_access_key(UserName=name)["AccessKey"]
    as_user = sandbox.client(
        "sts", "eu-west-1", {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    )
    assert as_user.get_caller_identity()["Arn"] == f"arn:aws:iam::{PROD}:user/{name}"


def test_a_role_assumed_across_accounts_acts_in_the_roles_account(sandbox):
    name = f"reader-{uuid.uuid4().hex[:8]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    arn = sandbox.client("iam", "eu-west-1", root_credentials(STAGING)).create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]
    creds = sandbox.client("sts", "eu-west-1", root_credentials(PROD)).assume_role(
        RoleArn=arn, RoleSessionName="promote"
    )["Credentials"]
    session = {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }
    assert sandbox.client("sts", "eu-west-1", session).get_caller_identity()["Account"] == STAGING
