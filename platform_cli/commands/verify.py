"""platformctl verify ENV: read the deployed environment with boto3 and check it; exit 1 on any failure."""

from __future__ import annotations

import click

from platform_cli.core.verify import verify_environment

from ._common import Context, json_option, pass_app


@click.command()
@click.argument("env")
@json_option
@pass_app
def verify(app: Context, env: str, as_json: bool) -> None:
    """Verify ENV's deployed resources against what the stack promises."""
    app.console.json_mode = as_json
    stack = app.stack(env)
    outputs = stack.outputs()
    if not outputs:
        from platform_cli.core.errors import PlatformError
        raise PlatformError(f"{env} has no stack outputs: nothing deployed to verify",
                            hint=f"run `platformctl plan {env}` and `platformctl apply {env}` first")
    checks = verify_environment(app.target, stack.settings.region, outputs)
    failed = [c for c in checks if c.failed]
    if as_json:
        app.console.json({"environment": env, "ok": not failed, "checks": [c.as_dict() for c in checks]})
    else:
        app.console.table(["area", "check", "status", "detail"], [[c.area, c.name, c.status, c.detail]
                                                                  for c in checks], status_col=2)
        skipped = sum(1 for c in checks if c.status == "skip")
        summary = f"{env}: {len(checks) - len(failed) - skipped}/{len(checks) - skipped} checks passed" + (
            f", {skipped} skipped" if skipped else "")
        app.console.print(summary, "red" if failed else "green")
    raise click.exceptions.Exit(1 if failed else 0)
