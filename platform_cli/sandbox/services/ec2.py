"""EC2: security-group rules as AWS answers them (model patches).

* A rule that references another group keeps its description. moto's SecurityGroupRule.description only looks at
  the CIDR range, so a rule made with UserIdGroupPairs (aws_vpc_security_group_*_rule with
  referenced_security_group_id) came back without Description from the authorize call and from
  DescribeSecurityGroupRules: every plan showed `+ description`.
* Revoking a rule by SecurityGroupRuleIds that the group does not hold answers InvalidSecurityGroupRuleId.NotFound,
  as AWS does; moto answered InvalidPermission.NotFound. The aws provider, when it takes over a VPC's default
  security group, lists the group's rules and revokes them one by one, skipping a rule that is already gone only on
  AWS's code, so moto's made `aws_default_security_group` fail now and then (a fresh clone's Fargate apply did).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..patching import install_once


def _rule_description(self: Any) -> str | None:
    return self.ip_range.get("Description") or (self.source_group or {}).get("Description")


def _refuse_unknown_rule_ids(original: Callable[..., Any], rules_of: Callable[[Any], list[Any]]) -> Callable[..., Any]:
    from moto.ec2.exceptions import InvalidSecurityGroupRuleIdNotFoundError

    @functools.wraps(original)
    def revoke(self: Any, *args: Any, **kwargs: Any) -> Any:
        rule_ids = kwargs.get("security_rule_ids")
        group_id = kwargs.get("group_name_or_id", args[0] if args else None)
        if rule_ids and group_id:
            group = self.get_security_group_by_name_or_id(group_id, kwargs.get("vpc_id"))
            held = {rule.id for rule in rules_of(group)} if group is not None else set()
            for rule_id in rule_ids:
                if group is not None and rule_id not in held:
                    raise InvalidSecurityGroupRuleIdNotFoundError(rule_id)
        return original(self, *args, **kwargs)

    return revoke


@install_once
def install() -> None:
    """Patch moto's EC2 security-group classes in this process."""
    from moto.ec2.models.security_groups import SecurityGroupBackend, SecurityGroupRule

    SecurityGroupRule.description = property(_rule_description)
    SecurityGroupBackend.revoke_security_group_egress = _refuse_unknown_rule_ids(
        SecurityGroupBackend.revoke_security_group_egress, lambda group: group.egress_rules
    )
    SecurityGroupBackend.revoke_security_group_ingress = _refuse_unknown_rule_ids(
        SecurityGroupBackend.revoke_security_group_ingress, lambda group: group.ingress_rules
    )
