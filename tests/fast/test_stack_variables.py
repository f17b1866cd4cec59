"""The stack's pass-through inputs carry exactly their modules' default, type and validation.

infra/platform declares its own copy of every input it hands straight to a module (`arg = var.X`, or
`arg = var.GROUP.ATTR` for an attribute of an object-typed input such as `service = { cpu, memory, ... }`), so a bad
value is refused at the stack's edge under the stack's input name. A copy that drifts looser than the module lets a
value through the stack's checks that the module then refuses, or silently misses a check added to the module later.
This test reads the .tf files with python-hcl2 (no Terraform) and compares every such pair.

Rules, per stack input X (a variable, or an attribute path GROUP.ATTR of an object variable) passed as
`arg = var.X` to one or more module inputs:
- its type equals each module input's type, and its default (an object attribute's `optional(TYPE, DEFAULT)`)
  equals each module input's default;
- the variable's validation conditions that mention a pass-through input of it equal the union of the fed module
  inputs' conditions, after rewriting the module's `var.<input>` references to the stack inputs that feed those
  inputs (so a check such as `var.autoscaling_max_size >= var.autoscaling_min_size` must appear as
  `var.service.max_instances >= var.service.min_instances`). An input fed to two modules is as strict as both.
  Conditions that mention only inputs the stack does not pass straight through (e.g. network.vpc_id) are the
  stack's own and not compared.
- A module that exists for one compute target only (its `count` tests `var.compute == "X"`) applies its checks to
  that target only: a condition only such modules have appears as `var.compute != "X" || <condition>`, so a Fargate
  environment may use Fargate's sizes and an App Runner one App Runner's. A module condition that is itself
  guarded that way (monitoring's App Runner-only capacity alarm) keeps its guard. A condition every fed module has
  (or one an always-present module has unguarded) stays unguarded.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import hcl2
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STACK_DIR = REPO_ROOT / "infra" / "platform"

NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
PASS_THROUGH = re.compile(rf"^\$\{{var\.({NAME}(?:\.{NAME})*)\}}$")
INPUT_REF = re.compile(rf"\bvar\.({NAME}(?:\.{NAME})*)")
VAR_REF = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)\b")
COUNT_GUARD = re.compile(r'\bvar\.compute == "([a-z_]+)"')
# python-hcl2 re-prints `var.compute != "X" || (cond)` without the parentheses.
CONDITION_GUARD = re.compile(r'^var\.compute != "([a-z_]+)" \|\| (.+)$')


@dataclass(frozen=True)
class Variable:
    type: str | None
    default: object
    has_default: bool
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class PassThrough:
    module: str
    source: Path
    argument: str
    stack_input: str  # "service_image", or "service.cpu" for an attribute of an object variable
    guard: str | None = None  # the compute target the module exists for, when its count says so

    @property
    def stack_variable(self) -> str:
        return self.stack_input.split(".", 1)[0]

    @property
    def target(self) -> str:
        return f"module.{self.module}.{self.argument}"


def _single(value):
    """python-hcl2 wraps every attribute value in a one-element list."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _expression(value: str) -> str:
    """python-hcl2 re-prints each expression from its parse tree as "${...}"; unwrap it and collapse whitespace runs,
    so layout differences (line breaks inside a condition) do not count as differences."""
    if value.startswith("${") and value.endswith("}"):
        value = value[2:-1]
    return re.sub(r"\s+", " ", value).strip()


def _type(value: str | None) -> str | None:
    """A type expression without any whitespace: python-hcl2 prints `map(string)` and `optional(map(string), {})`
    differently depending on where they stand."""
    return None if value is None else re.sub(r"\s+", "", _expression(value))


def _split_arguments(text: str) -> list[str]:
    """`number,1024` -> ["number", "1024"]; commas inside brackets or strings stay."""
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"' and not current.endswith("\\"):
            quoted = not quoted
        elif not quoted and char in "([{":
            depth += 1
        elif not quoted and char in ")]}":
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _attribute(type_text: str) -> tuple[str, bool, object]:
    """An object attribute's type as (type, has_default, default): `optional(number, 1024)` -> ("number", True, 1024);
    `optional(string)` defaults to null; a plain type is required."""
    text = _type(type_text)
    if text.startswith("optional(") and text.endswith(")"):
        arguments = _split_arguments(text[len("optional(") : -1])
        return arguments[0], True, _literal(arguments[1]) if len(arguments) > 1 else None
    return text, False, None


def _literal(text: str) -> object:
    """A default as python-hcl2 prints it inside a type: JSON, except booleans and null in Python's spelling."""
    spelled = {"True": True, "False": False, "None": None, "true": True, "false": False, "null": None}
    return spelled[text] if text in spelled else json.loads(text)


def _object_attributes(type_text: str) -> dict[str, str] | None:
    """`object({...})` as python-hcl2 prints it (a Python dict literal of attribute -> type) -> that dict."""
    text = _expression(type_text)
    if not (text.startswith("object(") and text.endswith(")")):
        return None
    return ast.literal_eval(text[len("object(") : -1])


@cache
def load_variables(directory: Path) -> dict[str, Variable]:
    variables: dict[str, Variable] = {}
    for path in sorted(directory.glob("*.tf")):
        with path.open() as handle:
            parsed = hcl2.load(handle)
        for block in parsed.get("variable", []):
            for name, body in block.items():
                variables[name] = Variable(
                    type=_single(body["type"]) if "type" in body else None,
                    default=_single(body["default"]) if "default" in body else None,
                    has_default="default" in body,
                    conditions=tuple(_expression(_single(v["condition"])) for v in body.get("validation", [])),
                )
    return variables


def stack_input(stack_dir: Path, name: str) -> Variable | None:
    """The stack input `name`: a variable, or an attribute path of an object variable with the attribute's own type
    and default (and the variable's conditions, which are where an object's attributes are checked)."""
    head, *attributes = name.split(".")
    variable = load_variables(stack_dir).get(head)
    if variable is None or not attributes:
        return variable
    type_text, has_default, default = variable.type, variable.has_default, variable.default
    for attribute in attributes:
        fields = _object_attributes(type_text) if type_text else None
        if fields is None or attribute not in fields:
            return None
        type_text, has_default, default = _attribute(fields[attribute])
    return replace(variable, type=type_text, default=default, has_default=has_default)


@cache
def pass_throughs(stack_dir: Path) -> tuple[PassThrough, ...]:
    found = []
    for path in sorted(stack_dir.glob("*.tf")):
        with path.open() as handle:
            parsed = hcl2.load(handle)
        for block in parsed.get("module", []):
            for module_name, body in block.items():
                source = (stack_dir / _single(body["source"])).resolve()
                count = _single(body.get("count", ""))
                guard = COUNT_GUARD.search(count) if isinstance(count, str) else None
                for argument, value in body.items():
                    match = PASS_THROUGH.match(_single(value)) if isinstance(_single(value), str) else None
                    if match:
                        found.append(
                            PassThrough(
                                module_name, source, argument, match.group(1), guard.group(1) if guard else None
                            )
                        )
    return tuple(found)


def feeds_by_stack_variable(stack_dir: Path) -> dict[str, list[PassThrough]]:
    by_variable: dict[str, list[PassThrough]] = {}
    for feed in pass_throughs(stack_dir):
        by_variable.setdefault(feed.stack_variable, []).append(feed)
    return by_variable


def _guarded(condition: str) -> tuple[str | None, str]:
    match = CONDITION_GUARD.match(condition)
    return (match.group(1), match.group(2)) if match else (None, condition)


def _spell(guarded: tuple[str | None, str]) -> str:
    guard, condition = guarded
    return condition if guard is None else f'var.compute != "{guard}" || {condition}'


def expected_conditions(stack_dir: Path, feeds: list[PassThrough]) -> set[tuple[str | None, str]]:
    """The union of the fed module inputs' conditions, spelled with the stack's input names, each with the
    compute target it is guarded by (None: unguarded). `feeds` all carry one stack input."""
    guards_of: dict[str, set[str | None]] = {}
    for feed in feeds:
        # Every input of that module fed straight from a stack input is renamed, not only the checked one.
        renames = {p.argument: p.stack_input for p in pass_throughs(stack_dir) if p.module == feed.module}
        for condition in load_variables(feed.source)[feed.argument].conditions:
            renamed = VAR_REF.sub(lambda m, renames=renames: f"var.{renames.get(m.group(1), m.group(1))}", condition)
            own_guard, renamed = _guarded(renamed)  # a module's own `var.compute != "X" ||` (once renamed)
            guards_of.setdefault(renamed, set()).add(own_guard or feed.guard)
    every_feed = {feed.guard for feed in feeds}
    expected: set[tuple[str | None, str]] = set()
    for condition, guards in guards_of.items():
        if None in guards or guards == every_feed:
            expected.add((None, condition))
        else:
            expected.update((guard, condition) for guard in guards)
    return expected


def _mentions(condition: str, inputs: set[str]) -> bool:
    return any(ref in inputs for ref in INPUT_REF.findall(condition))


def mismatches(stack_dir: Path, stack_variable: str) -> list[str]:
    """Every way var.<stack_variable> (and its attributes) differs from the module inputs it feeds; empty when
    it matches."""
    feeds = feeds_by_stack_variable(stack_dir)[stack_variable]
    problems = []
    by_input: dict[str, list[PassThrough]] = {}
    for feed in feeds:
        by_input.setdefault(feed.stack_input, []).append(feed)
        ours = stack_input(stack_dir, feed.stack_input)
        if ours is None:
            problems.append(f"var.{feed.stack_input} is passed to {feed.target} but not declared in the stack")
            continue
        module_var = load_variables(feed.source).get(feed.argument)
        if module_var is None:
            problems.append(f"{feed.target} is not a variable of module {feed.module}")
            continue
        where = "" if feed.stack_input == stack_variable else f"var.{feed.stack_input}: "
        if _type(ours.type) != _type(module_var.type):
            problems.append(f"{where}type {_type(ours.type)} differs from {feed.target}'s {_type(module_var.type)}")
        if (ours.has_default, ours.default) != (module_var.has_default, module_var.default):
            mine = repr(ours.default) if ours.has_default else "none"
            theirs = repr(module_var.default) if module_var.has_default else "none"
            problems.append(f"{where}default {mine} differs from {feed.target}'s {theirs}")
    if problems:
        return problems
    expected = set().union(*(expected_conditions(stack_dir, fed) for fed in by_input.values()))
    stack = load_variables(stack_dir)[stack_variable]
    actual = {_guarded(c) for c in stack.conditions if _mentions(c, set(by_input))}
    problems += [f"lacks the module's validation condition {_spell(c)}" for c in sorted(expected - actual, key=_spell)]
    problems += [
        f"has a validation condition no module input has: {_spell(c)}" for c in sorted(actual - expected, key=_spell)
    ]
    return problems


def test_stack_passes_variables_straight_to_modules() -> None:
    # Guards the parser: if main.tf's shape changed so that nothing matched, every other check would pass vacuously.
    feeds = pass_throughs(STACK_DIR)
    assert len(feeds) >= 20, f"expected at least 20 `arg = var.X` module arguments in the stack, found {len(feeds)}"
    assert {"model_service", "monitoring", "artifact_store", "container_registry"} <= {f.module for f in feeds}


@pytest.mark.parametrize("stack_variable", sorted(feeds_by_stack_variable(STACK_DIR)))
def test_stack_variable_matches_module_input(stack_variable: str) -> None:
    problems = mismatches(STACK_DIR, stack_variable)
    fed = ", ".join(f.target for f in feeds_by_stack_variable(STACK_DIR)[stack_variable])
    assert not problems, f"var.{stack_variable} (fed to {fed}):\n  " + "\n  ".join(problems)


MODULE_TF = """
variable "min_size" {
  type    = number
  default = 1
  validation {
    condition     = var.min_size >= 1 && floor(var.min_size) == var.min_size
    error_message = "whole"
  }
}
variable "max_size" {
  type    = number
  default = 3
  validation {
    condition     = var.max_size >= var.min_size
    error_message = "at least min"
  }
}
"""


def _write_stack(tmp_path: Path, stack_variables_tf: str) -> Path:
    (tmp_path / "modules" / "thing").mkdir(parents=True)
    (tmp_path / "modules" / "thing" / "variables.tf").write_text(MODULE_TF)
    stack_dir = tmp_path / "stack"
    stack_dir.mkdir()
    (stack_dir / "main.tf").write_text(
        'module "thing" {\n  source   = "../modules/thing"\n  min_size = var.thing_min\n  max_size = var.thing_max\n}\n'
    )
    (stack_dir / "variables.tf").write_text(stack_variables_tf)
    return stack_dir


FAITHFUL_STACK_TF = """
variable "thing_min" {
  type    = number
  default = 1
  validation {
    condition     = var.thing_min >= 1 && floor(var.thing_min) == var.thing_min
    error_message = "whole"
  }
}
variable "thing_max" {
  type    = number
  default = 3
  validation {
    condition     = var.thing_max >= var.thing_min
    error_message = "at least min"
  }
}
"""


def test_a_faithful_copy_passes_including_cross_variable_checks(tmp_path: Path) -> None:
    stack_dir = _write_stack(tmp_path, FAITHFUL_STACK_TF)
    assert mismatches(stack_dir, "thing_min") == []
    assert mismatches(stack_dir, "thing_max") == []


def test_a_weakened_copy_fails_naming_the_variable(tmp_path: Path) -> None:
    weakened = FAITHFUL_STACK_TF.replace(" && floor(var.thing_min) == var.thing_min", "").replace(
        "default = 3", "default = 4"
    )
    stack_dir = _write_stack(tmp_path, weakened)
    problems_min = mismatches(stack_dir, "thing_min")
    assert any(
        "lacks the module's validation condition var.thing_min >= 1 && floor(var.thing_min) == var.thing_min" in p
        for p in problems_min
    ), problems_min
    assert any("default 4 differs from module.thing.max_size's 3" in p for p in mismatches(stack_dir, "thing_max"))


def _write_two_target_stack(tmp_path: Path, stack_variables_tf: str) -> Path:
    """Two compute modules, each present for one value of var.compute, both fed var.size."""
    for module, limit in (("small", 4), ("large", 16)):
        (tmp_path / "modules" / module).mkdir(parents=True)
        (tmp_path / "modules" / module / "variables.tf").write_text(
            f'variable "size" {{\n  type    = number\n  default = 1\n  validation {{\n'
            f'    condition     = var.size >= 1 && var.size <= {limit}\n    error_message = "m"\n  }}\n}}\n'
        )
    stack_dir = tmp_path / "stack"
    stack_dir.mkdir()
    (stack_dir / "main.tf").write_text(
        'module "small" {\n  source = "../modules/small"\n  count  = var.compute == "small" ? 1 : 0\n  size   = var.size\n}\n'
        'module "large" {\n  source = "../modules/large"\n  count  = var.compute == "large" ? 1 : 0\n  size   = var.size\n}\n'
    )
    (stack_dir / "variables.tf").write_text(stack_variables_tf)
    return stack_dir


def _size_variable(*conditions: str) -> str:
    blocks = "".join(f'  validation {{\n    condition     = {c}\n    error_message = "m"\n  }}\n' for c in conditions)
    return f'variable "size" {{\n  type    = number\n  default = 1\n{blocks}}}\n'


def test_a_check_of_a_module_present_for_one_compute_target_is_guarded_by_it(tmp_path: Path) -> None:
    small = "var.size >= 1 && var.size <= 4"
    large = "var.size >= 1 && var.size <= 16"
    guarded = _write_two_target_stack(
        tmp_path / "a", _size_variable(f'var.compute != "small" || ({small})', f'var.compute != "large" || ({large})')
    )
    assert mismatches(guarded, "size") == []
    # Unguarded, the small target's limit would cap the large one too (the old Fargate-at-App-Runner-sizes bug).
    unguarded = _write_two_target_stack(tmp_path / "b", _size_variable(small, large))
    problems = mismatches(unguarded, "size")
    assert f'lacks the module\'s validation condition var.compute != "small" || {small}' in problems, problems
    assert f"has a validation condition no module input has: {small}" in problems, problems


def _write_grouped_stack(tmp_path: Path, stack_variables_tf: str) -> Path:
    """The module of MODULE_TF fed from the attributes of one object-typed stack variable."""
    (tmp_path / "modules" / "thing").mkdir(parents=True)
    (tmp_path / "modules" / "thing" / "variables.tf").write_text(MODULE_TF)
    stack_dir = tmp_path / "stack"
    stack_dir.mkdir()
    (stack_dir / "main.tf").write_text(
        'module "thing" {\n  source   = "../modules/thing"\n  min_size = var.thing.min\n  max_size = var.thing.max\n}\n'
    )
    (stack_dir / "variables.tf").write_text(stack_variables_tf)
    return stack_dir


FAITHFUL_GROUPED_TF = """
variable "thing" {
  type = object({
    min   = optional(number, 1)
    max   = optional(number, 3)
    label = optional(string)
  })
  default = {}
  validation {
    condition     = var.thing.min >= 1 && floor(var.thing.min) == var.thing.min
    error_message = "whole"
  }
  validation {
    condition     = var.thing.max >= var.thing.min
    error_message = "at least min"
  }
  validation {
    condition     = var.thing.label == null || length(var.thing.label) > 0
    error_message = "the stack's own check of an input it does not pass straight through"
  }
}
"""


def test_a_faithful_object_attribute_copy_passes(tmp_path: Path) -> None:
    assert mismatches(_write_grouped_stack(tmp_path, FAITHFUL_GROUPED_TF), "thing") == []


def test_a_weakened_object_attribute_copy_fails_naming_the_attribute(tmp_path: Path) -> None:
    weakened = FAITHFUL_GROUPED_TF.replace(" && floor(var.thing.min) == var.thing.min", "").replace(
        "optional(number, 3)", "optional(number, 4)"
    )
    problems = mismatches(_write_grouped_stack(tmp_path / "a", weakened), "thing")
    assert problems == ["var.thing.max: default 4 differs from module.thing.max_size's 3"], problems
    loosened = FAITHFUL_GROUPED_TF.replace(" && floor(var.thing.min) == var.thing.min", "")
    problems = mismatches(_write_grouped_stack(tmp_path / "b", loosened), "thing")
    assert (
        "lacks the module's validation condition var.thing.min >= 1 && floor(var.thing.min) == var.thing.min"
        in problems
    ), problems
    retyped = FAITHFUL_GROUPED_TF.replace("min   = optional(number, 1)", "min   = optional(string)")
    problems = mismatches(_write_grouped_stack(tmp_path / "c", retyped), "thing")
    assert "var.thing.min: type string differs from module.thing.min_size's number" in problems, problems


def test_an_attribute_the_object_does_not_declare_is_named(tmp_path: Path) -> None:
    missing = FAITHFUL_GROUPED_TF.replace("    max   = optional(number, 3)\n", "")
    problems = mismatches(_write_grouped_stack(tmp_path, missing), "thing")
    assert "var.thing.max is passed to module.thing.max_size but not declared in the stack" in problems, problems


def _write_alarm_stack(tmp_path: Path, size_condition: str) -> Path:
    """Like monitoring's App Runner capacity alarm: an always-present module whose limit is one target's only,
    fed from an object attribute."""
    (tmp_path / "modules" / "alarms").mkdir(parents=True)
    (tmp_path / "modules" / "alarms" / "variables.tf").write_text(
        'variable "compute" {\n  type = string\n}\n'
        'variable "threshold" {\n  type    = number\n  default = 3\n  validation {\n'
        '    condition     = var.compute != "small" || var.threshold <= 25\n    error_message = "m"\n  }\n}\n'
    )
    stack_dir = tmp_path / "stack"
    stack_dir.mkdir()
    (stack_dir / "main.tf").write_text(
        'module "alarms" {\n  source    = "../modules/alarms"\n  compute   = var.compute\n'
        "  threshold = var.size.max\n}\n"
    )
    (stack_dir / "variables.tf").write_text(
        'variable "compute" {\n  type = string\n}\n'
        'variable "size" {\n  type    = object({ max = optional(number, 3) })\n'
        f'  validation {{\n    condition     = {size_condition}\n    error_message = "m"\n  }}\n}}\n'
    )
    return stack_dir


def test_a_module_check_guarded_by_its_own_compute_input_stays_guarded(tmp_path: Path) -> None:
    guarded = _write_alarm_stack(tmp_path / "a", 'var.compute != "small" || (var.size.max <= 25)')
    assert mismatches(guarded, "size") == []
    # Unguarded, the small target's alarm limit would cap every target (the old Fargate-at-25-tasks bug).
    problems = mismatches(_write_alarm_stack(tmp_path / "b", "var.size.max <= 25"), "size")
    assert 'lacks the module\'s validation condition var.compute != "small" || var.size.max <= 25' in problems, problems
    assert "has a validation condition no module input has: var.size.max <= 25" in problems, problems
