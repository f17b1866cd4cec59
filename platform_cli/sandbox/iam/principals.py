"""Who is calling: the account's root, an IAM user (access key) or a role session (STS credentials).

The access key id names the caller, as in AWS. A key that no IAM user and no STS session holds is the root of the
account moto routes the request to (the credentials `platformctl sandbox env` prints, or any other test key):
the sandbox's stand-in for an account's root credentials. Signatures are not verified (the secret is not
checked); a session's token is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

PARTITION = "aws"


@dataclass(frozen=True)
class Principal:
    kind: str  # "root" | "user" | "assumed-role"
    arn: str  # what AWS names in a refusal: ...:root, ...:user/NAME, arn:aws:sts::A:assumed-role/ROLE/SESSION
    account: str
    role_arn: str | None = None  # an assumed role's role ARN (resource policies may name the role)
    identity_policies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (name, document)
    boundary: dict[str, Any] | None = None
    session_policy: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def names(self) -> set[str]:
        """ARNs a resource policy's Principal may use for this caller."""
        return {self.arn, *([self.role_arn] if self.role_arn else [])}


class InvalidSessionToken(Exception):
    """STS credentials sent without (or with another) session token."""


def _iam(account: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account][PARTITION]


def _document(text: Any) -> dict[str, Any]:
    from urllib.parse import unquote

    if isinstance(text, dict):
        return text
    text = text if text.lstrip().startswith("{") else unquote(text)
    return json.loads(text)


def managed_policy_document(policy: Any) -> dict[str, Any]:
    version = next(v for v in policy.versions if v.is_default)
    return _document(version.document)


def _tags(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):  # moto keeps user tags as {key: {"Key":..., "Value":...}}
        return {t["Key"]: t["Value"] for t in raw.values()}
    return {t["Key"]: t["Value"] for t in raw or []}


def _boundary(account: str, boundary_arn: str | None) -> dict[str, Any] | None:
    if not boundary_arn:
        return None
    try:
        return managed_policy_document(_iam(account).get_policy(boundary_arn))
    except Exception:  # a boundary that names no policy allows nothing, as in AWS
        return {"Version": "2012-10-17", "Statement": []}


def _role_policies(account: str, role: Any) -> list[tuple[str, dict[str, Any]]]:
    inline = [(f"inline policy {name}", _document(doc)) for name, doc in role.policies.items()]
    managed = [(arn, managed_policy_document(p)) for arn, p in role.managed_policies.items()]
    return inline + managed


def _user_policies(account: str, user: Any) -> list[tuple[str, dict[str, Any]]]:
    backend = _iam(account)
    found = [(f"inline policy {name}", _document(doc)) for name, doc in user.policies.items()]
    found += [(arn, managed_policy_document(p)) for arn, p in user.managed_policies.items()]
    for group in backend.get_groups_for_user(user.name):
        found += [(f"group {group.name} inline policy {n}", _document(d)) for n, d in group.policies.items()]
        found += [(arn, managed_policy_document(p)) for arn, p in group.managed_policies.items()]
    return found


def _key_owner(access_key_id: str) -> tuple[str, Any] | None:
    from moto.iam.models import iam_backends

    for account, partitions in list(iam_backends.items()):
        key = partitions[PARTITION].access_keys.get(access_key_id)
        if key is not None:
            return account, key
    return None


def resolve(access_key_id: str, session_token: str | None, request_account: str) -> Principal:
    """The principal behind an access key id; root of `request_account` for a key no user or session holds."""
    owner = _key_owner(access_key_id)
    if owner is None:
        return Principal(kind="root", arn=f"arn:{PARTITION}:iam::{request_account}:root", account=request_account)
    account, key = owner
    if getattr(key, "role_arn", None):
        return _session(account, access_key_id, session_token, key.role_arn)
    user = _iam(account).get_user_from_access_key_id(access_key_id)
    if user is None:
        return Principal(kind="root", arn=f"arn:{PARTITION}:iam::{account}:root", account=account)
    return Principal(
        kind="user",
        arn=f"arn:{PARTITION}:iam::{account}:user{user.path}{user.name}",
        account=account,
        identity_policies=_user_policies(account, user),
        boundary=_boundary(account, getattr(user, "permissions_boundary", None)),
        tags=_tags(getattr(user, "tags", None)),
    )


def _session(account: str, access_key_id: str, session_token: str | None, role_arn: str) -> Principal:
    from moto.sts.models import sts_backends

    session = sts_backends[account][PARTITION].get_assumed_role_from_access_key(access_key_id)
    if session is None or session_token != session.session_token:
        raise InvalidSessionToken()
    role_name = role_arn.split("/")[-1]
    arn = f"arn:{PARTITION}:sts::{account}:assumed-role/{role_name}/{session.session_name}"
    try:
        role = _iam(account).get_role_by_arn(role_arn)
    except Exception:  # the role was deleted after the session started: the session can do nothing
        return Principal(kind="assumed-role", arn=arn, account=account, role_arn=role_arn)
    return Principal(
        kind="assumed-role",
        arn=arn,
        account=account,
        role_arn=role.arn,
        identity_policies=_role_policies(account, role),
        boundary=_boundary(account, role.permissions_boundary_arn),
        session_policy=_document(session.policy) if getattr(session, "policy", None) else None,
        tags=_tags(role.tags),
    )
