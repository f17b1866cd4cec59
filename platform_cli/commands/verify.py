"""platformctl verify ENV: read the deployed environment with boto3 and check it; exit 1 on any failure.

The result is recorded in the environment's audit log against the release it runs: promotion reads it there.
"""

from __future__ import annotations

import click

from platform_cli.core import deploy
from platform_cli.core.verify import Check

from ._common import AppContext, json_option, pass_app


def report_checks(app: AppContext, env: str, checks: list[Check], as_json: bool = False) -> bool:
    """Print the checks; True when any failed."""
    failed = [c for c in checks if c.failed]
    if as_json:
        app.console.json({"environment": env, "ok": not failed, "checks": [c.as_dict() for c in checks]})
        return bool(failed)
    app.console.table(
        ["area", "check", "status", "detail"], [[c.area, c.name, c.status, c.detail] for c in checks], status_col=2
    )
    skipped = sum(1 for c in checks if c.status == "skip")
    summary = f"{env}: {len(checks) - len(failed) - skipped}/{len(checks) - skipped} checks passed" + (
        f", {skipped} skipped" if skipped else ""
    )
    app.console.print(summary, "red" if failed else "green")
    return bool(failed)


@click.command()
@click.argument("env")
@json_option
@pass_app
def verify(app: AppContext, env: str, as_json: bool) -> None:
    """Verify ENV's deployed resources against what the stack promises."""
    app.console.json_mode = as_json
    checks = deploy.verify(app.stack(env))
    raise click.exceptions.Exit(1 if report_checks(app, env, checks, as_json) else 0)
