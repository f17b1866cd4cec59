"""IAM condition operators, as AWS evaluates a policy statement's Condition block.

`evaluate_condition_block(condition, context)` is the one entry point: `condition` is a statement's Condition
element ({"StringEquals": {"aws:ResourceTag/environment": ["staging"]}, ...}), `context` the request's condition
keys (key -> str or list of str; keys compare case-insensitively, as in AWS). Every operator in the block and
every key under it must match (AND); the values listed for one key are alternatives (OR).

Modelled as AWS documents them: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*,
Null, the `...IfExists` suffix and the `ForAnyValue:` / `ForAllValues:` set qualifiers. A key missing from the
request makes a condition false, except for the negated operators' IfExists forms and Null (as in AWS); policy
variables (`${aws:username}`) are substituted from the context.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Context = dict[str, Any]

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
# ${*} and ${?} stand for a literal * and ?: kept as private characters until the pattern is compiled.
_LITERAL_STAR, _LITERAL_QUESTION = "\x01", "\x02"
_LITERALS = {"*": _LITERAL_STAR, "?": _LITERAL_QUESTION, "$": "$"}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def lookup(context: Context, key: str) -> list[str] | None:
    """The context's values for `key` (case-insensitive), or None when the request does not carry the key."""
    wanted = key.lower()
    for name, value in context.items():
        if name.lower() == wanted:
            return [str(v) if not isinstance(v, bool) else str(v).lower() for v in _as_list(value)]
    return None


def substitute_variables(text: str, context: Context) -> str:
    """Replace ${aws:username}-style policy variables (and ${*}, ${?}, ${$}) with their values."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _LITERALS:
            return _LITERALS[name]  # a literal character, not a wildcard
        name, _, default = name.partition(", ")
        found = lookup(context, name)
        if found:
            return found[0]
        return default.strip("'") if default else match.group(0)

    return _VARIABLE.sub(value, text)


def _wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "".join(
        ".*" if part == "*" else "." if part == "?" else re.escape(part) for part in re.split(r"([*?])", pattern)
    )
    regex = regex.replace(_LITERAL_STAR, re.escape("*")).replace(_LITERAL_QUESTION, re.escape("?"))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime | None:
    try:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        return None


def _compare(convert: Callable[[str], Any], test: Callable[[Any, Any], bool]) -> Callable[[str, str], bool]:
    def match(actual: str, expected: str) -> bool:
        a, e = convert(actual), convert(expected)
        return a is not None and e is not None and test(a, e)

    return match


def _ip_match(actual: str, expected: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
    except ValueError:
        return False


def _arn_like(actual: str, expected: str) -> bool:
    # ARNs compare segment by segment (six of them); wildcards do not cross the first five colons.
    actual_parts, expected_parts = actual.split(":", 5), expected.split(":", 5)
    if len(actual_parts) != 6 or len(expected_parts) != 6:
        return False
    return all(_wildcard_match(e, a) for a, e in zip(actual_parts, expected_parts, strict=True))


# Positive operators: (actual, expected) -> bool. A negated operator is "no expected value matches".
_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda a, e: a == e,
    "StringEqualsIgnoreCase": lambda a, e: a.lower() == e.lower(),
    "StringLike": lambda a, e: _wildcard_match(e, a),
    "NumericEquals": _compare(_number, lambda a, e: a == e),
    "NumericLessThan": _compare(_number, lambda a, e: a < e),
    "NumericLessThanEquals": _compare(_number, lambda a, e: a <= e),
    "NumericGreaterThan": _compare(_number, lambda a, e: a > e),
    "NumericGreaterThanEquals": _compare(_number, lambda a, e: a >= e),
    "DateEquals": _compare(_date, lambda a, e: a == e),
    "DateLessThan": _compare(_date, lambda a, e: a < e),
    "DateLessThanEquals": _compare(_date, lambda a, e: a <= e),
    "DateGreaterThan": _compare(_date, lambda a, e: a > e),
    "DateGreaterThanEquals": _compare(_date, lambda a, e: a >= e),
    "Bool": lambda a, e: a.lower() == e.lower(),
    "BinaryEquals": lambda a, e: a == e,
    "IpAddress": _ip_match,
    "ArnEquals": _arn_like,  # AWS treats ArnEquals like ArnLike: both take wildcards
    "ArnLike": _arn_like,
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
OPERATORS = frozenset(_POSITIVE) | frozenset(_NEGATED) | {"Null"}


class UnknownOperatorError(ValueError):
    """A Condition operator AWS does not define: AWS rejects such a policy when it is put."""


def _parse_operator(name: str) -> tuple[str | None, str, bool]:
    """'ForAnyValue:StringLikeIfExists' -> ('ForAnyValue', 'StringLike', True)."""
    qualifier, _, operator = name.rpartition(":")
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    if if_exists:
        operator = operator[: -len("IfExists")]
    if operator not in OPERATORS or qualifier not in {"", "ForAnyValue", "ForAllValues"}:
        raise UnknownOperatorError(f"unknown condition operator {name!r}")
    return qualifier or None, operator, if_exists


def _value_matches(operator: str, actual: str, expected: list[str]) -> bool:
    if operator in _NEGATED:
        return not any(_POSITIVE[_NEGATED[operator]](actual, e) for e in expected)
    return any(_POSITIVE[operator](actual, e) for e in expected)


def evaluate_condition(operator_name: str, key: str, expected: Any, context: Context) -> bool:
    """One operator applied to one key: does the request's context satisfy it?"""
    qualifier, operator, if_exists = _parse_operator(operator_name)
    expected_values = [
        substitute_variables(str(v).lower() if isinstance(v, bool) else str(v), context) for v in _as_list(expected)
    ]
    actual = lookup(context, key)

    if operator == "Null":
        # "true": the key must be absent; "false": it must be present.
        wanted_absent = any(v.lower() == "true" for v in expected_values)
        return (actual is None or actual == []) == wanted_absent

    if actual is None:
        if qualifier == "ForAllValues":
            return True  # vacuously true over an empty set, as in AWS
        return if_exists
    if qualifier == "ForAllValues":
        return all(_value_matches(operator, a, expected_values) for a in actual)
    if qualifier == "ForAnyValue":
        return any(_value_matches(operator, a, expected_values) for a in actual)
    if operator in _NEGATED:
        # a single-valued key with a negated operator: none of its values may match
        return all(_value_matches(operator, a, expected_values) for a in actual)
    return any(_value_matches(operator, a, expected_values) for a in actual)


def evaluate_condition_block(condition: dict[str, Any], context: Context) -> bool:
    """Does the request (its condition `context`) satisfy a statement's whole Condition block?"""
    return not unmet_conditions(condition, context)


def unmet_conditions(condition: dict[str, Any], context: Context) -> list[str]:
    """The conditions of a block the request does not satisfy, each as 'Operator key [values] (request: ...)'."""
    unmet = []
    for operator_name, keys in (condition or {}).items():
        for key, expected in (keys or {}).items():
            if not evaluate_condition(operator_name, key, expected, context):
                actual = lookup(context, key)
                shown = "absent" if actual is None else ", ".join(actual)
                unmet.append(f"{operator_name} {key} {_as_list(expected)} (request: {shown})")
    return unmet


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's `*` / `?` matching, shared with actions and resources."""
    return _wildcard_match(pattern, value, ignore_case=ignore_case)


__all__ = [
    "OPERATORS",
    "UnknownOperatorError",
    "evaluate_condition",
    "evaluate_condition_block",
    "lookup",
    "substitute_variables",
    "unmet_conditions",
    "wildcard_match",
]
