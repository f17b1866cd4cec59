"""AWS's policy evaluation logic for one action on one resource by one principal.

Order as AWS documents it (IAM User Guide, "Policy evaluation logic"): an explicit Deny in any policy wins; then
the resource-based policy and the identity-based policies decide (same account: either may allow; another
account: both must); a permissions boundary and a session policy can only take away. A KMS key's policy must
allow the access itself or delegate it to the account (its root principal) for identity policies to count.
The account's root may do everything in its own account except what a resource policy explicitly denies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conditions import substitute_variables, unmet_conditions, wildcard_match
from .principals import Principal


@dataclass
class PolicyResult:
    deny: str | None = None  # the denying statement, described
    allow: str | None = None  # the allowing statement, described
    near_misses: list[str] = field(default_factory=list)  # allows that matched all but their conditions


@dataclass(frozen=True)
class Decision:
    allowed: bool
    principal: str
    action: str
    resource: str
    reason: str = ""  # AWS's words after "on resource: X ", e.g. "because no identity-based policy allows ..."
    detail: str = ""  # the sandbox's own explanation: which statement denied, which condition did not match

    def message(self) -> str:
        """AWS's AccessDenied message for this refusal."""
        return f"User: {self.principal} is not authorized to perform: {self.action} on resource: {self.resource} {self.reason}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]


def _action_matches(statement: dict[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(wildcard_match(p, action, ignore_case=True) for p in _as_list(statement["NotAction"]))
    return any(wildcard_match(p, action, ignore_case=True) for p in _as_list(statement.get("Action")))


def _resource_matches(statement: dict[str, Any], resource: str, context: dict[str, Any]) -> bool:
    if "NotResource" in statement:
        patterns = [substitute_variables(p, context) for p in _as_list(statement["NotResource"])]
        return not any(_arn_pattern_matches(p, resource) for p in patterns)
    if "Resource" not in statement:
        return True  # resource policies may leave it out: the resource they are attached to
    patterns = [substitute_variables(p, context) for p in _as_list(statement["Resource"])]
    return any(_arn_pattern_matches(p, resource) for p in patterns)


def _arn_pattern_matches(pattern: str, resource: str) -> bool:
    if pattern == "*" or resource == "*" and pattern.endswith("*"):
        return True
    return wildcard_match(pattern, resource)


def principal_match(statement: dict[str, Any], principal: Principal) -> str | None:
    """How a resource policy statement's Principal names the caller: 'direct', 'account', 'public' or None."""
    if "NotPrincipal" in statement:
        return None if _names_caller(statement["NotPrincipal"], principal) else "direct"
    return _names_caller(statement.get("Principal"), principal)


def _names_caller(element: Any, principal: Principal) -> str | None:
    if element == "*":
        return "public"
    if not isinstance(element, dict):
        return None
    for value in _as_list(element.get("AWS")):
        value = str(value)
        if value == "*":
            return "public"
        if value in principal.names:
            return "direct"
        if value in {principal.account, f"arn:aws:iam::{principal.account}:root"}:
            return "account"
    return None


def evaluate_policy(
    document: dict[str, Any] | None,
    name: str,
    action: str,
    resource: str,
    context: dict[str, Any],
    principal: Principal | None = None,
) -> tuple[PolicyResult, dict[str, str]]:
    """Deny/allow of one policy; with a principal, a resource policy (Principal element checked).

    Returns the result and, for a resource policy, how its allowing statement named the caller."""
    result = PolicyResult()
    grant: dict[str, str] = {}
    for index, statement in enumerate(_statements(document or {})):
        if not _action_matches(statement, action) or not _resource_matches(statement, resource, context):
            continue
        how = None
        if principal is not None:
            how = principal_match(statement, principal)
            if how is None:
                continue
        label = f"statement {statement.get('Sid') or f'#{index + 1}'} of {name}"
        unmet = unmet_conditions(statement.get("Condition") or {}, context)
        effect = statement.get("Effect")
        if unmet:
            if effect == "Allow":
                result.near_misses.append(
                    f"{label} would allow it, but its condition did not match: {'; '.join(unmet)}"
                )
            continue
        if effect == "Deny":
            result.deny = result.deny or label
        elif effect == "Allow":
            if how is not None and grant.get("how") not in {"direct", "public"}:
                grant = {"how": how, "label": label}
            result.allow = result.allow or label
    return result, grant


def _combine(results: list[PolicyResult]) -> PolicyResult:
    combined = PolicyResult()
    for result in results:
        combined.deny = combined.deny or result.deny
        combined.allow = combined.allow or result.allow
        combined.near_misses += result.near_misses
    return combined


@dataclass(frozen=True)
class ResourceFacts:
    arn: str
    owner: str  # account that owns the resource
    policy: dict[str, Any] | None = None  # its resource-based policy (bucket, key, repository policy), if any
    policy_name: str = "resource policy"
    key_policy: bool = False  # a KMS key policy: identity policies count only if it delegates to the account
    tags: dict[str, str] = field(default_factory=dict)


def evaluate(principal: Principal, action: str, resource: ResourceFacts, context: dict[str, Any]) -> Decision:
    """May `principal` perform `action` on `resource` given the request's condition keys?"""
    context = {
        **context,
        **{f"aws:ResourceTag/{k}": v for k, v in resource.tags.items()},
        "aws:ResourceAccount": resource.owner,
    }

    def decide(allowed: bool, reason: str = "", detail: str = "") -> Decision:
        return Decision(allowed, principal.arn, action, resource.arn, reason, detail)

    resource_result, grant = evaluate_policy(
        resource.policy, resource.policy_name, action, resource.arn, context, principal
    )
    if resource_result.deny:
        return decide(False, "with an explicit deny in a resource-based policy", f"denied by {resource_result.deny}")
    same_account = resource.owner == principal.account

    if principal.is_root:
        if same_account and not resource.key_policy:
            return decide(True, detail="the account's root user")
        if grant:
            return decide(True, detail=f"allowed by {grant['label']}")
        return decide(
            False,
            f"because no resource-based policy allows the {action} action",
            "root of another account needs the resource policy to allow it",
        )

    identity = _combine(
        [evaluate_policy(doc, name, action, resource.arn, context)[0] for name, doc in principal.identity_policies]
    )
    if identity.deny:
        return decide(False, "with an explicit deny in an identity-based policy", f"denied by {identity.deny}")
    boundary = session = None
    if principal.boundary is not None:
        boundary = evaluate_policy(principal.boundary, "the permissions boundary", action, resource.arn, context)[0]
        if boundary.deny:
            return decide(False, "with an explicit deny in a permissions boundary", f"denied by {boundary.deny}")
    if principal.session_policy is not None:
        session = evaluate_policy(principal.session_policy, "the session policy", action, resource.arn, context)[0]
        if session.deny:
            return decide(False, "with an explicit deny in a session policy", f"denied by {session.deny}")

    how = grant.get("how")
    if resource.key_policy:
        allowed = how in {"direct", "public"} or (how == "account" and identity.allow is not None)
        missing = "resource-based policy" if how is None else "identity-based policy"
    elif same_account:
        allowed = identity.allow is not None or how in {"direct", "public"}
        missing = "identity-based policy"
    else:
        allowed = identity.allow is not None and how is not None
        missing = "identity-based policy" if identity.allow is None else "resource-based policy"
    near = identity.near_misses + resource_result.near_misses
    if not allowed:
        detail = "; ".join(near) if near else f"no statement allows {action} on {resource.arn}"
        return decide(False, f"because no {missing} allows the {action} action", detail)
    if boundary is not None and boundary.allow is None:
        detail = "; ".join(boundary.near_misses) or "the permissions boundary does not allow it"
        return decide(False, f"because no permissions boundary allows the {action} action", detail)
    if session is not None and session.allow is None:
        return decide(
            False, f"because no session policy allows the {action} action", "the session policy does not allow it"
        )
    return decide(True, detail=f"allowed by {identity.allow or grant.get('label')}")
