"""Who runs this GitHub Actions job, as GitHub proves it: the job's OIDC token, verified.

`GITHUB_ACTOR` is only an environment variable, and anyone can set one in a terminal; an identity the approval
gate compares must come from GitHub. A job with `permissions: id-token: write` gets ACTIONS_ID_TOKEN_REQUEST_URL and
ACTIONS_ID_TOKEN_REQUEST_TOKEN; the token it fetches with them is an RS256 JWT signed by GitHub's issuer, whose
public keys are published (the JWKS). Its `actor` claim is the person who triggered the run.

    PLATFORMCTL_GITHUB_OIDC_JWKS_URL   where the issuer's keys are (default: GitHub's; tests point it at a fake)
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from platform_cli.core.errors import Refused

ISSUER = "https://token.actions.githubusercontent.com"
JWKS_URL_ENVVAR = "PLATFORMCTL_GITHUB_OIDC_JWKS_URL"
AUDIENCE = "platformctl"
TIMEOUT_SECONDS = 10


def _fetch_json(url: str, headers: Mapping[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers=dict(headers or {}))
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - https or a test fake
        return json.loads(response.read())


def proven_login(environ: Mapping[str, str] | None = None) -> str | None:
    """The login in the job's verified OIDC token; None when the job has no token to ask for (no id-token: write,
    or not in GitHub Actions). A token that does not verify is refused: it is not GitHub's word."""
    import jwt

    environ = os.environ if environ is None else environ
    url, bearer = environ.get("ACTIONS_ID_TOKEN_REQUEST_URL"), environ.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    if not url or not bearer:
        return None
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    try:
        token = _fetch_json(f"{url}{separator}audience={AUDIENCE}", {"Authorization": f"Bearer {bearer}"})["value"]
        keys = _fetch_json(environ.get(JWKS_URL_ENVVAR) or f"{ISSUER}/.well-known/jwks")
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as exc:
        raise Refused(
            f"cannot get this job's OIDC token from GitHub: {exc}",
            hint="give the job `permissions: id-token: write`, or run outside GitHub Actions",
        ) from None
    try:
        key_id = jwt.get_unverified_header(token).get("kid")
        key = next(jwt.PyJWK(k) for k in keys.get("keys", []) if k.get("kid") == key_id)
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)
    except (StopIteration, jwt.PyJWTError) as exc:
        raise Refused(
            f"this job's OIDC token does not verify against GitHub's keys: {exc or 'unknown key id'}",
            hint="identities in the audit log come only from GitHub; check PLATFORMCTL_GITHUB_OIDC_JWKS_URL",
        ) from None
    run_id = environ.get("GITHUB_RUN_ID")
    if run_id and str(claims.get("run_id")) != run_id:
        raise Refused(
            f"this job's OIDC token names run {claims.get('run_id')}, not this run ({run_id})",
            hint="identities in the audit log come only from this run's own token",
        )
    actor = claims.get("actor")
    return str(actor) if actor else None
