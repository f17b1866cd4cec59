"""The sandbox's accounts: any 12-digit account id is an account of its own, reached with its root's keys.

moto keeps a separate world per account (its BackendDict) and picks the account of a request from its access key:
a user's or a role session's key belongs to the account that made it; any other key lands in the default account.
So the root of another account needs keys moto can place: `root_credentials(ACCOUNT)` names that account in the
key id itself (AKIAROOT + the 12 digits, the 20 characters of an AWS key id), and install() teaches moto's lookup
to read it. `platformctl sandbox env --account ACCOUNT` prints them; with them, Terraform and boto3 build and read
that account's registry, buckets, keys and roles, and whatever another account's principals may reach there is up
to the resource policies, as in AWS (iam/resource_policies.py).
"""

from __future__ import annotations

import re

from .patching import install_once

ROOT_KEY_PREFIX = "AKIAROOT"
_ROOT_KEY_RE = re.compile(rf"^{ROOT_KEY_PREFIX}(\d{{12}})$")
_ACCOUNT_RE = re.compile(r"^\d{12}$")
ROOT_SECRET = "sandbox-root-secret"  # signatures are not checked in the sandbox (iam/principals.py)


def root_credentials(account: str) -> dict[str, str]:
    """Keys of `account`'s root in the sandbox; ValueError for anything but 12 digits."""
    if not _ACCOUNT_RE.match(account or ""):
        raise ValueError(f"account {account!r} is not a 12-digit AWS account id")
    return {"AWS_ACCESS_KEY_ID": f"{ROOT_KEY_PREFIX}{account}", "AWS_SECRET_ACCESS_KEY": ROOT_SECRET}


def account_of_root_key(access_key_id: str) -> str | None:
    """The account whose root key this is, or None for any other key."""
    match = _ROOT_KEY_RE.match(access_key_id or "")
    return match.group(1) if match else None


@install_once
def install() -> None:
    """moto places a request by its key (moto.core.responses.BaseResponse.get_current_account, which looks the
    function up in moto.iam.models on every call): a root key names its account."""
    from moto.iam import models

    looked_up = models.get_account_id_from

    def get_account_id_from(access_key: str) -> str:
        return account_of_root_key(access_key) or looked_up(access_key)

    models.get_account_id_from = get_account_id_from
    _root_is_root()


def _root_is_root() -> None:
    """GetCallerIdentity with keys no user or session holds: AWS answers for an account's root with the root's ARN
    and the account id as UserId; moto invents `user/moto`. The sandbox treats such keys as the root everywhere
    else (iam/principals.py), so it says so here too."""
    from moto.sts.models import STSBackend
    from moto.utilities.utils import get_partition

    original = STSBackend.get_caller_identity

    def get_caller_identity(self: STSBackend, access_key_id: str, region: str) -> tuple[str, str, str]:
        user_id, arn, account = original(self, access_key_id, region)
        if arn.endswith(":user/moto"):
            return account, f"arn:{get_partition(region)}:iam::{account}:root", account
        return user_id, arn, account

    STSBackend.get_caller_identity = get_caller_identity  # type: ignore[method-assign]
