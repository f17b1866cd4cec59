"""IAM condition blocks as trust policies for web identities use them, evaluated as IAM does.

Supported: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
StringNotLike (`*` and `?` wildcards), Null, each with the ForAnyValue: / ForAllValues: set prefixes and the
IfExists suffix. Semantics (IAM's policy evaluation logic): every operator in a block must hold, every key under an
operator must hold, and a key holds when the request's value matches any of the listed values. A missing key fails a
positive operator and satisfies a negated one (`StringNotEquals`); IfExists makes a missing key pass. Condition key
names are case-insensitive, values are not (except the IgnoreCase operators). An operator this evaluator does not
know fails its block, so an unsupported policy refuses rather than admits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

ContextValue = str | Sequence[str]


@lru_cache(maxsize=256)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """IAM's StringLike pattern: `*` any run of characters, `?` any one character, everything else literal."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


_MATCHERS: dict[str, Callable[[str, str], bool]] = {
    "stringequals": lambda expected, actual: actual == expected,
    "stringequalsignorecase": lambda expected, actual: actual.casefold() == expected.casefold(),
    "stringlike": lambda expected, actual: _wildcard(expected).fullmatch(actual) is not None,
}
_NEGATED = {
    "stringnotequals": "stringequals",
    "stringnotequalsignorecase": "stringequalsignorecase",
    "stringnotlike": "stringlike",
}


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def _operator_holds(operator: str, expected_values: list[str], actual: list[str] | None) -> bool:
    """One key under one operator. `actual` is None when the request has no such key."""
    name = operator.lower()
    set_prefix = ""
    if ":" in name:
        set_prefix, name = name.split(":", 1)
    if_exists = name.endswith("ifexists")
    name = name.removesuffix("ifexists")

    if name == "null":
        wants_missing = [v.lower() for v in expected_values] == ["true"]
        return (actual is None) == wants_missing
    negated = name in _NEGATED
    matcher = _MATCHERS.get(_NEGATED.get(name, name))
    if matcher is None or set_prefix not in ("", "foranyvalue", "forallvalues"):
        return False

    def value_holds(value: str) -> bool:
        hit = any(matcher(expected, value) for expected in expected_values)
        return not hit if negated else hit

    if actual is None or (set_prefix and not actual):
        if set_prefix == "forallvalues":
            return True  # vacuously: no request value breaks the rule
        if set_prefix == "foranyvalue":
            return False
        return if_exists or negated
    if set_prefix == "forallvalues":
        return all(value_holds(v) for v in actual)
    if set_prefix == "foranyvalue":
        return any(value_holds(v) for v in actual)
    # Single-valued operator: a negated one must hold for every value, a positive one for some value.
    return all(value_holds(v) for v in actual) if negated else any(value_holds(v) for v in actual)


def trust_conditions_hold(condition: Mapping[str, Mapping[str, object]] | None, context: Mapping[str, object]) -> bool:
    """Whether a statement's Condition block holds for the request context (condition key -> value(s))."""
    # Swap for platform_cli.sandbox.iam.conditions.evaluate_condition_block(condition, context) once that lands.
    if not condition:
        return True
    lowered = {key.lower(): _as_list(value) for key, value in context.items()}
    for operator, keys in condition.items():
        if not isinstance(keys, Mapping):
            return False
        for key, expected in keys.items():
            if not _operator_holds(operator, _as_list(expected), lowered.get(key.lower())):
                return False
    return True
