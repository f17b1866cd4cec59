"""GitHub Actions expressions (`${{ ... }}`): a parser and evaluator of the language as GitHub documents it.

Literals (null, true, false, numbers, 'strings' with '' for a quote), context access (`a.b`, `a['b']`, `a.*.b`),
`!`, `<`, `<=`, `>`, `>=`, `==`, `!=`, `&&`, `||`, parentheses, and the functions contains, startsWith, endsWith,
format, join, toJSON, fromJSON and the status checks success, always, cancelled, failure. Comparison follows
GitHub's loose rules (mismatched types compare as numbers, strings compare case-insensitively); `&&` and `||`
return an operand, not a bool. Anything else (hashFiles, an unknown function or a context the harness does not
provide) raises UnsupportedExpression naming it: a workflow must never run with a guessed value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import UnsupportedExpression

STATUS_FUNCTIONS = ("success", "always", "cancelled", "failure")


class StrictContext(dict):
    """A context whose missing keys are a harness gap, not a null (`github.*`, `steps.<id>`, `needs.<job>`)."""

    def __init__(self, name: str, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.name = name


@dataclass(frozen=True)
class Status:
    """What the status functions answer for the step or job whose `if:` is evaluated."""

    failed: bool = False
    cancelled: bool = False


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>0x[0-9a-fA-F]+|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<string>'(?:[^']|'')*')
    | (?P<op>&&|\|\||==|!=|<=|>=|[<>!().,\[\]*])
    | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise UnsupportedExpression(f"cannot parse expression {text!r} at {text[pos:]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


# -- values -----------------------------------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "") or isinstance(value, (dict, list))


def to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return math.nan
    return math.nan


def to_string(value: Any, where: str = "") -> str:
    """How GitHub writes a value into a string (an env value, a `run:` script, a `with:` input)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, str):
        return value
    raise UnsupportedExpression(f"{where or 'an expression'} puts an object or array into a string: use toJSON()")


def _equal(a: Any, b: Any) -> bool:
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
            return False
        return to_number(a) == to_number(b)
    if isinstance(a, str):
        return a.lower() == b.lower()
    if isinstance(a, (dict, list)):
        return a is b
    return a == b


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.lower(), b.lower()
    else:
        a, b = to_number(a), to_number(b)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _format(template: str, *args: Any) -> str:
    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        index = int(match.group(1))
        if index >= len(args):
            raise UnsupportedExpression(f"format({template!r}) names argument {index} but has {len(args)}")
        return to_string(args[index], "format()")

    return re.sub(r"\{\{|\}\}|\{(\d+)\}", replace, to_string(template))


def _contains(search: Any, item: Any) -> bool:
    if isinstance(search, list):
        return any(_equal(element, item) for element in search)
    return to_string(item).lower() in to_string(search).lower()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": _contains,
    "startswith": lambda s, p: to_string(s).lower().startswith(to_string(p).lower()),
    "endswith": lambda s, p: to_string(s).lower().endswith(to_string(p).lower()),
    "format": _format,
    "join": lambda a, sep=",": to_string(sep).join(to_string(x) for x in a) if isinstance(a, list) else to_string(a),
    "tojson": lambda v: json.dumps(v, indent=2),
    "fromjson": lambda s: json.loads(to_string(s)),
}


# -- parser + evaluator -------------------------------------------------------------------------------------------


class _Evaluator:
    def __init__(self, text: str, contexts: Mapping[str, Any], status: Status | None) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0
        self.contexts = contexts
        self.status = status
        self.used_status = False

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise UnsupportedExpression(f"cannot parse expression {self.text!r}: expected {value or 'more'}")
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise UnsupportedExpression(f"cannot parse expression {self.text!r} at {self.peek()[1]!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.equality()
            value = right if truthy(value) else value
        return value

    def equality(self) -> Any:
        value = self.comparison()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            right = self.comparison()
            value = _equal(value, right) if op == "==" else not _equal(value, right)
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in (("op", "<"), ("op", "<="), ("op", ">"), ("op", ">=")):
            op = self.take()[1]
            value = _compare(op, value, self.unary())
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        value, path = self.primary()
        while self.peek() in (("op", "."), ("op", "[")):
            if self.take()[1] == ".":
                kind, key = self.take()
                if kind == "op" and key == "*":
                    value, path = self.star(value), f"{path}.*"
                    continue
                if kind != "name":
                    raise UnsupportedExpression(f"cannot parse expression {self.text!r}: bad property {key!r}")
            else:
                key = self.or_()
                self.take("]")
            value, path = self.index(value, key, path), f"{path}.{key}"
        return value

    def star(self, value: Any) -> list:
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []

    def index(self, value: Any, key: Any, path: str) -> Any:
        if isinstance(value, list) and not isinstance(key, str):
            # a.*.b: the property of each element (object filter)
            number = to_number(key)
            return value[int(number)] if not math.isnan(number) and 0 <= number < len(value) else None
        if isinstance(value, list):
            return [self.index(item, key, path) for item in value]
        if not isinstance(value, dict):
            return None
        for name in value:  # context keys are case-insensitive
            if isinstance(name, str) and name.lower() == to_string(key).lower():
                return value[name]
        if isinstance(value, StrictContext):
            raise UnsupportedExpression(f"{path}.{key}: the harness provides no {key!r} in {value.name}")
        return None

    def primary(self) -> tuple[Any, str]:
        kind, text = self.take()
        if kind == "number":
            number = to_number(text)
            return (int(number) if number.is_integer() else number), text
        if kind == "string":
            return text[1:-1].replace("''", "'"), text
        if kind == "op" and text == "(":
            value = self.or_()
            self.take(")")
            return value, "(...)"
        if kind != "name":
            raise UnsupportedExpression(f"cannot parse expression {self.text!r} at {text!r}")
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text], text
        if self.peek() == ("op", "("):
            return self.call(text), f"{text}()"
        if text not in self.contexts:
            raise UnsupportedExpression(f"unknown context {text!r} in {self.text!r}")
        return self.contexts[text], text

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ("op", ")"):
            args.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        lowered = name.lower()
        if lowered in STATUS_FUNCTIONS:
            return self.status_check(lowered)
        if lowered not in FUNCTIONS:
            raise UnsupportedExpression(f"unknown function {name}() in {self.text!r}")
        return FUNCTIONS[lowered](*args)

    def status_check(self, name: str) -> bool:
        if self.status is None:
            raise UnsupportedExpression(f"{name}() is only allowed in an if: condition ({self.text!r})")
        self.used_status = True
        return {
            "success": not self.status.failed and not self.status.cancelled,
            "always": True,
            "cancelled": self.status.cancelled,
            "failure": self.status.failed,
        }[name]


def evaluate(text: str, contexts: Mapping[str, Any], status: Status | None = None) -> Any:
    """The value of one expression (the text between `${{` and `}}`)."""
    return _Evaluator(text, contexts, status).parse()


_EMBEDDED = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def substitute(value: Any, contexts: Mapping[str, Any], where: str) -> Any:
    """A YAML value with its `${{ }}` parts evaluated: a value that is one expression keeps its type (a matrix from
    fromJSON stays an object), text around expressions makes a string; lists and mappings are walked."""
    if isinstance(value, dict):
        return {k: substitute(v, contexts, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, contexts, where) for v in value]
    if not isinstance(value, str) or "${{" not in value:
        return value
    whole = _EMBEDDED.fullmatch(value.strip())
    if whole and value.strip().count("${{") == 1:
        return evaluate(whole.group(1), contexts)
    return _EMBEDDED.sub(lambda m: to_string(evaluate(m.group(1), contexts), where), value)


def condition(text: Any, contexts: Mapping[str, Any], status: Status) -> bool:
    """An `if:` condition: with or without `${{ }}`, and `success() && (...)` unless it calls a status function."""
    if isinstance(text, bool):
        return text and not status.failed and not status.cancelled
    source = str(text).strip()
    whole = _EMBEDDED.fullmatch(source)
    if whole:
        source = whole.group(1)
    elif "${{" in source:
        raise UnsupportedExpression(f"if: {text!r} mixes text and ${{{{ }}}}: write one expression")
    evaluator = _Evaluator(source, contexts, status)
    value = evaluator.parse()
    if not evaluator.used_status:
        return truthy(value) and not status.failed and not status.cancelled
    return truthy(value)
