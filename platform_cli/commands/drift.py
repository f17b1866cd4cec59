"""platformctl drift ENV: a refresh-only plan; exit 2 listing resources that changed outside Terraform."""

from __future__ import annotations

import click

from ._common import Context, json_option, pass_app


@click.command()
@click.argument("env")
@json_option
@pass_app
def drift(app: Context, env: str, as_json: bool) -> None:
    """Check ENV for drift between real resources and Terraform state."""
    app.console.json_mode = as_json
    drifted = app.stack(env).drift()
    if as_json:
        app.console.json({"environment": env, "drifted": drifted})
    elif drifted:
        app.console.print(f"{env}: {len(drifted)} resource(s) drifted", "yellow")
        for item in drifted:
            app.console.print(f"  {'/'.join(item['actions']):<8} {item['address']}")
    else:
        app.console.print(f"{env}: no drift", "green")
    raise click.exceptions.Exit(2 if drifted else 0)
