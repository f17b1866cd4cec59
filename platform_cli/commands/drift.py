"""platformctl drift ENV: a refresh-only plan; exit 2 listing resources that changed outside Terraform.

With --github-issue the result is kept in one GitHub issue per environment: opened when drift appears, updated
while it lasts, closed when it is gone.
"""

from __future__ import annotations

import click

from ._common import AppContext, json_option, pass_app


def _issue_body(env: str, drifted: list[dict]) -> str:
    if not drifted:
        return f"No drift in `{env}` any more: real resources match the Terraform state again."
    lines = [f"`platformctl drift {env}` found {len(drifted)} resource(s) changed outside Terraform:", ""]
    for item in drifted:
        attributes = f" ({', '.join(f'`{a}`' for a in item['attributes'])})" if item.get("attributes") else ""
        lines.append(f"- `{'/'.join(item['actions'])}` `{item['address']}`{attributes}")
    lines += [
        "",
        "Bring the change into code through a reviewed plan, or undo it; this issue closes itself once "
        "the next drift check finds nothing.",
    ]
    return "\n".join(lines)


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
        body = app.console.mask(_issue_body(env, drifted))
        action, url = client.sync_drift_issue(None, env, bool(drifted), body)
        app.console.info(f"{env}: drift issue {action}" + (f": {url}" if url else ""))
    raise click.exceptions.Exit(2 if drifted else 0)
