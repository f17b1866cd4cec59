"""Which AWS the tools talk to: the real one (ambient credentials) or the local sandbox.

An AwsTarget carries the extra environment (endpoint, credentials, region) handed to Terraform and any
-backend-config overrides (the sandbox keeps state in its own bucket). The core does not know which server
answers: the command layer builds the target (commands/_context.py), for the sandbox from its record. boto3
clients are built from the same values, so Terraform and verification always read the same place.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

from .errors import BackendUnreachable, NoCredentials


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError ("NoSuchKey", "AccessDenied", ...); "" for anything else."""
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def error_text(exc: BaseException) -> str:
    """AWS's code and message of a botocore ClientError ("AccessDeniedException: User: ... is not authorized to
    perform: ecr:BatchGetImage on resource: arn:..."): a refusal names what was refused; str(exc) otherwise."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return str(exc)
    error = response.get("Error", {})
    code, message = str(error.get("Code", "")), str(error.get("Message", ""))
    return f"{code}: {message}" if code and message else code or message or str(exc)


@dataclass
class AwsTarget:
    env: dict[str, str] = field(default_factory=dict)  # a variable set to "" here is unset for Terraform
    backend_overrides: dict[str, str] = field(default_factory=dict)
    sandbox: bool = False
    endpoint: str | None = None
    # Building a boto3 session or client parses the service's API model (~0.1 s of CPU each): one of each per
    # target, shared by every caller (clients are thread-safe once built).
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)
    _sessions: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def kind(self) -> str:
        return "sandbox" if self.sandbox else "aws"

    @classmethod
    def real(cls) -> AwsTarget:
        return cls(endpoint=os.environ.get("AWS_ENDPOINT_URL"))

    def _value(self, name: str) -> str | None:
        return self.env.get(name) or os.environ.get(name)

    def session(self, region: str) -> Any:
        with self._lock:
            if region not in self._sessions:
                self._sessions[region] = self._new_session(region)
            return self._sessions[region]

    def _new_session(self, region: str) -> Any:
        import boto3

        if self.env:
            return boto3.Session(
                aws_access_key_id=self._value("AWS_ACCESS_KEY_ID"),
                aws_secret_access_key=self._value("AWS_SECRET_ACCESS_KEY"),
                aws_session_token=self.env.get("AWS_SESSION_TOKEN") or None,
                region_name=region,
            )
        return boto3.Session(region_name=region)

    def client(self, service: str, region: str) -> Any:
        from botocore.config import Config

        session = self.session(region)
        with self._lock:
            if (service, region) not in self._clients:
                # AWS's standard retry mode: throttling and 5xx retried with jittered backoff, 5 attempts in all.
                config = Config(connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 5})
                self._clients[(service, region)] = session.client(
                    service, endpoint_url=self._value("AWS_ENDPOINT_URL") or None, config=config
                )
            return self._clients[(service, region)]

    def identity(self, region: str) -> dict[str, str]:
        """STS caller identity, or NoCredentials/BackendUnreachable with what to do."""
        from botocore.exceptions import (
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        try:
            ident = self.client("sts", region).get_caller_identity()
        except (NoCredentialsError, PartialCredentialsError):
            raise NoCredentials(
                "no AWS credentials found",
                hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --sandbox",
            ) from None
        except EndpointConnectionError as exc:
            raise BackendUnreachable(
                f"AWS endpoint unreachable: {exc}", hint="check network / AWS_ENDPOINT_URL"
            ) from None
        except ClientError as exc:
            raise NoCredentials(
                f"AWS rejected the credentials: {exc.response['Error'].get('Code')}",
                hint="refresh or replace the credentials",
            ) from None
        return {"account": ident["Account"], "arn": ident["Arn"]}
