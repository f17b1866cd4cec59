"""The stack's pass-through variables carry exactly their modules' default, type and validation.

infra/platform declares its own copy of every input it hands straight to a module (`arg = var.X`), so a bad value
is refused at the stack's edge under the stack's variable name. A copy that drifts looser than the module lets a
value through the stack's checks that the module then refuses, or silently misses a check added to the module later.
This test reads the .tf files with python-hcl2 (no Terraform) and compares every such pair.

Rules, per stack variable X passed as `arg = var.X` to one or more module inputs:
- its type equals each module input's type, and its default equals each module input's default;
- its set of validation conditions equals the union of the module inputs' conditions, after rewriting the
  module's `var.<input>` references to the stack variables that feed those inputs (so a check such as
  `var.autoscaling_max_size >= var.autoscaling_min_size` must appear as
  `var.service_max_instances >= var.service_min_instances`). A variable fed to two modules is as strict as both.
- A module that exists for one compute target only (its `count` tests `var.compute == "X"`) applies its checks to
  that target only: a condition only such modules have appears as `var.compute != "X" || <condition>`, so a Fargate
  environment may use Fargate's sizes and an App Runner one App Runner's. A condition every fed module has (or one
  an always-present module has) stays unguarded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import hcl2
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STACK_DIR = REPO_ROOT / "infra" / "platform"

PASS_THROUGH = re.compile(r"^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$")
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
    stack_variable: str
    guard: str | None = None  # the compute target the module exists for, when its count says so

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


def expected_conditions(stack_dir: Path, feeds: list[PassThrough]) -> set[tuple[str | None, str]]:
    """The union of the fed module inputs' conditions, spelled with the stack's variable names, each with the
    compute target it is guarded by (None: unguarded)."""
    guards_of: dict[str, set[str | None]] = {}
    for feed in feeds:
        # Every input of that module fed straight from a stack variable is renamed, not only the checked one.
        renames = {p.argument: p.stack_variable for p in pass_throughs(stack_dir) if p.module == feed.module}
        for condition in load_variables(feed.source)[feed.argument].conditions:
            renamed = VAR_REF.sub(lambda m, renames=renames: f"var.{renames.get(m.group(1), m.group(1))}", condition)
            guards_of.setdefault(renamed, set()).add(feed.guard)
    every_feed = {feed.guard for feed in feeds}
    expected: set[tuple[str | None, str]] = set()
    for condition, guards in guards_of.items():
        if None in guards or guards == every_feed:
            expected.add((None, condition))
        else:
            expected.update((guard, condition) for guard in guards)
    return expected


def _guarded(condition: str) -> tuple[str | None, str]:
    match = CONDITION_GUARD.match(condition)
    return (match.group(1), match.group(2)) if match else (None, condition)


def _spell(guarded: tuple[str | None, str]) -> str:
    guard, condition = guarded
    return condition if guard is None else f'var.compute != "{guard}" || {condition}'


def mismatches(stack_dir: Path, stack_variable: str) -> list[str]:
    """Every way var.<stack_variable> differs from the module inputs it feeds; empty when it matches."""
    feeds = feeds_by_stack_variable(stack_dir)[stack_variable]
    stack = load_variables(stack_dir).get(stack_variable)
    if stack is None:
        return [f"var.{stack_variable} is passed to {feeds[0].target} but not declared in the stack"]
    problems = []
    for feed in feeds:
        module_var = load_variables(feed.source).get(feed.argument)
        if module_var is None:
            problems.append(f"{feed.target} is not a variable of module {feed.module}")
            continue
        if stack.type != module_var.type:
            problems.append(f"type {stack.type} differs from {feed.target}'s {module_var.type}")
        if (stack.has_default, stack.default) != (module_var.has_default, module_var.default):
            ours = repr(stack.default) if stack.has_default else "none"
            theirs = repr(module_var.default) if module_var.has_default else "none"
            problems.append(f"default {ours} differs from {feed.target}'s {theirs}")
    if any(load_variables(f.source).get(f.argument) is None for f in feeds):
        return problems
    expected = expected_conditions(stack_dir, feeds)
    actual = {_guarded(c) for c in stack.conditions}
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
