"""The approval hook a protected environment's apply must pass.

An approval record is a JSON file at .platformctl/envs/<env>/approvals/<plan_sha256>.json holding
{"plan_sha256": ..., "approvers": [...]}. It approves one exact plan (by the plan file's hash), never an
environment in general. Producing approvals (the review flow) is a separate feature; it writes these files.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import Refused
from .paths import Paths
from .plans import PlanRecord
from .settings import EnvSettings


def approval_file(paths: Paths, env: str, plan_sha256: str) -> Path:
    return paths.approvals_dir(env) / f"{plan_sha256}.json"


def approvers_for(paths: Paths, env: str, plan_sha256: str) -> list[str]:
    path = approval_file(paths, env, plan_sha256)
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return []
    if data.get("plan_sha256") != plan_sha256:
        return []
    return sorted({str(a) for a in data.get("approvers", []) if str(a).strip()})


def check_approved(paths: Paths, settings: EnvSettings, record: PlanRecord) -> None:
    """Raise Refused unless this exact plan has the approvals the environment requires."""
    required = max(settings.approvals, 1 if settings.protected else 0)
    if required == 0:
        return
    approvers = approvers_for(paths, settings.name, record.plan_sha256)
    if len(approvers) < required:
        raise Refused(
            f"{settings.name} is protected: plan {record.plan_sha256[:12]} has {len(approvers)} of {required} "
            "required approval(s)",
            hint="have the plan reviewed and approved, then run apply again")
