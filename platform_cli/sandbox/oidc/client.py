"""Ask a running sandbox's issuer for a token: the key stays in the sandbox process, only the JWT comes back."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from . import TOKEN_PATH
from .claims import WorkflowRun

TOKEN_REQUEST_TIMEOUT_SECONDS = 10


class TokenRequestError(Exception):
    """The sandbox refused or could not answer the token request; the message is one line."""


def request_token(endpoint: str, run: WorkflowRun, issued_at: int | None = None) -> dict[str, Any]:
    """{"token": JWT, "claims": {...}} for `run`, minted by the sandbox at `endpoint`."""
    body = run.to_request()
    if issued_at is not None:
        body["issued_at"] = issued_at
    request = urllib.request.Request(
        endpoint.rstrip("/") + TOKEN_PATH,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TOKEN_REQUEST_TIMEOUT_SECONDS) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        try:
            message = json.loads(error.read()).get("error") or f"HTTP {error.code}"
        except ValueError:
            message = f"HTTP {error.code} (is this sandbox older than the OIDC issuer? restart it)"
        raise TokenRequestError(message) from None
    except (urllib.error.URLError, OSError) as error:
        raise TokenRequestError(f"cannot reach the sandbox at {endpoint}: {error}") from None
