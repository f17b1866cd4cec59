"""platformctl destroy ENV: refused for protected environments; otherwise type the name back (or --yes)."""

from __future__ import annotations

import click

from platform_cli.core.errors import Refused

from ._common import AppContext, pass_app


@click.command()
@click.argument("env")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (CI).")
@pass_app
def destroy(app: AppContext, env: str, yes: bool) -> None:
    """Destroy everything in ENV."""
    stack = app.stack(env)
    if stack.settings.protected:
        stack.destroy()  # raises the refusal with its reason
    if not yes:
        typed = click.prompt(
            f"This destroys every resource in {env}. Type the environment name to confirm",
            default="",
            show_default=False,
            err=True,
        )
        if typed.strip() != env:
            raise Refused(
                f"destroy of {env} not confirmed (typed {typed.strip()!r})", hint=f"type {env!r} exactly, or pass --yes"
            )
    stack.destroy()
    app.console.print(f"{env}: destroyed", "green")
