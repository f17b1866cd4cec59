"""Wire fixes: where moto's HTTP answer differs from AWS's, rewrite it around moto's WSGI app.

A service module registers its rules here from its install(): a Fix says which requests it applies to and how
AWS's answer differs from moto's; a route serves a path moto does not know (e.g. ECR's layer downloads). The
server wraps moto in FidelityMiddleware and asks route_for() before anything else; nothing in site-packages is
touched. Keep each rule tied to the provider behaviour that needs it, so a moto upgrade that fixes the difference
can simply drop the rule.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

Headers = list[tuple[str, str]]
Environ = dict[str, Any]
WSGIApp = Callable[[Environ, Any], Iterable[bytes]]
REQUEST_BODY_KEY = "sandbox.request_body"  # the environ key a Fix with needs_request_body reads the body from


@dataclass(frozen=True)
class Fix:
    name: str
    applies: Callable[[Environ], bool]
    rewrite: Callable[[Environ, str, Headers, bytes], tuple[str, Headers, bytes]]
    needs_request_body: bool = False  # the rewrite reads environ[REQUEST_BODY_KEY] after moto has read the body


FIXES: list[Fix] = []
ROUTES: dict[str, WSGIApp] = {}


def add_fixes(*fixes: Fix) -> None:
    """Register rules, applied in registration order (call from a service's install(), which runs once)."""
    FIXES.extend(fixes)


def add_route(path_prefix: str, app: WSGIApp) -> None:
    """Serve every request whose path starts with path_prefix with app, instead of moto."""
    ROUTES[path_prefix] = app


def route_for(path: str) -> WSGIApp | None:
    return next((app for prefix, app in ROUTES.items() if path.startswith(prefix)), None)


# Small helpers the rules share.


def query(environ: Environ) -> dict[str, list[str]]:
    return parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)


def set_header(headers: Headers, name: str, value: str) -> Headers:
    kept = [(k, v) for k, v in headers if k.lower() != name.lower()]
    return [*kept, (name, value)]


def signed_for(environ: Environ, service: str) -> bool:
    """Was the request signed (SigV4) for this service's signing name?"""
    return f"/{service}/aws4_request" in environ.get("HTTP_AUTHORIZATION", "")


def _buffer_request_body(environ: Environ) -> None:
    """Read the request body once, keep a copy in the environ, and hand moto an identical stream."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    if length:
        body = stream.read(length)
    elif environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked" or environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ[REQUEST_BODY_KEY] = body
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def answer_of(app: WSGIApp, environ: Environ) -> tuple[str, Headers, bytes]:
    """Run a WSGI app to the end and keep its whole answer (status, headers, body), for a wrapper to rewrite or
    remember before it answers."""
    captured: dict[str, Any] = {}

    def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, list(headers)
        return lambda _chunk: None

    chunks = app(environ, capture)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close:
            close()
    return captured["status"], captured["headers"], body


class FidelityMiddleware:
    """Wraps moto's WSGI app and applies the registered fixes whose rule matches the request."""

    def __init__(self, app: WSGIApp, fixes: list[Fix] | None = None):
        self.app = app
        self.fixes = FIXES if fixes is None else fixes

    def __call__(self, environ: Environ, start_response: Any) -> Iterable[bytes]:
        matching = [fix for fix in self.fixes if fix.applies(environ)]
        if not matching:
            return self.app(environ, start_response)

        if any(fix.needs_request_body for fix in matching):
            _buffer_request_body(environ)
        status, headers, body = answer_of(self.app, environ)
        for fix in matching:
            status, headers, body = fix.rewrite(environ, status, headers, body)
        headers = set_header(headers, "Content-Length", str(len(body)))
        start_response(status, headers)
        return [body]
