"""The sandbox as GitHub Actions' OIDC issuer, and its STS checking such tokens as AWS does.

- claims.py: the claims of a job's token, built from a described workflow run (pure);
- issuer.py: the process's key pair, minting, JWKS and discovery;
- endpoints.py: /_sandbox/oidc/* over HTTP (the private key never leaves the sandbox process);
- sts.py: AssumeRoleWithWebIdentity verifies the token, the account's OIDC provider and the role's trust policy;
- conditions.py: the trust policy's Condition blocks;
- client.py: asks a running sandbox for a token (what `platformctl sandbox oidc-token` calls).
"""

from __future__ import annotations

PATH_PREFIX = "/_sandbox/oidc/"  # every issuer endpoint lives under it (server.py routes it to endpoints.handle)
DISCOVERY_PATH = PATH_PREFIX + ".well-known/openid-configuration"
JWKS_PATH = PATH_PREFIX + "jwks"
TOKEN_PATH = PATH_PREFIX + "token"


def install() -> None:
    """Make this process the issuer (its key is generated now) and patch STS's AssumeRoleWithWebIdentity."""
    from . import issuer, sts

    issuer.current_issuer()
    sts.install()


__all__ = ["DISCOVERY_PATH", "JWKS_PATH", "PATH_PREFIX", "TOKEN_PATH", "install"]
