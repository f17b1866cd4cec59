"""Sandboxes with IAM enforcement (hard and soft), and principals to call them as.

Each fixture starts its own sandbox once per module; the session's shared `sandbox` runs without enforcement
(unless PLATFORMCTL_SANDBOX_ENFORCE_IAM says otherwise) so the rest of the suite is unaffected.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from platform_cli.sandbox import manager

REGION = "us-east-1"
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def allow(actions: str | list[str], resources: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources, **extra}],
    }


@dataclass
class EnforcingSandbox:
    info: manager.SandboxInfo

    @property
    def endpoint(self) -> str:
        return self.info.endpoint

    def root(self, service: str, account: str = ACCOUNT, region: str = REGION) -> Any:
        """A client with the account's root credentials (the keys `sandbox env` prints; another account by header)."""
        client = self._client(service, "testing", "testing", None, region)
        if account != ACCOUNT:
            client.meta.events.register(
                "before-sign.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
            )
        return client

    def _client(self, service: str, key: str, secret: str, token: str | None, region: str = REGION) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
        )

    def user(self, policy: dict[str, Any] | None = None, account: str = ACCOUNT, **kwargs: Any) -> Caller:
        """A new IAM user with an access key and `policy` inline."""
        iam = self.root("iam", account)
        name = unique("user")
        iam.create_user(UserName=name, **kwargs)
        if policy:
            iam.put_user_policy(UserName=name, PolicyName="test", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        arn = f"arn:aws:iam::{account}:user/{name}"
        return Caller(self, arn, key["AccessKeyId"], key["SecretAccessKey"], None)

    def role_session(
        self, policy: dict[str, Any] | None = None, *, boundary: str | None = None, managed: list[str] = ()
    ) -> Caller:
        """A role (trusting the account) with `policy` inline, assumed by a user allowed to assume it."""
        iam = self.root("iam")
        name = unique("role")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
            ],
        }
        extra = {"PermissionsBoundary": boundary} if boundary else {}
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), **extra)["Role"]
        if policy:
            iam.put_role_policy(RoleName=name, PolicyName="test", PolicyDocument=json.dumps(policy))
        for arn in managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        assumer = self.user(allow("sts:AssumeRole", role["Arn"]))
        credentials = assumer.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="test")["Credentials"]
        arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/test"
        return Caller(
            self, arn, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"], name
        )


@dataclass
class Caller:
    sandbox: EnforcingSandbox
    arn: str
    key: str
    secret: str
    token: str | None
    role_name: str | None = None

    def client(self, service: str, region: str = REGION) -> Any:
        return self.sandbox._client(service, self.key, self.secret, self.token, region)


def _start(tmp_path_factory: pytest.TempPathFactory, mode: str) -> Iterator[EnforcingSandbox]:
    state_dir = tmp_path_factory.mktemp(f"sandbox-iam-{mode}")
    info = manager.start(manager.free_port(), state_dir=state_dir, enforce_iam=mode)
    try:
        yield EnforcingSandbox(info)
    finally:
        manager.stop(state_dir)


@pytest.fixture(scope="module")
def iam_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EnforcingSandbox]:
    yield from _start(tmp_path_factory, "hard")


@pytest.fixture(scope="module")
def soft_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EnforcingSandbox]:
    yield from _start(tmp_path_factory, "soft")
