"""Where a job's AWS credentials come from: an OIDC token for the job's subject, exchanged at the sandbox's STS.

A token source is one small function `Subject -> token`. `sandbox_issuer` asks the sandbox's issuer
(`platformctl sandbox oidc-token`, whose last output line is the signed token); `unsigned` makes an unsigned JWT
with the same claims, which moto's STS accepts today (it checks no token). `first_available` tries sources in
order. The exchange itself (AssumeRoleWithWebIdentity) lives in actions.py; whether a refused exchange may fall
back to the sandbox's root credentials is the run's explicit `root_fallback` setting, recorded on the step.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_AUDIENCE = "sts.amazonaws.com"
TOKEN_COMMAND_TIMEOUT_SECONDS = 60


class TokenUnavailable(Exception):
    """This token source cannot mint a token here (e.g. the sandbox has no issuer yet)."""


@dataclass(frozen=True)
class Subject:
    """What GitHub's token says about a job: `sub` is environment, else pull_request, else ref (GitHub's rule)."""

    repository: str
    event_name: str
    ref: str
    pull_request: int | None = None
    environment: str | None = None
    audience: str = DEFAULT_AUDIENCE

    @property
    def sub(self) -> str:
        if self.environment:
            return f"repo:{self.repository}:environment:{self.environment}"
        if self.event_name in ("pull_request", "pull_request_target"):
            return f"repo:{self.repository}:pull_request"
        return f"repo:{self.repository}:ref:{self.ref}"


TokenSource = Callable[[Subject], str]


def unsigned(subject: Subject) -> str:
    """An unsigned JWT (alg none) with GitHub's main claims: enough for an STS that does not verify tokens."""
    now = int(time.time())
    claims = {
        "iss": "https://token.actions.githubusercontent.com",
        "aud": subject.audience,
        "sub": subject.sub,
        "repository": subject.repository,
        "ref": subject.ref,
        "event_name": subject.event_name,
        "environment": subject.environment or "",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def sandbox_issuer(platformctl: Path, env: dict[str, str]) -> TokenSource:
    """Tokens signed by the sandbox's OIDC issuer, through `platformctl sandbox oidc-token` (env: where the
    sandbox runs, e.g. PLATFORMCTL_SANDBOX_DIR)."""

    def source(subject: Subject) -> str:
        if subject.environment:
            which = ["--environment", subject.environment]
        elif subject.event_name in ("pull_request", "pull_request_target") and subject.pull_request:
            which = ["--pull-request", str(subject.pull_request)]
        else:
            which = ["--ref", subject.ref]
        command = [str(platformctl), "--no-color", "sandbox", "oidc-token", "--repo", subject.repository, *which]
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=TOKEN_COMMAND_TIMEOUT_SECONDS, check=False
        )
        if done.returncode != 0:
            if "No such command" in done.stderr:
                raise TokenUnavailable("platformctl has no `sandbox oidc-token` command (no sandbox issuer yet)")
            raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()[-2000:]}")
        lines = done.stdout.strip().splitlines()
        if not lines:
            raise RuntimeError(f"{' '.join(command)} printed no token")
        return lines[-1].strip()

    return source


def first_available(*sources: TokenSource) -> TokenSource:
    """The first source that can mint a token here (TokenUnavailable moves on to the next)."""

    def source(subject: Subject) -> str:
        reasons = []
        for candidate in sources:
            try:
                return candidate(subject)
            except TokenUnavailable as why:
                reasons.append(str(why))
        raise TokenUnavailable("; ".join(reasons) or "no token source")

    return source
