"""The sandbox's stand-in for GitHub's OIDC issuer: one RSA key pair per sandbox process.

The private key is generated when the process starts and never leaves it: tokens are minted here on request
(POST /_sandbox/oidc/token), and the public half is published as a JWKS, as GitHub publishes its keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from .claims import ISSUER

ALGORITHM = "RS256"  # the only algorithm GitHub's issuer signs with
RSA_KEY_BITS = 2048


class UnverifiableToken(Exception):
    """The token is not a JWT this issuer signed (malformed, unknown key id, or a signature that does not verify)."""


def _thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: a key id derived from the key itself."""
    canonical = json.dumps({k: public_jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


class Issuer:
    """Signs tokens with its private key; anyone may have the public JWKS."""

    def __init__(self) -> None:
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
        self._public_key = self._private_key.public_key()
        public_jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._public_key, as_dict=True)
        self.key_id = _thumbprint(public_jwk)
        self._public_jwk = {**public_jwk, "kid": self.key_id, "use": "sig", "alg": ALGORITHM}

    def mint(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._private_key, algorithm=ALGORITHM, headers={"kid": self.key_id, "typ": "JWT"})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(self._public_jwk)]}

    def discovery(self, jwks_uri: str, claims_supported: list[str]) -> dict[str, Any]:
        """The OpenID discovery document, shaped like GitHub's; the keys are served by the sandbox itself."""
        return {
            "issuer": ISSUER,
            "jwks_uri": jwks_uri,
            "subject_types_supported": ["public", "pairwise"],
            "response_types_supported": ["id_token"],
            "claims_supported": claims_supported,
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "scopes_supported": ["openid"],
        }

    def verified_claims(self, token: str) -> dict[str, Any]:
        """The token's claims once its signature verifies with this issuer's key. Expiry, audience and issuer are
        the relying party's checks (STS makes them with its own error codes), so they are not judged here."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise UnverifiableToken(f"not a JWT: {error}") from None
        if header.get("kid") != self.key_id or header.get("alg") != ALGORITHM:
            raise UnverifiableToken("signed with a key this issuer does not publish")
        try:
            return jwt.decode(
                token,
                self._public_key,
                algorithms=[ALGORITHM],
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                },
            )
        except jwt.InvalidTokenError as error:
            raise UnverifiableToken(f"signature does not verify: {error}") from None


_lock = threading.Lock()
_issuer: Issuer | None = None


def current_issuer() -> Issuer:
    """This process's issuer, created (with a fresh key) on first use."""
    global _issuer
    with _lock:
        if _issuer is None:
            _issuer = Issuer()
        return _issuer
