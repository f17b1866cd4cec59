"""Policy scan: checkov over the Terraform code and over saved plans' JSON, summarised.

checkov runs with --skip-download (no network) and --soft-fail (we read its JSON and decide the exit code here).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PlatformError
from .paths import Paths


@dataclass
class ScanResult:
    target: str
    framework: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def find_checkov() -> str:
    beside = Path(sys.executable).parent / "checkov"
    if beside.is_file():
        return str(beside)
    found = shutil.which("checkov")
    if not found:
        raise PlatformError(
            "checkov not found next to this Python or on PATH",
            hint="install the dev extras: pip install -e '.[dev]' (make install)",
        )
    return found


def _run_checkov(args: list[str], target: str, framework: str) -> ScanResult:
    cmd = [
        find_checkov(),
        *args,
        "--framework",
        framework,
        "--skip-download",
        "--soft-fail",
        "-o",
        "json",
        "--quiet",
        "--compact",
    ]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    out = proc.stdout.strip()
    if proc.returncode != 0 or not out:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise PlatformError(f"checkov failed on {target}: {last}", hint="run checkov by hand to see why")
    result = ScanResult(target, framework)
    for report in _json_documents(out, target):
        # A directory with nothing to scan yields a bare summary ({"passed": 0, ...}) instead of a report.
        summary = report.get("summary", report if "results" not in report else {})
        result.passed += summary.get("passed", 0)
        result.failed += summary.get("failed", 0)
        result.skipped += summary.get("skipped", 0)
        for chk in report.get("results", {}).get("failed_checks", []):
            result.failures.append(
                {
                    "check_id": chk.get("check_id"),
                    "check": chk.get("check_name"),
                    "resource": chk.get("resource"),
                    "file": chk.get("file_path"),
                    "lines": chk.get("file_line_range"),
                }
            )
    return result


def _json_documents(text: str, target: str) -> list[dict[str, Any]]:
    """checkov prints one JSON value per scanned directory (a list or objects, sometimes concatenated)."""
    decoder, docs, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        try:
            value, i = decoder.raw_decode(text, i)
        except ValueError:
            raise PlatformError(f"checkov gave unreadable output for {target}") from None
        docs.extend(value if isinstance(value, list) else [value])
    return docs


def scan_code(paths: Paths) -> ScanResult:
    dirs = [d for d in (paths.modules_dir, paths.infra_dir) if d.is_dir()]
    if not dirs:
        raise PlatformError(f"nothing to scan: no modules/ or infra/ under {paths.root}")
    args = [a for d in dirs for a in ("-d", str(d))]
    return _run_checkov(args, " + ".join(str(d.relative_to(paths.root)) for d in dirs), "terraform")


def scan_plan(plan_json: Path, env: str) -> ScanResult:
    return _run_checkov(["-f", str(plan_json)], f"{env} saved plan", "terraform_plan")
