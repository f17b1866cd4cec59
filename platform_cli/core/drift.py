"""What a refresh-only plan really says drifted, with the read-back noise of known attributes taken out.

Noise is fixed at its source where it can be: the stack never passes empty `tags` (the provider stores {} as null
and reads it back as {}, hashicorp/terraform-provider-aws#28833). What remains is the provider's own read-back,
the same against real AWS, so it is filtered here by exact resource type and attribute, and only in the shape
that carries no real change:

- null vs empty (EMPTY_MEANS_UNSET): the provider stores an empty list or map from the configuration as null and
  reads it back as [] / {}: alarm insufficient_data_actions and dimensions; App Runner
  runtime_environment_variables/secrets (inside source_configuration); a metric query's period (null read back as
  0) and an SSE rule's bucket_key_enabled (null read back as false). Any other difference is still drift.
- mirrors of separately managed resources (MIRRORS): a bucket's policy/lifecycle/encryption/versioning/logging
  when the state manages that aws_s3_bucket_* resource for the bucket; a security group's ingress/egress when the
  state manages exactly as many rule resources for it; a target group's load_balancer_arns when they are load
  balancers of the same state. The provider reads those into the parent after the children were created.
- aws_apprunner_auto_scaling_configuration_version.has_associated_service: App Runner flips it to true once the
  service created later in the same apply uses the configuration.
- aws_iam_role.inline_policy: the provider reads the policies of the aws_iam_role_policy resources attached to a
  role into the role itself. Ignored only when the refreshed list is exactly what those resources in the same
  state manage; a policy added by hand still shows as drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .plan_model import Plan, ResourceChange

IGNORED_ATTRIBUTES = {
    "aws_apprunner_auto_scaling_configuration_version": {"has_associated_service"},
}
EMPTY_MEANS_UNSET = {
    "aws_cloudwatch_metric_alarm": {"insufficient_data_actions", "dimensions", "metric_query"},
    "aws_apprunner_service": {"source_configuration"},
    "aws_s3_bucket_server_side_encryption_configuration": {"rule"},
}
# Nested keys whose null the provider reads back as this value (compared as if unset).
READ_BACK_DEFAULTS = {"period": 0, "bucket_key_enabled": False}
BUCKET_MIRRORS = {
    "policy": "aws_s3_bucket_policy",
    "lifecycle_rule": "aws_s3_bucket_lifecycle_configuration",
    "server_side_encryption_configuration": "aws_s3_bucket_server_side_encryption_configuration",
    "versioning": "aws_s3_bucket_versioning",
    "logging": "aws_s3_bucket_logging",
}
RULE_TYPES = {
    "ingress": ("aws_vpc_security_group_ingress_rule", "aws_security_group_rule"),
    "egress": ("aws_vpc_security_group_egress_rule", "aws_security_group_rule"),
}


def same_ignoring_empty(a: Any, b: Any, key: str = "") -> bool:
    """Deep equality where null, [] and {} are one value (AWS does not tell them apart either), and so are null
    and a read-back default (READ_BACK_DEFAULTS) under its key."""
    if a in (None, [], {}) and b in (None, [], {}):
        return True
    if key in READ_BACK_DEFAULTS and {a, b} <= {None, READ_BACK_DEFAULTS[key]}:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return all(same_ignoring_empty(a.get(k), b.get(k), k) for k in set(a) | set(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_ignoring_empty(x, y) for x, y in zip(a, b, strict=False))
    return a == b


def _resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _resources(child)


def _policy(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _state_resources(shown: dict[str, Any]) -> list[dict[str, Any]]:
    root = ((shown.get("prior_state") or {}).get("values") or {}).get("root_module") or {}
    return [r for r in _resources(root) if r.get("values")]


def _managed_role_policies(shown: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (
            r["values"].get("role"),
            r["values"].get("name"),
            json.dumps(_policy(r["values"].get("policy")), sort_keys=True),
        )
        for r in _state_resources(shown)
        if r.get("type") == "aws_iam_role_policy"
    }


def _is_mirror(drift: ResourceChange, name: str, state: list[dict[str, Any]]) -> bool:
    """Whether attribute `name` of this resource only mirrors resources the same state manages."""
    kind, after = drift.type, drift.change.get("after") or {}
    if kind == "aws_s3_bucket" and name in BUCKET_MIRRORS:
        return any(
            r["type"] == BUCKET_MIRRORS[name] and r["values"].get("bucket") in (after.get("id"), after.get("bucket"))
            for r in state
        )
    if kind == "aws_security_group" and name in RULE_TYPES:
        managed = [
            r
            for r in state
            if r["type"] in RULE_TYPES[name]
            and r["values"].get("security_group_id") == after.get("id")
            and r["values"].get("type", name) == name
        ]
        return bool(managed) and len(after.get(name) or []) == len(managed)
    if kind == "aws_lb_target_group" and name == "load_balancer_arns":
        ours = {r["values"].get("arn") for r in state if r["type"] in ("aws_lb", "aws_alb")}
        return set(after.get(name) or []) <= ours
    return False


def _inline_policies_are_managed(after: dict[str, Any], managed: set[tuple[str, str, str]]) -> bool:
    return all(
        (after.get("name"), p.get("name"), json.dumps(_policy(p.get("policy")), sort_keys=True)) in managed
        for p in after.get("inline_policy") or []
    )


def changed_attributes(
    drift: ResourceChange, managed_policies: set[tuple[str, str, str]], state: list[dict[str, Any]] = ()
) -> list[str]:
    """Top-level attributes of one resource_drift entry that really changed."""
    before, after = drift.change.get("before") or {}, drift.change.get("after") or {}
    ignored = IGNORED_ATTRIBUTES.get(drift.type, set())
    changed = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) == after.get(name) or name in ignored:
            continue
        if name in EMPTY_MEANS_UNSET.get(drift.type, set()) and same_ignoring_empty(before.get(name), after.get(name)):
            continue
        if (
            drift.type == "aws_iam_role"
            and name == "inline_policy"
            and _inline_policies_are_managed(after, managed_policies)
        ):
            continue
        if _is_mirror(drift, name, state):
            continue
        changed.append(name)
    return changed


def drifted_resources(shown: dict[str, Any]) -> list[dict[str, Any]]:
    """[{address, actions, attributes}] from `terraform show -json` of a refresh-only plan."""
    managed = _managed_role_policies(shown)
    state = _state_resources(shown)
    drifted = []
    for drift in Plan.from_json(shown).drift:  # no-op entries are not in the model
        attributes = changed_attributes(drift, managed, state) if drift.kind == "update" else []
        if drift.kind == "update" and not attributes:
            continue
        drifted.append({"address": drift.address, "actions": drift.actions, "attributes": attributes})
    return sorted(drifted, key=lambda d: d["address"])
