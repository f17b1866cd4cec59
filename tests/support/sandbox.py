"""A running sandbox as the tests use it: its endpoint, the env vars that target it, boto3 clients for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from platform_cli.sandbox import manager


@dataclass
class Sandbox:
    """A running sandbox: its endpoint, the env vars that target it, and its Terraform backend settings."""

    info: manager.SandboxInfo
    endpoint: str
    env: dict[str, str]
    state_bucket: str = manager.SANDBOX_STATE_BUCKET
    backend_config: dict[str, str] = field(default_factory=manager.backend_config)

    def client(self, service: str, region: str = manager.DEFAULT_REGION, credentials: dict[str, str] | None = None):
        """A boto3 client as the default account's root, or as whoever `credentials` (env-var names) belong to."""
        import boto3

        keys = credentials or self.env
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=keys.get("AWS_SESSION_TOKEN"),
        )


@contextmanager
def started_sandbox(
    tmp_path_factory: pytest.TempPathFactory, name: str, enforce_iam: str | None = None
) -> Iterator[Sandbox]:
    """A sandbox on a free port with its state in a fresh temporary folder, stopped afterwards."""
    state_dir = tmp_path_factory.mktemp(name)
    info = manager.start(manager.free_port(), state_dir=state_dir, enforce_iam=enforce_iam)
    try:
        yield Sandbox(info=info, endpoint=info.endpoint, env=info.env)
    finally:
        manager.stop(state_dir)
