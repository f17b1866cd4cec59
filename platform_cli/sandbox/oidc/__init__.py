"""The sandbox as GitHub Actions' OIDC issuer, and its STS checking such tokens as AWS does.

- claims.py: the claims of a job's token, built from a described workflow run (pure);
- issuer.py: the process's key pair, minting, JWKS and discovery;
- endpoints.py: /_sandbox/oidc/* over HTTP (the private key never leaves the sandbox process);
- sts.py: AssumeRoleWithWebIdentity verifies the token, the account's OIDC provider and the role's trust policy;
- (the trust policy's Condition blocks are judged by iam.conditions, the sandbox's one condition evaluator);
- client.py: asks a running sandbox for a token (what `platformctl sandbox oidc-token` calls).
"""

from __future__ import annotations

from ..patching import install_once
from ..wire import add_route

PATH_PREFIX = "/_sandbox/oidc/"  # every issuer endpoint lives under it (routed to endpoints.handle)
DISCOVERY_PATH = PATH_PREFIX + ".well-known/openid-configuration"
JWKS_PATH = PATH_PREFIX + "jwks"
TOKEN_PATH = PATH_PREFIX + "token"


@install_once
def install() -> None:
    """Make this process the issuer (its key is generated now), serve its endpoints and patch STS's
    AssumeRoleWithWebIdentity."""
    from . import endpoints, issuer, sts

    issuer.current_issuer()
    add_route(PATH_PREFIX, endpoints.handle)
    sts.install()


__all__ = ["DISCOVERY_PATH", "JWKS_PATH", "PATH_PREFIX", "TOKEN_PATH", "install"]
