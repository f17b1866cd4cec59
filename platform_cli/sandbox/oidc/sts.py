"""AssumeRoleWithWebIdentity as AWS STS answers it: moto hands out credentials for any token and any role.

Before moto's own handler runs (which then makes the assumed-role session: arn:aws:sts::ACCOUNT:assumed-role/ROLE/
SESSION), the sandbox checks the token as STS does, in STS's order and with its error codes and messages:

1. the token is a JWT with an issuer (InvalidIdentityToken);
2. the role's account has an IAM OIDC provider for that issuer (InvalidIdentityToken "No OpenIDConnect provider
   found in your account for ...");
3. the signature verifies with the issuer's published key, here the sandbox's own issuer (InvalidIdentityToken
   "Couldn't retrieve verification key ...": STS's answer when no published key verifies the token);
4. the token's audience is in the provider's client ID list (InvalidIdentityToken "Incorrect token audience");
5. it has not expired (ExpiredTokenException);
6. the role's trust policy allows sts:AssumeRoleWithWebIdentity for Federated = the provider's ARN, its conditions
   evaluated against the token's claims as `<provider host>:<claim>` keys (AccessDenied "Not authorized to perform
   sts:AssumeRoleWithWebIdentity", also for a role that does not exist).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlparse

import jwt
from moto.core.exceptions import AccessDeniedError, ServiceException

from ..iam.conditions import evaluate_condition_block
from .claims import ISSUER
from .issuer import UnverifiableToken, current_issuer

ACTION = "sts:AssumeRoleWithWebIdentity"
_ROLE_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):role/(?:.+/)?(?P<name>[^/]+)$")


class InvalidIdentityToken(ServiceException):
    code = "InvalidIdentityToken"


class ExpiredToken(ServiceException):
    code = "ExpiredTokenException"


class NotAuthorized(AccessDeniedError):
    """AccessDenied, HTTP 403, with STS's message for a trust policy that does not admit the caller."""

    def __init__(self) -> None:
        super(AccessDeniedError, self).__init__("AccessDenied", f"Not authorized to perform {ACTION}")


# STS's own wording, kept exactly (the double space after the comma included), so clients that match on it work.
NO_VERIFICATION_KEY = (
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity "
    "documentation for requirements"
)


def _provider_host(issuer: str) -> str:
    parsed = urlparse(issuer)
    return (parsed.netloc + parsed.path).rstrip("/")


def _unverified_claims(token: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise InvalidIdentityToken(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
        ) from None
    if not isinstance(claims.get("iss"), str) or not claims["iss"]:
        raise InvalidIdentityToken("Missing a required claim: iss")
    return claims


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statement_admits(statement: dict[str, Any], provider_arn: str, context: dict[str, Any]) -> bool:
    """Whether one trust-policy statement covers this web-identity request (its Effect is judged by the caller)."""
    actions = [a.lower() for a in _as_list(statement.get("Action", []))]
    if not any(a in ("*", "sts:*", ACTION.lower()) for a in actions):
        return False
    principal = statement.get("Principal")
    if principal != "*":
        federated = _as_list(principal.get("Federated", [])) if isinstance(principal, dict) else []
        if provider_arn not in federated:
            return False
    return evaluate_condition_block(statement.get("Condition") or {}, context)


def _trust_policy_allows(document: Any, provider_arn: str, context: dict[str, Any]) -> bool:
    """IAM's rule: an explicit Deny wins, otherwise some Allow must cover the request."""
    if isinstance(document, str):
        document = json.loads(unquote(document)) if document.lstrip().startswith("%") else json.loads(document)
    statements = _as_list(document.get("Statement", []))
    matching = [s for s in statements if _statement_admits(s, provider_arn, context)]
    if any(s.get("Effect") == "Deny" for s in matching):
        return False
    return any(s.get("Effect") == "Allow" for s in matching)


def condition_context(provider_host: str, claims: dict[str, Any]) -> dict[str, Any]:
    """The token's claims as IAM condition keys, e.g. token.actions.githubusercontent.com:sub."""
    return {
        f"{provider_host}:{name}": value
        for name, value in claims.items()
        if isinstance(value, (str, int, list)) and not isinstance(value, bool)
    }


def verify_web_identity(token: str, role_arn: str, now: float | None = None) -> None:
    """Raise STS's error for a token or role that AWS would refuse; return when AWS would hand out credentials."""
    from moto.iam.models import iam_backends

    claims = _unverified_claims(token or "")
    role = _ROLE_ARN.match(role_arn or "")
    if role is None:
        raise NotAuthorized()
    iam = iam_backends[role["account"]][role["partition"]]

    host = _provider_host(claims["iss"])
    provider_arn = f"arn:{role['partition']}:iam::{role['account']}:oidc-provider/{host}"
    provider = iam.open_id_providers.get(provider_arn)
    if provider is None:
        raise InvalidIdentityToken(f"No OpenIDConnect provider found in your account for {claims['iss']}")

    if claims["iss"] != ISSUER:
        raise InvalidIdentityToken(NO_VERIFICATION_KEY)  # the sandbox reaches no identity provider but its own
    try:
        claims = current_issuer().verified_claims(token)
    except UnverifiableToken:
        raise InvalidIdentityToken(NO_VERIFICATION_KEY) from None

    if not set(map(str, _as_list(claims.get("aud")))) & set(provider.client_id_list):
        raise InvalidIdentityToken("Incorrect token audience")

    if not isinstance(claims.get("exp"), (int, float)):
        raise InvalidIdentityToken("Missing a required claim: exp")
    current = int(now if now is not None else time.time())
    if current >= claims["exp"]:
        # STS's message, missing space included.
        raise ExpiredToken(
            f"Token expired: current date/time {current} must be before the expiration date/time{int(claims['exp'])}"
        )

    try:
        trust_policy = iam.get_role_by_arn(role_arn).assume_role_policy_document
    except Exception:  # moto's NotFoundException: STS does not say whether a role exists
        raise NotAuthorized() from None
    if not _trust_policy_allows(trust_policy, provider_arn, condition_context(host, claims)):
        raise NotAuthorized()


def install() -> None:
    """Check every AssumeRoleWithWebIdentity before moto's handler makes the session (idempotent)."""
    from moto.sts.responses import TokenResponse

    original: Callable[..., Any] = TokenResponse.assume_role_with_web_identity
    if getattr(original, "sandbox_oidc", False):
        return

    def assume_role_with_web_identity(self: TokenResponse) -> Any:
        verify_web_identity(self._get_param("WebIdentityToken"), self._get_param("RoleArn"))
        return original(self)

    assume_role_with_web_identity.sandbox_oidc = True  # type: ignore[attr-defined]
    TokenResponse.assume_role_with_web_identity = assume_role_with_web_identity  # type: ignore[method-assign]
