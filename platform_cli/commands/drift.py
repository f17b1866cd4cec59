"""platformctl drift ENV: a refresh-only plan; exit 2 listing resources that changed outside Terraform.

With --github-issue the result is kept in one GitHub issue per environment: opened when drift appears, updated
while it lasts, closed when it is gone.
"""

from __future__ import annotations

import click

from ._common import AppContext, json_option, pass_app


@click.command()
@click.argument("env")
@click.option(
    "--github-issue",
    is_flag=True,
    help="Open/update/close this environment's drift issue (GITHUB_TOKEN, GITHUB_REPOSITORY).",
)
@json_option
@pass_app
def drift(app: AppContext, env: str, github_issue: bool, as_json: bool) -> None:
    """Check ENV for drift between real resources and Terraform state."""
    app.console.json_mode = as_json
    client = None
    if github_issue:  # check GitHub settings before the (slow) refresh
        from platform_cli.github.client import GitHubClient

        client = GitHubClient.from_environ(need_pr=False)
    drifted = app.stack(env).drift()
    if as_json:
        app.console.json({"environment": env, "drifted": drifted})
    elif drifted:
        app.console.print(f"{env}: {len(drifted)} resource(s) drifted", "yellow")
        for item in drifted:
            attributes = f" ({', '.join(item['attributes'])})" if item.get("attributes") else ""
            app.console.print(f"  {'/'.join(item['actions']):<8} {item['address']}{attributes}")
    else:
        app.console.print(f"{env}: no drift", "green")
    if client is not None:
        from platform_cli.github.drift_issue import drift_issue_body

        body = app.console.mask(drift_issue_body(env, drifted))
        action, url = client.sync_drift_issue(None, env, bool(drifted), body)
        app.console.info(f"{env}: drift issue {action}" + (f": {url}" if url else ""))
    raise click.exceptions.Exit(2 if drifted else 0)
