"""AWS managed policies the kit attaches, available in every sandbox account when enforcement is on.

moto knows AWS's managed policies but loads them only when asked (MOTO_IAM_LOAD_MANAGED_POLICIES), all ~1,600 of
them into each account's IAM, which costs about half a second per account; without them attaching
arn:aws:iam::aws:policy/ReadOnlyAccess (the plan role's policy) fails with NoSuchEntity. The sandbox loads only
the few below, and only when enforcement is on, so a sandbox without enforcement starts as fast as before.
"""

from __future__ import annotations

import functools
import json
from typing import Any

KIT_MANAGED_POLICIES = ("ReadOnlyAccess", "AdministratorAccess", "PowerUserAccess", "IAMReadOnlyAccess")


@functools.cache
def _data() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    every = json.loads(aws_managed_policies_data)
    return {name: every[name] for name in KIT_MANAGED_POLICIES if name in every}


def load_kit_managed_policies() -> None:
    """Every IAM backend (one per account, made on first use) starts with KIT_MANAGED_POLICIES. Idempotent."""
    from moto.iam.models import AWSManagedPolicy, IAMBackend

    if getattr(IAMBackend._init_aws_policies, "sandbox_kit_policies", False):
        return

    def init_aws_policies(self: Any) -> list[Any]:
        return [AWSManagedPolicy.from_data(name, self.account_id, self.region_name, d) for name, d in _data().items()]

    init_aws_policies.sandbox_kit_policies = True  # type: ignore[attr-defined]
    IAMBackend._init_aws_policies = init_aws_policies  # type: ignore[method-assign]
    _data()
