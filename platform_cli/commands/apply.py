"""platformctl apply ENV: apply the saved plan, never a fresh one; refuse stale or unapproved plans.

A protected environment applies exactly the plan of its latest request (fetched from the state bucket and checked
by sha256 when this machine has no copy), once enough people other than the requester approved it. Every apply
is recorded in the environment's audit log, then the environment is verified and that is recorded too.
"""

from __future__ import annotations

import re

import click

from platform_cli.core import deploy
from platform_cli.core.errors import Refused

from ._common import AppContext, pass_app
from ._identity import requester
from .verify import report_checks

_DURATION = re.compile(r"^(\d+)(s|m|h)$")


def _seconds(ctx, param, value):
    if value is None:
        return None
    match = _DURATION.match(value)
    if not match:
        raise click.BadParameter("expected a duration such as 90s, 10m or 1h")
    return int(match[1]) * {"s": 1, "m": 60, "h": 3600}[match[2]]


@click.command()
@click.argument("env")
@click.option("--request", "request_id", help="Apply this request (default: the latest; protected environments).")
@click.option(
    "--watch",
    "watch_seconds",
    callback=_seconds,
    metavar="DURATION",
    help="After applying, watch the alarms this long (e.g. 10m); roll back if one fires.",
)
@click.option(
    "--plan-sha256",
    "plan_sha256",
    metavar="SHA256",
    help="Refuse unless the request's plan has this sha256 (what the reviewers saw; deploy.yml passes it on).",
)
@pass_app
def apply(
    app: AppContext, env: str, request_id: str | None, watch_seconds: int | None, plan_sha256: str | None
) -> None:
    """Apply ENV's saved plan (made by `platformctl plan ENV`; for protected environments, the approved one)."""
    stack = app.stack(env)
    result = deploy.apply(stack, lambda: requester(stack), request_id=request_id, expected_plan_sha256=plan_sha256)
    record = result["record"]
    app.console.print(
        f"{env}: applied plan {record.plan_sha256[:12]} ({record.summary_line().split(': ', 1)[1]})", "green"
    )
    if result["checks"] and report_checks(app, env, result["checks"]):  # protected: verified right after apply
        raise click.exceptions.Exit(1)
    if watch_seconds:
        _watch(app, stack, requester(stack), watch_seconds)


def _watch(app: AppContext, stack, me, seconds: int) -> None:
    app.console.info(f"{stack.name}: watching the alarms for {seconds}s")
    firing = deploy.watch(stack, seconds)
    if not firing:
        app.console.print(f"{stack.name}: no alarm fired in {seconds}s", "green")
        return
    reason = "alarm(s) fired after apply: " + ", ".join(
        f"{a['alarm']}{' (model)' if a['model'] else ''}" for a in firing
    )
    try:
        planned = deploy.rollback(stack, me, reason=reason)
    except Refused as exc:  # say what fired, not only why there is no rollback
        raise Refused(f"{stack.name}: {reason}; no rollback: {exc.message}", hint=exc.hint) from None
    if not stack.settings.auto_rollback:
        if planned.request is None:  # an unprotected environment: the rollback plan is saved, ready to apply
            raise Refused(
                f"{stack.name}: {reason}; a rollback plan to the release before is saved",
                hint=f"apply it (`platformctl apply {stack.name}`), or set auto_rollback: true in env.yaml",
            )
        request = planned.request["request_id"]
        raise Refused(
            f"{stack.name}: {reason}; rollback request {request} is waiting for approval",
            hint=f"approve it (`platformctl approve {stack.name} {request}`) then apply, or set "
            "auto_rollback: true in env.yaml to roll back without a second approval",
        )
    # auto_rollback: true in env.yaml is the standing approval for this one case; the log records why.
    rolled = deploy.apply(stack, me, auto_rollback_reason=reason)
    app.console.print(f"{stack.name}: {reason}; rolled back to release {rolled['release'].id}", "yellow")
    raise click.exceptions.Exit(1)
