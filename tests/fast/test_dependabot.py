"""Dependabot keeps the actions, the Python dependencies and every Terraform root and module up to date, weekly."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".github" / "dependabot.yml"


def _updates() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load(CONFIG.read_text())
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert len(updates) == len(config["updates"]), "one entry per ecosystem: merge duplicates"
    return updates


def _directories(update: dict[str, Any]) -> list[str]:
    return update.get("directories") or [update["directory"]]


def test_the_three_ecosystems_are_covered_weekly_and_grouped() -> None:
    updates = _updates()
    assert {"github-actions", "pip", "terraform"} <= set(updates)
    for ecosystem, update in updates.items():
        assert update["schedule"]["interval"] == "weekly", ecosystem
        assert update.get("groups"), f"{ecosystem}: group updates so they come as few pull requests"
    assert "/" in _directories(updates["github-actions"])
    assert "/" in _directories(updates["pip"])  # pyproject.toml


def test_every_terraform_module_and_stack_is_covered() -> None:
    """A new folder under modules/ or infra/ is picked up without editing the config (or the config lists it)."""
    patterns = _directories(_updates()["terraform"])
    folders = [*ROOT.glob("modules/*/versions.tf"), *ROOT.glob("infra/*/versions.tf")]
    assert folders
    for versions_tf in folders:
        folder = "/" + versions_tf.parent.relative_to(ROOT).as_posix()
        assert any(fnmatch(folder, pattern) for pattern in patterns), f"{folder} is not in dependabot.yml"
