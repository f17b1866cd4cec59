"""platformctl doctor: is this machine ready? Each line is ok or says what to do."""

from __future__ import annotations

import click

from platform_cli.core.doctor import run_checks

from ._common import Context, json_option, pass_app


@click.command()
@json_option
@pass_app
def doctor(app: Context, as_json: bool) -> None:
    """Check Terraform, providers, AWS identity, backends and the sandbox."""
    results = run_checks(app)
    if as_json:
        app.console.json([r.__dict__ for r in results])
    else:
        for r in results:
            mark = {"ok": app.console.style("ok  ", "green"), "warn": app.console.style("warn", "yellow"),
                    "FAIL": app.console.style("FAIL", "red")}[r.status]
            app.console.print(f"{mark} {r.name}: {r.detail}")
    raise click.exceptions.Exit(1 if any(r.status == "FAIL" for r in results) else 0)
