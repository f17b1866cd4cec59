"""platformctl envs: the environments under envs/ with account (and the credentials that reach it), region, backend
and protection."""

from __future__ import annotations

import click

from platform_cli.core.settings import load_envs

from ._common import AppContext, json_option, pass_app


@click.command()
@json_option
@pass_app
def envs(app: AppContext, as_json: bool) -> None:
    """List environments found under envs/."""
    found = load_envs(app.paths)
    if as_json:
        app.console.json([e.as_dict() for e in found])
        return
    if not found:
        app.console.info(f"no environments under {app.paths.envs_dir}")
        return
    app.console.table(
        ["env", "account", "credentials", "region", "backend", "protected", "approvals"],
        [
            [
                e.name,
                e.account_id,
                e.credentials.describe() if e.credentials else "in use",  # env.yaml `credentials`, else ambient
                e.region,
                f"s3://{e.state_bucket}/{e.state_key}",
                "yes" if e.protected else "no",
                e.approvals_required,
            ]
            for e in found
        ],
    )
