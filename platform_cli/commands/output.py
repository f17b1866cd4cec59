"""platformctl output ENV: the stack outputs for an environment."""

from __future__ import annotations

import json

import click

from ._common import AppContext, json_option, pass_app


@click.command()
@click.argument("env")
@json_option
@pass_app
def output(app: AppContext, env: str, as_json: bool) -> None:
    """Show ENV's Terraform outputs."""
    app.console.json_mode = as_json
    values = app.stack(env).outputs()
    if as_json:
        app.console.json(values)
        return
    if not values:
        app.console.info(f"{env}: no outputs (not applied yet?)")
    for name in sorted(values):
        value = values[name]
        app.console.print(f"{name} = {value if isinstance(value, str) else json.dumps(value)}")
