"""The issuer's HTTP face under /_sandbox/oidc/: discovery, JWKS, and minting a token for a described run.

    GET  /_sandbox/oidc/.well-known/openid-configuration   discovery document (issuer, jwks_uri, claims)
    GET  /_sandbox/oidc/jwks                               the public key set
    POST /_sandbox/oidc/token                              {"repository": "OWNER/NAME", ...} -> {"token": JWT}

A token request is a WorkflowRun as JSON (claims.WorkflowRun.to_request), plus optionally "issued_at" (seconds
since the epoch) to mint a token as it was issued at that time, e.g. one that has since expired. A bad request
gets HTTP 400 and {"error": "<one line>"}.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from . import DISCOVERY_PATH, JWKS_PATH, TOKEN_PATH
from .claims import InvalidRun, WorkflowRun, build_claims
from .issuer import current_issuer

MAX_REQUEST_BYTES = 64 * 1024


def _respond(start_response: Any, status: str, payload: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _claims_supported() -> list[str]:
    sample = build_claims(WorkflowRun(repository="owner/name", environment="env"), issued_at=0)
    return sorted(sample)


def _mint(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_REQUEST_BYTES:
        raise InvalidRun("the token request is too large")
    try:
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        raise InvalidRun("the token request is not JSON") from None
    issued_at = body.pop("issued_at", None) if isinstance(body, dict) else None
    if issued_at is not None and not isinstance(issued_at, int):
        raise InvalidRun(f"issued_at {issued_at!r} must be whole seconds since the epoch")
    run = WorkflowRun.from_request(body)
    claims = build_claims(run, issued_at=int(time.time()) if issued_at is None else issued_at)
    return {"token": current_issuer().mint(claims), "claims": claims}


def handle(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """WSGI handler for every path under /_sandbox/oidc/."""
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
    if path == DISCOVERY_PATH and method == "GET":
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        document = current_issuer().discovery(f"http://{host}{JWKS_PATH}", _claims_supported())
        return _respond(start_response, "200 OK", document)
    if path == JWKS_PATH and method == "GET":
        return _respond(start_response, "200 OK", current_issuer().jwks())
    if path == TOKEN_PATH and method == "POST":
        try:
            return _respond(start_response, "200 OK", _mint(environ))
        except InvalidRun as error:
            return _respond(start_response, "400 Bad Request", {"error": str(error)})
    return _respond(start_response, "404 Not Found", {"error": f"no such sandbox OIDC endpoint: {method} {path}"})
