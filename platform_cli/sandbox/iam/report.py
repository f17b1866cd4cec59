"""The decision log (one JSON line per authorization) and the least-privilege report built from it.

Each line: time, principal, action, resource, allowed, enforced (refused for real), mode, reason (AWS's words)
and detail (which statement, which condition). `least_privilege_policy(log, principal)` turns what a principal
did into the identity policy that allows exactly that: one statement per set of resources that took the same
actions.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from .evaluation import Decision


class DecisionLog:
    """Appends decisions to a JSON-lines file (or keeps none without a path). Thread-safe."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self._lock = threading.Lock()

    def record(self, decision: Decision, *, enforced: bool, mode: str) -> None:
        if self.path is None:
            return
        entry = {
            "time": time.time(),
            "principal": decision.principal,
            "action": decision.action,
            "resource": decision.resource,
            "allowed": decision.allowed,
            "enforced": enforced,
            "mode": mode,
            "reason": decision.reason,
            "detail": decision.detail,
        }
        with self._lock, open(self.path, "a") as log:
            log.write(json.dumps(entry) + "\n")


def read_decisions(path: str | Path) -> list[dict[str, Any]]:
    """The log's entries (a line cut short by a crash is skipped)."""
    entries = []
    try:
        lines = Path(path).read_text().splitlines()
    except FileNotFoundError:
        return []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def principal_matches(recorded: str, wanted: str) -> bool:
    """A full ARN, or its tail: a role name matches its sessions (assumed-role/NAME/...), a user name its user."""
    if recorded == wanted:
        return True
    tail = recorded.split(":", 5)[-1]
    kind, _, rest = tail.partition("/")
    parts = rest.split("/")
    return wanted in {rest, parts[0], f"{kind}/{parts[0]}", f"{kind}/{rest}"} or (
        wanted.startswith("arn:") and kind == "assumed-role" and wanted.endswith(f":role/{parts[0]}")
    )


def least_privilege_policy(entries: list[dict[str, Any]], principal: str) -> dict[str, Any]:
    """The identity policy that allows exactly the actions on the resources `principal` used (allowed or not)."""
    actions_by_resource: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if not principal_matches(entry["principal"], principal) or entry["resource"] == "(unknown)":
            continue
        actions_by_resource[entry["resource"]].add(entry["action"])
    resources_by_actions: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for resource, used in actions_by_resource.items():
        resources_by_actions[tuple(sorted(used))].append(resource)
    statements = [
        {
            "Effect": "Allow",
            "Action": list(used) if len(used) > 1 else used[0],
            "Resource": sorted(resources) if len(resources) > 1 else resources[0],
        }
        for used, resources in sorted(resources_by_actions.items(), key=lambda item: sorted(item[1])[0])
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def principals_in(entries: list[dict[str, Any]]) -> list[str]:
    return sorted({entry["principal"] for entry in entries})
