"""The layers hold: cli -> commands -> github -> core; the sandbox stands alone (import-linter contracts)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "platform_cli", tmp_path / "platform_cli", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_are_kept(copy_of_the_package):
    result = lint_imports(copy_of_the_package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, line",
    [
        ("core/paths.py", "from platform_cli.sandbox import manager"),
        ("core/stack.py", "import platform_cli.sandbox.server"),
        ("sandbox/manager.py", "from platform_cli.core.paths import Paths"),
        ("sandbox/services/ecr.py", "from platform_cli.sandbox import server"),
        ("sandbox/constants.py", "from platform_cli.sandbox.services import s3"),
        ("core/settings.py", "from platform_cli.commands import plan"),
        ("github/comment.py", "from platform_cli.commands import comment"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(copy_of_the_package, module, line):
    path = copy_of_the_package / "platform_cli" / module
    path.write_text(path.read_text() + f"\n{line}  # added by the test\n")
    result = lint_imports(copy_of_the_package)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
