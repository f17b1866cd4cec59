"""CODEOWNERS names an owner for every path that can change what reaches prod, and every path it names exists."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GATED = {"/envs/prod/", "/infra/bootstrap/", "/.github/workflows/", "/.github/CODEOWNERS"}


def _rules() -> dict[str, list[str]]:
    rules = {}
    for line in (ROOT / ".github" / "CODEOWNERS").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            pattern, *owners = line.split()
            rules[pattern] = owners
    return rules


def test_the_paths_that_reach_prod_have_owners() -> None:
    rules = _rules()
    for pattern in GATED:
        assert rules.get(pattern), f"{pattern} has no code owner"
        assert all(owner.startswith("@") for owner in rules[pattern]), rules[pattern]


def test_every_owned_path_exists() -> None:
    for pattern in _rules():
        assert (ROOT / pattern.strip("/")).exists(), f"CODEOWNERS names {pattern}, which does not exist"
