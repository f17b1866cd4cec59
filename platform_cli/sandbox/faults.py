"""Faults as AWS has them, on purpose: a share of calls answered with throttling or a 5xx.

`platformctl sandbox start --faults RATE` (or PLATFORMCTL_SANDBOX_FAULTS) wraps the sandbox: each AWS call fails
with probability RATE, either before it is served (S3's 503 SlowDown, another service's 503 ServiceUnavailable)
or, for S3 object writes, after it was stored (a 500 InternalError in place of the answer: the response lost on
the way back, which a client retries into an object that is already there). Every fault is one line in the
sandbox's server.log (`fault: ...`), so a test can tell that faults happened.

After-the-write faults are kept to S3 object writes: AWS's own SDKs retry other writes into "already exists"
errors no client could resolve, and real AWS loses those responses too rarely to plan for; an object write is
where the kit's records must be idempotent (conditional puts recognised on retry).
"""

from __future__ import annotations

import os
import random
import sys
import threading
from collections.abc import Iterable
from typing import Any

FAULTS_ENVVAR = "PLATFORMCTL_SANDBOX_FAULTS"
SEED_ENVVAR = "PLATFORMCTL_SANDBOX_FAULTS_SEED"  # a fixed sequence of faults, for a test that must repeat


def parse_rate(value: str | float | None) -> float:
    """A share of calls from 0 to 0.5 (more would make most calls fail their retries too)."""
    if value in (None, ""):
        return 0.0
    try:
        rate = float(value)
    except ValueError:
        raise ValueError(f"faults {value!r} is not a number: give a share of calls such as 0.05") from None
    if not 0 <= rate <= 0.5:
        raise ValueError(f"faults {rate} is out of range: give a share of calls from 0 to 0.5, such as 0.05")
    return rate


def _s3(environ: dict[str, Any]) -> bool:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    return "/s3/aws4_request" in auth


def _object_write(environ: dict[str, Any], method: str) -> bool:
    """A PUT or DELETE of an S3 object (path-style /bucket/key: the sandbox is addressed by IP), not of a bucket,
    and not Terraform's own lock file: Terraform's S3 locking does not recognise a lock it wrote when the answer
    was lost (the retried conditional put gets 412 and it reports the state locked by itself), so a fault there
    tests Terraform, not the kit; it still gets the before-faults."""
    bucket, _, key = environ.get("PATH_INFO", "").lstrip("/").partition("/")
    return _s3(environ) and method in ("PUT", "DELETE") and bool(bucket and key) and not key.endswith(".tflock")


def _body(environ: dict[str, Any], status: int) -> tuple[str, bytes, str]:
    """(status line, body, content type) of the error this service would send."""
    if _s3(environ):
        code, message = ("SlowDown", "Please reduce your request rate.") if status == 503 else ("InternalError", "")
        xml = f"<Error><Code>{code}</Code><Message>{message or 'We encountered an internal error.'}</Message></Error>"
        return f"{status} {'Slow Down' if status == 503 else 'Internal Server Error'}", xml.encode(), "application/xml"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target or "json" in environ.get("CONTENT_TYPE", ""):
        body = b'{"__type":"ServiceUnavailableException","message":"Service unavailable, try again"}'
        return f"{status} Service Unavailable", body, "application/x-amz-json-1.1"
    xml = (
        "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>"
        "<Message>Service unavailable, try again</Message></Error></ErrorResponse>"
    )
    return f"{status} Service Unavailable", xml.encode(), "text/xml"


class FaultInjection:
    """WSGI middleware: `rate` of AWS calls fail, before or (S3 object writes) after they are served."""

    def __init__(self, app: Any, rate: float, seed: str | None = None) -> None:
        self.app, self.rate = app, rate
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def _draw(self) -> float:
        with self._lock:
            return self._random.random()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if not environ.get("HTTP_AUTHORIZATION") or self._draw() >= self.rate:
            return self.app(environ, start_response)  # unsigned calls (health, OIDC token) never fail
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        after = _object_write(environ, method) and self._draw() < 0.5
        if after:  # served and stored; the answer is lost
            served = self.app(environ, lambda *args, **kwargs: lambda data: None)
            for _ in served:
                pass
            if hasattr(served, "close"):
                served.close()
        status = 500 if after else 503
        line, body, content_type = _body(environ, status)
        print(f"fault: {status} {'after' if after else 'before'} {method} {path}", file=sys.stderr, flush=True)
        start_response(line, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]


def wrap(app: Any, rate: float) -> Any:
    return FaultInjection(app, rate, os.environ.get(SEED_ENVVAR)) if rate > 0 else app
