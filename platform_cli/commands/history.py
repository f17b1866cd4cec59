"""platformctl history ENV: the environment's audit log (requests, approvals, applies, verifications, rollbacks)."""

from __future__ import annotations

import click

from platform_cli.core import promotion
from platform_cli.core.errors import Refused

from ._common import AppContext, json_option, pass_app


def _who(entry: dict) -> str:
    person = entry.get("approved_by") or entry.get("requested_by") or entry.get("by") or {}
    return person.get("github") or person.get("aws") or ""


def _what(entry: dict) -> str:
    kind = entry["kind"]
    if kind == "request":
        return f"{entry['reason']}: {entry['summary']}"
    if kind == "apply-outcome":
        return entry["outcome"] + (f" ({entry['detail']})" if entry.get("detail") else "")
    if kind == "verify":
        return "passed" if entry["ok"] else f"FAILED: {', '.join(entry['failed_checks'])}"
    if kind == "rollback":
        return f"{entry['from_release_id']} -> {entry['to_release_id']}: {entry['reason']}"
    if kind == "apply-start":
        return "approved by " + ", ".join(entry.get("approvers") or ["(not required)"])
    if kind == "watch":
        firing = entry.get("firing") or []
        if not firing:
            return f"watched {entry['seconds']}s: no alarm"
        return "ALARM: " + ", ".join(f"{a['alarm']}{' (model)' if a.get('model') else ''} at {a['at']}" for a in firing)
    return ""


@click.command()
@click.argument("env")
@click.option(
    "--verify",
    is_flag=True,
    help="Check the log's chain instead of listing it: names the first entry that is missing, changed or forked "
    "(exit 1), or says how many entries verify (exit 0).",
)
@json_option
@pass_app
def history(app: AppContext, env: str, verify: bool, as_json: bool) -> None:
    """Show ENV's audit log, oldest first."""
    app.console.json_mode = as_json
    stack = app.stack(env)
    log = promotion.records_for(stack.target, stack.settings).read_log()
    if verify:
        if as_json:
            app.console.json({"verified": log.problem is None, "problem": log.problem, "entries": len(log.entries)})
        if log.problem:
            raise Refused(
                f"{env}'s audit log does not verify: {log.problem}",
                hint="approve and apply refuse until the entry is restored from the state bucket's object versions",
            )
        if not as_json:
            app.console.info(f"{env}: the audit log verifies ({len(log.entries)} entries)")
        return
    entries = log.entries
    if as_json:
        app.console.json(entries)
        return
    if not entries:
        app.console.info(f"{env}: no history yet")
        return
    app.console.table(
        ["#", "id", "at", "kind", "who", "request", "release", "plan", "what"],
        [
            [
                e["seq"],
                e["id"],
                e["at"],
                e["kind"],
                _who(e),
                e.get("request_id") or "",
                e.get("release_id") or "",
                (e.get("plan_sha256") or "")[:12],
                _what(e),
            ]
            for e in entries
        ],
    )
    if log.problem:
        app.console.error(f"{env}'s audit log does not verify: {log.problem} (`platformctl history {env} --verify`)")
