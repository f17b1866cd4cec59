"""What a refresh-only plan really says drifted, with the read-back noise of known attributes taken out.

Noise is fixed at its source where it can be: the stack never passes empty `tags` (the provider stores {} as null
and reads it back as {}, hashicorp/terraform-provider-aws#28833). What remains is the provider's own read-back,
the same against real AWS, so it is filtered here by exact resource type and attribute, and only in the shape
that carries no real change:

- null vs empty (EMPTY_MEANS_UNSET): the provider stores an empty list or map from the configuration as null and
  reads it back as [] / {}: alarm insufficient_data_actions; App Runner runtime_environment_variables/secrets
  (inside source_configuration). Any other difference in those attributes is still drift.
- aws_apprunner_auto_scaling_configuration_version.has_associated_service: App Runner flips it to true once the
  service created later in the same apply uses the configuration.
- aws_iam_role.inline_policy: the provider reads the policies of the aws_iam_role_policy resources attached to a
  role into the role itself. Ignored only when the refreshed list is exactly what those resources in the same
  state manage; a policy added by hand still shows as drift.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

IGNORED_ATTRIBUTES = {
    "aws_apprunner_auto_scaling_configuration_version": {"has_associated_service"},
}
EMPTY_MEANS_UNSET = {
    "aws_cloudwatch_metric_alarm": {"insufficient_data_actions"},
    "aws_apprunner_service": {"source_configuration"},
}


def same_ignoring_empty(a: Any, b: Any) -> bool:
    """Deep equality where null, [] and {} are one value (AWS does not tell them apart either)."""
    if a in (None, [], {}) and b in (None, [], {}):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return all(same_ignoring_empty(a.get(k), b.get(k)) for k in set(a) | set(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_ignoring_empty(x, y) for x, y in zip(a, b))
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


def _managed_role_policies(shown: dict[str, Any]) -> set[tuple[str, str, str]]:
    root = ((shown.get("prior_state") or {}).get("values") or {}).get("root_module") or {}
    return {(r["values"].get("role"), r["values"].get("name"), json.dumps(_policy(r["values"].get("policy")),
                                                                          sort_keys=True))
            for r in _resources(root) if r.get("type") == "aws_iam_role_policy" and r.get("values")}


def _inline_policies_are_managed(after: dict[str, Any], managed: set[tuple[str, str, str]]) -> bool:
    return all((after.get("name"), p.get("name"), json.dumps(_policy(p.get("policy")), sort_keys=True)) in managed
               for p in after.get("inline_policy") or [])


def changed_attributes(drift: dict[str, Any], managed_policies: set[tuple[str, str, str]]) -> list[str]:
    """Top-level attributes of one resource_drift entry that really changed."""
    change = drift.get("change") or {}
    before, after = change.get("before") or {}, change.get("after") or {}
    ignored = IGNORED_ATTRIBUTES.get(drift.get("type", ""), set())
    changed = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) == after.get(name) or name in ignored:
            continue
        if name in EMPTY_MEANS_UNSET.get(drift.get("type", ""), set()) \
                and same_ignoring_empty(before.get(name), after.get(name)):
            continue
        if drift.get("type") == "aws_iam_role" and name == "inline_policy" \
                and _inline_policies_are_managed(after, managed_policies):
            continue
        changed.append(name)
    return changed


def drifted_resources(shown: dict[str, Any]) -> list[dict[str, Any]]:
    """[{address, actions, attributes}] from `terraform show -json` of a refresh-only plan."""
    managed = _managed_role_policies(shown)
    drifted = []
    for drift in shown.get("resource_drift") or []:
        actions = (drift.get("change") or {}).get("actions", [])
        if actions == ["no-op"]:
            continue
        attributes = changed_attributes(drift, managed) if actions == ["update"] else []
        if actions == ["update"] and not attributes:
            continue
        drifted.append({"address": drift["address"], "actions": actions, "attributes": attributes})
    return drifted
