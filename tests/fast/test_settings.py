"""Environment settings: one name rule (the stack's own), optional keys, and the refusals."""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest

from platform_cli.core.errors import SettingsError
from platform_cli.core.settings import ENV_NAME_PATTERN, ENV_NAME_RULE, check_env_name

REPO = Path(__file__).resolve().parents[2]


def _stack_environment_variable() -> dict:
    with (REPO / "infra/platform/variables.tf").open() as handle:
        variables = [next(iter(v.items())) for v in hcl2.load(handle)["variable"]]
    return dict(variables)["environment"]


def test_the_name_rule_is_the_stacks_rule_in_the_same_words():
    (validation,) = _stack_environment_variable()["validation"]
    condition = validation["condition"][0] if isinstance(validation["condition"], list) else validation["condition"]
    message = (
        validation["error_message"][0] if isinstance(validation["error_message"], list) else validation["error_message"]
    )
    stack_pattern = re.search(r'regex\("([^"]+)"', condition).group(1).replace("\\\\", "\\")
    assert stack_pattern == ENV_NAME_PATTERN
    assert message == ENV_NAME_RULE


@pytest.mark.parametrize("name", ["qa", "staging", "prod-eu-1", "a" * 16, "x1"])
def test_names_terraform_accepts_are_accepted(name):
    check_env_name(name)


@pytest.mark.parametrize("name", ["a", "a" * 17, "Prod", "1st", "stage_1", "staging-", "-x", "st g"])
def test_names_terraform_refuses_are_refused_with_its_words(name):
    with pytest.raises(SettingsError) as refused:
        check_env_name(name)
    assert ENV_NAME_RULE in refused.value.one_line()
