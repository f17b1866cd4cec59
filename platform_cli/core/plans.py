"""Plan records: what a saved plan changes and exactly what it was made from.

A plan record sits next to its plan file. It carries the summary (counts, changed addresses) read from
`terraform show -json`, and provenance: git commit, sha256 of every stack file and every environment input, the
Terraform and provider versions, and the state serial the plan was made against. `staleness()` compares a record
with the repository and state as they are now and names what changed; apply refuses a stale plan.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .errors import NoPlan, StalePlan
from .paths import Paths

SCHEMA_VERSION = 1
_SKIP_DIRS = {".terraform", "__pycache__", ".git"}
_SKIP_FILES = {".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup"}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def _files_under(base: Path) -> Iterable[Path]:
    if not base.is_dir():
        return []
    out = []
    for path in sorted(base.rglob("*")):
        rel_parts = path.relative_to(base).parts
        if any(p in _SKIP_DIRS for p in rel_parts) or path.name in _SKIP_FILES or not path.is_file():
            continue
        out.append(path)
    return out


def digest_map(paths: Paths, files: Iterable[Path]) -> dict[str, str]:
    return {str(p.relative_to(paths.root)): sha256_file(p) for p in files}


def combined(digests: dict[str, str], extra: dict[str, Any] | None = None) -> str:
    payload = json.dumps({"files": digests, "extra": extra or {}}, sort_keys=True).encode()
    return sha256_bytes(payload)


def stack_digests(paths: Paths) -> dict[str, str]:
    """Every file of the stack and the modules it can use (the code a plan was made from)."""
    return digest_map(paths, [*_files_under(paths.stack_dir), *_files_under(paths.modules_dir)])


def input_digests(paths: Paths, env: str) -> dict[str, str]:
    return digest_map(paths, [f for f in (paths.env_file(env), paths.backend_file(env), paths.tfvars_file(env))
                              if f.is_file()])


def git_commit(root: Path) -> tuple[str, bool]:
    """(HEAD commit or "unknown", whether the worktree has uncommitted changes)."""
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
        if head.returncode != 0:
            return "unknown", False
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        return head.stdout.strip(), bool(dirty.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        return "unknown", False


def plan_file_facts(plan_file: Path) -> dict[str, Any]:
    """State serial/lineage the plan was made against and the provider versions locked into it.

    A saved plan is a zip holding the prior state snapshot (tfstate: refreshed values, but the serial and lineage
    of the stored state it was read from) and the dependency lock file, so these come without another Terraform
    run. (tfstate-prev carries no serial/lineage.)
    """
    facts: dict[str, Any] = {"state_serial": None, "state_lineage": None, "providers": {}, "outputs": {}}
    with zipfile.ZipFile(plan_file) as zf:
        names = set(zf.namelist())
        if "tfstate" in names:
            state = json.loads(zf.read("tfstate") or b"{}")
            if state.get("lineage"):
                facts["state_serial"] = state.get("serial")
                facts["state_lineage"] = state.get("lineage")
                facts["outputs"] = {k: v.get("value") for k, v in (state.get("outputs") or {}).items()}
        if ".terraform.lock.hcl" in names:
            lock = zf.read(".terraform.lock.hcl").decode()
            for m in re.finditer(r'provider\s+"([^"]+)"\s*\{[^}]*?version\s*=\s*"([^"]+)"', lock, re.S):
                facts["providers"][m.group(1)] = m.group(2)
    return facts


def summarize(plan_json: dict[str, Any]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    counts = {"add": 0, "change": 0, "destroy": 0, "replace": 0, "import": 0}
    changes: list[dict[str, Any]] = []
    for rc in plan_json.get("resource_changes") or []:
        actions = rc.get("change", {}).get("actions", [])
        importing = bool(rc.get("change", {}).get("importing"))
        if set(actions) == {"create", "delete"}:
            kind = "replace"
        elif actions == ["create"]:
            kind = "add"
        elif actions == ["update"]:
            kind = "change"
        elif actions == ["delete"]:
            kind = "destroy"
        elif actions == ["forget"]:
            kind = "forget"
        else:
            kind = None  # no-op / read
        if kind in counts:
            counts[kind] += 1
        if importing:
            counts["import"] += 1
        if kind or importing:
            changes.append({"address": rc["address"], "action": kind or "import", "actions": actions,
                            "importing": importing})
    return counts, sorted(changes, key=lambda c: c["address"])


@dataclass
class PlanRecord:
    environment: str
    created_at: str
    plan_sha256: str
    has_changes: bool
    counts: dict[str, int]
    changes: list[dict[str, Any]]
    provenance: dict[str, Any]
    output_changes: list[str] = field(default_factory=list)
    status: str = "planned"  # planned -> applied
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PlanRecord":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def summary_line(self) -> str:
        c = self.counts
        if not self.has_changes:
            return f"{self.environment}: no changes"
        parts = [f"{c['add']} to add", f"{c['change']} to change", f"{c['destroy']} to destroy",
                 f"{c['replace']} to replace"]
        if c.get("import"):
            parts.append(f"{c['import']} to import")
        if not self.changes and self.output_changes:
            parts = [f"{len(self.output_changes)} output(s) to change"]
        return f"{self.environment}: " + ", ".join(parts)


def provenance_now(paths: Paths, env: str, *, variables: dict[str, Any], target: str) -> dict[str, Any]:
    commit, dirty = git_commit(paths.root)
    stack = stack_digests(paths)
    inputs = input_digests(paths, env)
    return {
        "git_commit": commit,
        "git_dirty": dirty,
        "stack_sha256": combined(stack),
        "stack_files": stack,
        "inputs_sha256": combined(inputs, {"variables": variables, "target": target}),
        "input_files": inputs,
        "variables": variables,
        "target": target,
    }


def build_record(paths: Paths, env: str, *, provenance: dict[str, Any], plan_json: dict[str, Any],
                 has_changes: bool) -> PlanRecord:
    plan_file = paths.plan_file(env)
    facts = plan_file_facts(plan_file)
    counts, changes = summarize(plan_json)
    output_changes = [name for name, oc in (plan_json.get("output_changes") or {}).items()
                      if oc.get("actions") not in (["no-op"], None)]
    prov = dict(provenance)
    prov.update({
        "terraform_version": plan_json.get("terraform_version"),
        "providers": facts["providers"],
        "state_serial": facts["state_serial"],
        "state_lineage": facts["state_lineage"],
    })
    return PlanRecord(environment=env, created_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                      plan_sha256=sha256_file(plan_file), has_changes=has_changes, counts=counts, changes=changes,
                      provenance=prov, output_changes=output_changes)


def save_record(paths: Paths, record: PlanRecord) -> Path:
    path = paths.plan_record(record.environment)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record.to_dict(), indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return path


def load_record(paths: Paths, env: str) -> PlanRecord:
    path, plan_file = paths.plan_record(env), paths.plan_file(env)
    if not path.is_file() or not plan_file.is_file():
        raise NoPlan(f"no saved plan for {env}: apply only applies a saved plan",
                     hint=f"run `platformctl plan {env}` first, review it, then apply")
    record = PlanRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
    if record.status == "applied":
        raise NoPlan(f"the saved plan for {env} was already applied at {record.provenance.get('applied_at', '?')}",
                     hint=f"run `platformctl plan {env}` for a new plan")
    if sha256_file(plan_file) != record.plan_sha256:
        raise StalePlan(f"the plan file for {env} does not match its plan record (plan file replaced)",
                        hint=f"run `platformctl plan {env}` again", changed=["plan file"])
    return record


def _changed_files(old: dict[str, str], new: dict[str, str]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def staleness(record: PlanRecord, now: dict[str, Any], *, state_serial: int | None,
              state_lineage: str | None) -> list[str]:
    """What changed since the plan was made, as readable phrases (empty: the plan is current)."""
    was = record.provenance
    reasons = []
    if was["stack_sha256"] != now["stack_sha256"]:
        files = _changed_files(was.get("stack_files", {}), now["stack_files"])
        reasons.append(f"stack code changed ({', '.join(files[:5])}{', ...' if len(files) > 5 else ''})")
    if was["inputs_sha256"] != now["inputs_sha256"]:
        files = _changed_files(was.get("input_files", {}), now["input_files"])
        what = ", ".join(files) if files else "variables/target"
        reasons.append(f"environment inputs changed ({what})")
    if was["git_commit"] != now["git_commit"]:
        reasons.append(f"git commit changed ({was['git_commit'][:12]} -> {now['git_commit'][:12]})")
    if (was.get("state_serial"), was.get("state_lineage")) != (state_serial, state_lineage):
        reasons.append(f"state serial changed ({was.get('state_serial')} -> {state_serial})")
    return reasons


def ensure_current(record: PlanRecord, now: dict[str, Any], *, state_serial: int | None,
                   state_lineage: str | None) -> None:
    reasons = staleness(record, now, state_serial=state_serial, state_lineage=state_lineage)
    if reasons:
        raise StalePlan(f"refusing to apply a stale plan for {record.environment}: " + "; ".join(reasons),
                        hint=f"run `platformctl plan {record.environment}` again and review it", changed=reasons)


def mark_applied(paths: Paths, record: PlanRecord) -> None:
    record.status = "applied"
    record.provenance["applied_at"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    save_record(paths, record)
