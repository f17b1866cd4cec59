"""ELBv2: target health reflects the ECS tasks that run (model patch).

The sandbox's ECS services start their tasks lazily, on the first read (see ecs.py); DescribeTargetHealth is such
a read, so the aws provider and `platformctl verify` see the registered task IPs healthy without reading ECS first.
"""

from __future__ import annotations

from typing import Any

from ..patching import install_once
from .ecs import settled


@install_once
def install() -> None:
    """Patch moto's ELBv2 backend in this process: DescribeTargetHealth settles ECS services first."""
    from moto.elbv2.models import ELBv2Backend

    original = ELBv2Backend.describe_target_health

    def describe_target_health(self: Any, *args: Any, **kwargs: Any) -> Any:
        with settled(self.account_id, self.region_name):
            return original(self, *args, **kwargs)

    ELBv2Backend.describe_target_health = describe_target_health
