"""Fidelity fixes: where plain moto answers differently from AWS in a way the aws provider notices.

Each fix is a small rule (which requests it applies to, and how AWS's answer differs from moto's) applied around
moto's WSGI app in the sandbox's own process; nothing in site-packages is touched. Keep each rule tied to the
provider behaviour that needs it, so a moto upgrade that fixes the difference can simply drop the rule.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Fix:
    name: str
    applies: Callable[[dict[str, Any]], bool]
    rewrite: Callable[[dict[str, Any], str, Headers, bytes], tuple[str, Headers, bytes]]


def _query(environ: dict[str, Any]) -> dict[str, list[str]]:
    return parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)


def _s3_bucket_subresource(environ: dict[str, Any], subresource: str, method: str) -> bool:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    return (
        environ.get("REQUEST_METHOD") == method
        and subresource in _query(environ)
        and "/s3/aws4_request" in auth
    )


def _set_header(headers: Headers, name: str, value: str) -> Headers:
    kept = [(k, v) for k, v in headers if k.lower() != name.lower()]
    return [*kept, (name, value)]


# PutBucketLifecycleConfiguration: AWS echoes x-amz-transition-default-minimum-object-size on the PUT (moto only
# sends it on GET) and answers with an empty XML-less body, not text/html.
def _lifecycle_put_rewrite(environ: dict[str, Any], status: str, headers: Headers,
                           body: bytes) -> tuple[str, Headers, bytes]:
    if status.startswith("200"):
        requested = environ.get("HTTP_X_AMZ_TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZE") or "all_storage_classes_128K"
        headers = _set_header(headers, "x-amz-transition-default-minimum-object-size", requested)
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
    return status, headers, body


FIXES: list[Fix] = [
    Fix(
        name="s3-put-lifecycle-transition-header",
        applies=lambda environ: _s3_bucket_subresource(environ, "lifecycle", "PUT"),
        rewrite=_lifecycle_put_rewrite,
    ),
]


# ---------------------------------------------------------------------------------------------------------------
# Model patches: where moto's logic (not its wire format) is wrong, replace that one function in this process.

LOGGING_SERVICE_PRINCIPAL = "logging.s3.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _policy_allows_log_delivery(target_bucket: Any, target_prefix: str | None) -> bool:
    """Does the target bucket's policy let the S3 logging service PutObject under the prefix?

    moto 5.2.5 assumes every statement's Principal is a dict and its Action a list; a policy that also has a
    `"Principal": "*"` statement (the usual DenyInsecureTransport guard) makes PutBucketLogging answer HTTP 500,
    which the aws provider retries for minutes. AWS accepts any valid policy form.
    """
    if not target_bucket.policy:
        return False
    policy = json.loads(target_bucket.policy.decode() if isinstance(target_bucket.policy, bytes)
                        else target_bucket.policy)
    wanted = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}/{target_prefix or ''}"
    for statement in _as_list(policy.get("Statement", [])):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", {})
        services = _as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
        if principal != "*" and LOGGING_SERVICE_PRINCIPAL not in services:
            continue
        actions = [a.lower() for a in _as_list(statement.get("Action", []))]
        if not any(fnmatch.fnmatch("s3:putobject", action) for action in actions):
            continue
        resources = _as_list(statement.get("Resource", []))
        if any(fnmatch.fnmatch(wanted + "x", resource) or resource == wanted.rstrip("/") for resource in resources):
            return True
    return False


def install_model_patches() -> None:
    """Apply the model patches to moto's classes in this process (idempotent)."""
    from moto.s3.models import FakeBucket

    FakeBucket._log_permissions_enabled_policy = staticmethod(_policy_allows_log_delivery)


class FidelityMiddleware:
    """Wraps moto's WSGI app and applies the FIXES whose rule matches the request."""

    def __init__(self, app: Callable[..., Iterable[bytes]], fixes: list[Fix] | None = None):
        self.app = app
        self.fixes = FIXES if fixes is None else fixes

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        matching = [fix for fix in self.fixes if fix.applies(environ)]
        if not matching:
            return self.app(environ, start_response)

        captured: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, list(headers)
            return lambda _chunk: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
        status, headers = captured["status"], captured["headers"]
        for fix in matching:
            status, headers, body = fix.rewrite(environ, status, headers, body)
        headers = _set_header(headers, "Content-Length", str(len(body)))
        start_response(status, headers)
        return [body]
