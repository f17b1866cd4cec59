"""Provenance: exactly what a plan was made from, and what has changed since.

Provenance is the git commit, the sha256 of every stack file and every environment input, the variables passed on
the command line and the target (aws or sandbox). `staleness()` compares the provenance recorded with a plan to
the repository as it is now and names what changed; apply refuses a stale plan.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .paths import Paths

_SKIP_DIRS = {".terraform", "__pycache__", ".git"}
_SKIP_FILES = {".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup"}
GIT_TIMEOUT_SECONDS = 10


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
    return digest_map(
        paths, [f for f in (paths.env_file(env), paths.backend_file(env), paths.tfvars_file(env)) if f.is_file()]
    )


def git_commit(root: Path) -> tuple[str, bool]:
    """(HEAD commit or "unknown", whether the worktree has uncommitted changes)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS
        )
        if head.returncode != 0:
            return "unknown", False
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
        )
        return head.stdout.strip(), bool(dirty.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        return "unknown", False


def git_branch(root: Path) -> str:
    """The branch a plan was made from: in GitHub Actions the run's (a pull request's checkout is a detached merge
    commit), elsewhere the checked-out one; "unknown" outside git or on a detached HEAD."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        name = os.environ.get("GITHUB_HEAD_REF") or os.environ.get("GITHUB_REF_NAME")
        if name:
            return name
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "symbolic-ref", "--quiet", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return head.stdout.strip() if head.returncode == 0 and head.stdout.strip() else "unknown"


def provenance_now(paths: Paths, env: str, *, variables: dict[str, Any], target: str) -> dict[str, Any]:
    commit, dirty = git_commit(paths.root)
    stack = stack_digests(paths)
    inputs = input_digests(paths, env)
    return {
        "git_commit": commit,
        "git_dirty": dirty,
        "git_branch": git_branch(paths.root),
        "stack_sha256": combined(stack),
        "stack_files": stack,
        "inputs_sha256": combined(inputs, {"variables": variables, "target": target}),
        "input_files": inputs,
        "variables": variables,
        "target": target,
    }


def _changed_files(old: dict[str, str], new: dict[str, str]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def staleness(
    was: dict[str, Any], now: dict[str, Any], *, state_serial: int | None, state_lineage: str | None
) -> list[str]:
    """What changed since provenance `was` was recorded, as readable phrases (empty: nothing changed)."""
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
