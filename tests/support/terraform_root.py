"""A Terraform root a test applies itself (not through platformctl): init under platformctl's init lock (the
provider cache is shared with everything else), apply, and the outputs by name."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from platform_cli.core.tfconfig import init_lock


def apply_root(root: Path, env: dict[str, str], *, timeout: float) -> dict[str, Any]:
    def terraform(*args: str) -> str:
        proc = subprocess.run(
            ["terraform", *args, "-no-color"], cwd=root, env=env, capture_output=True, text=True, timeout=timeout
        )
        assert proc.returncode == 0, f"terraform {args[0]}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc.stdout

    with init_lock():
        terraform("init", "-input=false")
    terraform("apply", "-auto-approve", "-input=false")
    return {name: output["value"] for name, output in json.loads(terraform("output", "-json")).items()}
