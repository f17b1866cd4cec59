"""platformctl rollback ENV [--to ENTRY]: back to the previous (or a named) release that verified in ENV, through
the same request -> approval -> apply path as any change."""

from __future__ import annotations

import click

from platform_cli.core import deploy

from ._common import AppContext, pass_app
from ._identity import requester


@click.command()
@click.argument("env")
@click.option("--to", "to_entry", metavar="ENTRY", help="A history entry (or request) id naming the release.")
@pass_app
def rollback(app: AppContext, env: str, to_entry: str | None) -> None:
    """Plan ENV back to an earlier release that verified there."""
    stack = app.stack(env)
    planned = deploy.rollback(stack, requester(stack), to_entry=to_entry)
    app.console.print(planned.record.summary_line(), "bold")
    if planned.request:
        app.console.info(
            f"rollback request {planned.request['request_id']}: another person runs "
            f"`platformctl approve {env} {planned.request['request_id']}`, then `platformctl apply {env}`"
        )
    else:
        app.console.info(f"next: `platformctl apply {env}`")
