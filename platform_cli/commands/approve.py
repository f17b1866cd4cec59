"""platformctl approve ENV [REQUEST]: approve a request's exact plan (its sha256) as the person running this.

In a terminal the approver is the AWS caller; in GitHub Actions it is the reviewer who approved the run's protected
environment (GitHub's environment protection is the gate; platformctl records who passed it).
"""

from __future__ import annotations

import click

from platform_cli.core import promotion

from ._common import AppContext, pass_app
from ._identity import approver


@click.command()
@click.argument("env")
@click.argument("request_id", required=False)
@click.option(
    "--plan-sha256",
    "plan_sha256",
    metavar="SHA256",
    help="Refuse unless the request's plan has this sha256 (what the reviewers saw; deploy.yml passes it on).",
)
@pass_app
def approve(app: AppContext, env: str, request_id: str | None, plan_sha256: str | None) -> None:
    """Approve ENV's request REQUEST (default: its latest) for apply."""
    stack = app.stack(env)
    who = approver(stack)
    state = stack.state()
    serial = state.get("serial") if state.get("lineage") else None
    records = promotion.records_for(stack.target, stack.settings)
    entry = promotion.approve(
        records,
        env,
        request_id,
        who,
        current_state_serial=serial,
        expected_plan_sha256=plan_sha256,
        people=stack.settings.people,
    )
    app.console.print(
        f"{env}: {who.label()} approved request {entry['request_id']} (plan {entry['plan_sha256'][:12]})", "green"
    )
