"""Policy scan: checkov over the Terraform code and over what a plan changes, summarised.

checkov runs with --skip-download (no network) and --soft-fail (we read its JSON and decide the exit code here).

A plan is scanned for what it changes, not for the whole stack it lives in (a plan of 18 changes in a
3,000-resource stack scanned everything in 110 s): scan_plan_changes writes a reduced `show -json` holding the
resources the plan creates, updates, replaces, imports or moves, plus the other resources of the same module
instances (so checks that look at a neighbour, e.g. a bucket's public access block, still see it), scans that
with checkov's terraform_plan framework, and keeps the results of the changed resources only. `scope` says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PlatformError
from .paths import Paths
from .plan_model import Plan


@dataclass
class ScanResult:
    target: str
    framework: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    # What was scanned, for a plan: {"changed": resources the plan changes, "resources": resources in the plan}.
    scope: dict[str, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanResult:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


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


def _run_checkov(args: list[str], target: str, framework: str, only: set[str] | None = None) -> ScanResult:
    """checkov's findings; with `only`, the findings of those resource addresses alone."""
    cmd = [
        find_checkov(),
        *args,
        "--framework",
        framework,
        "--skip-download",
        "--soft-fail",
        "-o",
        "json",
        "--compact",
        # --quiet leaves passed checks out of the JSON: keep them when counting a subset of resources.
        *(["--quiet"] if only is None else []),
    ]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    out = proc.stdout.strip()
    if proc.returncode != 0 or not out:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise PlatformError(f"checkov failed on {target}: {last}", hint="run checkov by hand to see why")
    result = ScanResult(target, framework)
    for report in _json_documents(out, target):
        results = report.get("results", {})
        if only is not None:  # count the kept resources' checks, not checkov's summary of everything it saw
            for key, name in (("passed", "passed_checks"), ("failed", "failed_checks"), ("skipped", "skipped_checks")):
                setattr(
                    result, key, getattr(result, key) + sum(c.get("resource") in only for c in results.get(name, []))
                )
        else:
            # A directory with nothing to scan yields a bare summary ({"passed": 0, ...}) instead of a report.
            summary = report.get("summary", report if "results" not in report else {})
            result.passed += summary.get("passed", 0)
            result.failed += summary.get("failed", 0)
            result.skipped += summary.get("skipped", 0)
        for chk in results.get("failed_checks", []):
            if only is not None and chk.get("resource") not in only:
                continue
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


def _module_resources(module: dict[str, Any]) -> list[dict[str, Any]]:
    return list(module.get("resources") or []) + [
        r for child in module.get("child_modules") or [] for r in _module_resources(child)
    ]


def _keep(module: dict[str, Any], modules: set[str]) -> dict[str, Any] | None:
    """A planned_values module holding only the resources of the given module instances ("" is the root)."""
    children = [c for c in (_keep(child, modules) for child in module.get("child_modules") or []) if c]
    resources = (module.get("resources") or []) if module.get("address", "") in modules else []
    if not resources and not children:
        return None
    kept = {k: v for k, v in module.items() if k not in ("resources", "child_modules")}
    return {**kept, "resources": resources, "child_modules": children}


KNOWN_AFTER_APPLY = "(known after apply)"


def _fill_unknowns(module: dict[str, Any], unknown: dict[str | None, dict[str, Any]]) -> dict[str, Any]:
    """planned_values leave out what is known only after apply (a key ARN created in the same plan); checkov
    would read such an attribute as unset and fail, e.g., "SNS topic encrypted" for a topic whose key is being
    created. Mark those top-level attributes as set, as they will be."""

    def filled(resource: dict[str, Any]) -> dict[str, Any]:
        values = dict(resource.get("values") or {})
        for name, is_unknown in unknown.get(resource.get("address"), {}).items():
            if is_unknown is True and values.get(name) is None:
                values[name] = KNOWN_AFTER_APPLY
        return {**resource, "values": values}

    return {
        **module,
        "resources": [filled(r) for r in module.get("resources") or []],
        "child_modules": [_fill_unknowns(c, unknown) for c in module.get("child_modules") or []],
    }


def changes_only(shown: dict[str, Any], model: Plan | None = None) -> tuple[dict[str, Any], set[str]]:
    """A `show -json` document reduced to the module instances holding what the plan changes, and the changed
    addresses (what a scan of the plan reports on)."""
    model = model or Plan.from_json(shown)
    changed = model.changed_addresses
    modules = {c.module for c in model.changes if c.address in changed}
    root = (shown.get("planned_values") or {}).get("root_module") or {}
    kept = _keep(root, modules) or {"resources": [], "child_modules": []}
    unknown = {
        rc.get("address"): (rc.get("change") or {}).get("after_unknown") or {}
        for rc in shown.get("resource_changes") or []
    }
    kept = _fill_unknowns(kept, unknown)
    addresses = {r.get("address") for r in _module_resources(kept)}
    reduced: dict[str, Any] = {
        k: shown[k] for k in ("format_version", "terraform_version", "configuration", "variables") if k in shown
    }
    reduced["planned_values"] = {"root_module": kept}
    reduced["resource_changes"] = [rc for rc in shown.get("resource_changes") or [] if rc.get("address") in addresses]
    return reduced, changed


def scan_plan_changes(
    shown: dict[str, Any], env: str, model: Plan | None = None, code_root: Path | None = None
) -> ScanResult:
    """checkov over what this plan changes (see the module doc), findings of the changed resources only.

    code_root: the Terraform code the plan was made from. checkov then reads its inline `checkov:skip` comments,
    so a plan's scan skips exactly what the scan of the code skips (without it, every reasoned skip would fail)."""
    reduced, changed = changes_only(shown, model)
    total = len(_module_resources((shown.get("planned_values") or {}).get("root_module") or {}))
    scope = {"changed": len(changed), "resources": total}
    if not changed:
        return ScanResult(f"{env} saved plan", "terraform_plan", scope=scope)
    with tempfile.TemporaryDirectory(prefix="platformctl-scan-") as tmp:
        path = Path(tmp) / "plan-changes.json"
        path.write_text(json.dumps(reduced), encoding="utf-8")
        enrich = ["--repo-root-for-plan-enrichment", str(code_root)] if code_root else []
        result = _run_checkov(["-f", str(path), *enrich], f"{env} saved plan", "terraform_plan", only=changed)
    for failure in result.failures:
        failure["file"] = None  # the reduced copy's temporary path says nothing
    result.scope = scope
    return result
