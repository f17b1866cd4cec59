"""Which AWS the tools talk to: the real one (ambient credentials) or the local sandbox.

An AwsTarget carries the extra environment (endpoint, test credentials, region) handed to Terraform and the
-backend-config overrides that keep sandbox state in the sandbox's own bucket. boto3 clients are built from the
same values, so Terraform and verification always read the same place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BackendUnreachable, NoCredentials, PlatformError


@dataclass
class AwsTarget:
    env: dict[str, str] = field(default_factory=dict)
    backend_overrides: dict[str, str] = field(default_factory=dict)
    sandbox: bool = False
    endpoint: str | None = None

    @property
    def kind(self) -> str:
        return "sandbox" if self.sandbox else "aws"

    @classmethod
    def real(cls) -> "AwsTarget":
        return cls(endpoint=os.environ.get("AWS_ENDPOINT_URL"))

    @classmethod
    def from_sandbox(cls, state_dir: Path | None = None) -> "AwsTarget":
        """The local sandbox, started if needed: its endpoint/test credentials, state in its own bucket."""
        from platform_cli.sandbox import manager

        try:
            port = os.environ.get("PLATFORMCTL_SANDBOX_PORT")  # same setting as `platformctl sandbox start --port`
            info = manager.ensure_running(int(port) if port else None, state_dir=state_dir)
        except ValueError:
            raise PlatformError(f"PLATFORMCTL_SANDBOX_PORT={port!r} is not a port number") from None
        except manager.SandboxError as exc:
            raise PlatformError(f"sandbox: {exc}", hint="see `platformctl sandbox status`") from None
        env = {k: str(v) for k, v in manager.env_vars(info.endpoint).items()}
        overrides = {k: _hcl_value(v) for k, v in manager.backend_config().items()}
        return cls(env=env, backend_overrides=overrides, sandbox=True, endpoint=info.endpoint)

    def _value(self, name: str) -> str | None:
        return self.env.get(name) or os.environ.get(name)

    def session(self, region: str):
        import boto3

        if self.env:
            return boto3.Session(aws_access_key_id=self._value("AWS_ACCESS_KEY_ID"),
                                 aws_secret_access_key=self._value("AWS_SECRET_ACCESS_KEY"),
                                 aws_session_token=self.env.get("AWS_SESSION_TOKEN"),
                                 region_name=region)
        return boto3.Session(region_name=region)

    def client(self, service: str, region: str) -> Any:
        from botocore.config import Config

        config = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 2})
        return self.session(region).client(service, endpoint_url=self._value("AWS_ENDPOINT_URL") or None,
                                           config=config)

    def identity(self, region: str) -> dict[str, str]:
        """STS caller identity, or NoCredentials/BackendUnreachable with what to do."""
        from botocore.exceptions import (ClientError, EndpointConnectionError, NoCredentialsError,
                                         PartialCredentialsError)

        try:
            ident = self.client("sts", region).get_caller_identity()
        except (NoCredentialsError, PartialCredentialsError):
            raise NoCredentials("no AWS credentials found",
                                hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --sandbox") \
                from None
        except EndpointConnectionError as exc:
            raise BackendUnreachable(f"AWS endpoint unreachable: {exc}", hint="check network / AWS_ENDPOINT_URL") \
                from None
        except ClientError as exc:
            raise NoCredentials(f"AWS rejected the credentials: {exc.response['Error'].get('Code')}",
                                hint="refresh or replace the credentials") from None
        return {"account": ident["Account"], "arn": ident["Arn"]}


def _hcl_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
