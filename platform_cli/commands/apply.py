"""platformctl apply ENV: apply the saved plan, never a fresh one; refuse stale or unapproved plans."""

from __future__ import annotations

import click

from ._common import Context, pass_app


@click.command()
@click.argument("env")
@pass_app
def apply(app: Context, env: str) -> None:
    """Apply ENV's saved plan (made by `platformctl plan ENV`)."""
    record = app.stack(env).apply()
    app.console.print(f"{env}: applied plan {record.plan_sha256[:12]} ({record.summary_line().split(': ', 1)[1]})",
                      "green")
