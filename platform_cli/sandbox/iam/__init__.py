"""IAM enforcement for the sandbox: callers other than an account's root are held to their policies as in AWS.

Off by default (`platformctl sandbox start --enforce-iam[=soft]`, or PLATFORMCTL_SANDBOX_ENFORCE_IAM=1|soft).
conditions (operators), principals (who calls), actions (action, resources, condition keys of a request),
resource_policies (owner, policy, tags of a resource), evaluation (AWS's decision logic), enforcement (the hook
into moto and AWS-shaped refusals), managed_policies, report (decision log, least-privilege report).
"""

from __future__ import annotations

DECISION_LOG = "iam-decisions.jsonl"

MODE_ENVVAR = "PLATFORMCTL_SANDBOX_ENFORCE_IAM"
MODES = ("off", "hard", "soft")


def parse_mode(value: str | None) -> str:
    """'1', 'true', 'hard' -> hard; 'soft' -> soft; '', '0', 'false', 'off' -> off. Anything else is an error."""
    text = (value or "").strip().lower()
    if text in {"", "0", "false", "off", "no"}:
        return "off"
    if text in {"1", "true", "hard", "on", "yes"}:
        return "hard"
    if text == "soft":
        return "soft"
    raise ValueError(f"{MODE_ENVVAR}={value!r} is not a mode; use 1 (refuse), soft (log only) or 0 (off)")
