"""platformctl init ENV: terraform init against the environment's backend (cheap when nothing changed)."""

from __future__ import annotations

import time

import click

from ._common import AppContext, pass_app


@click.command()
@click.argument("env")
@click.option("--force", is_flag=True, help="Re-run terraform init even if nothing changed.")
@pass_app
def init(app: AppContext, env: str, force: bool) -> None:
    """Initialise ENV's Terraform working directory."""
    stack = app.stack(env)
    started = time.monotonic()
    ran = stack.init(force=force)
    state = "initialised" if ran else "already initialised (nothing changed)"
    app.console.print(
        f"{env}: {state} in {time.monotonic() - started:.1f}s; backend {stack.backend_label}; "
        f"providers from {app.provider_source.description}"
    )
