"""platformctl comment ENV... | --plan-json FILE --env NAME: the pull-request plan comment, printed or posted.

Saved plans are read through core.saved_plan (record + show -json + the policy scan kept beside them: checkov
runs once per plan, at `plan --with-json` or on first use here); --plan-json renders any `terraform show -json`
file, so plans made elsewhere get the same comment (its changes scanned here). --post creates or updates one
comment per pull request and environment (found again by its hidden marker).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from platform_cli.core.errors import PlatformError
from platform_cli.core.scan import scan_plan_changes
from platform_cli.core.settings import EnvSettings, list_env_names
from platform_cli.github.comment import EnvPlan, marker, render_env

from ._common import AppContext, pass_app


def _approvers(settings: EnvSettings | None) -> str | None:
    if settings is None or not settings.protected:
        return None
    return f"the required reviewers of the GitHub environment `{settings.github_environment}`"


def _from_saved_plan(app: AppContext, env: str, scan: bool) -> EnvPlan:
    stack = app.stack(env)
    record = stack.saved_plan.read()
    json_path = stack.plan_json()
    return EnvPlan(
        env=env,
        plan=json.loads(json_path.read_text(encoding="utf-8")),
        provenance={**record.provenance, "created_at": record.created_at, "plan_sha256": record.plan_sha256},
        scan=stack.saved_plan.policy_scan(stack.plan_json) if scan else None,
        protected=stack.settings.protected,
        approvals_required=stack.settings.approvals_required,
        approvers=_approvers(stack.settings),
    )


def _from_file(app: AppContext, path: Path, env: str, scan: bool) -> EnvPlan:
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlatformError(f"cannot read --plan-json {path}: {exc.strerror}", hint="give a readable file") from None
    except ValueError as exc:
        raise PlatformError(
            f"--plan-json {path} is not JSON ({exc})", hint="make it with `terraform show -json PLANFILE > FILE`"
        ) from None
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise PlatformError(
            f"--plan-json {path} is not `terraform show -json` output of a plan",
            hint="make it with `terraform show -json PLANFILE > FILE`",
        )
    settings = app.settings(env) if env in list_env_names(app.paths) else None
    return EnvPlan(
        env=env,
        plan=plan,
        provenance={"terraform_version": plan.get("terraform_version")},
        scan=scan_plan_changes(plan, env, code_root=app.paths.stack_dir).as_dict() if scan else None,
        protected=bool(settings and settings.protected),
        approvals_required=settings.approvals_required if settings else 0,
        approvers=_approvers(settings),
    )


@click.command()
@click.argument("envs", nargs=-1)
@click.option(
    "--plan-json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Render this `terraform show -json` file instead of a saved plan (needs --env).",
)
@click.option("--env", "env_name", help="Environment name for --plan-json.")
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the Markdown here instead of stdout.",
)
@click.option(
    "--post",
    is_flag=True,
    help="Create or update the pull request's comment (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH).",
)
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number (default: from GITHUB_EVENT_PATH).")
@click.option("--full-plan-url", help="Where the full plan is (e.g. the workflow run's artifacts).")
@click.option(
    "--scan/--no-scan",
    default=True,
    show_default=True,
    help="Include the checkov scan of what each plan changes (a saved plan's is kept beside it and run once).",
)
@pass_app
def comment(
    app: AppContext,
    envs: tuple[str, ...],
    plan_json: Path | None,
    env_name: str | None,
    output: Path | None,
    post: bool,
    pr: int | None,
    full_plan_url: str | None,
    scan: bool,
) -> None:
    """Render the plan comment for ENV(s) saved plans, or for --plan-json FILE --env NAME."""
    if plan_json is not None and (envs or not env_name):
        raise click.UsageError("--plan-json takes exactly one --env NAME and no ENV arguments")
    if plan_json is None and (not envs or env_name):
        raise click.UsageError("give one or more environments with saved plans, or --plan-json FILE --env NAME")
    masker = app.console.masker
    client = None
    if post:  # check GitHub settings before any work, so a missing token fails fast
        from platform_cli.github.client import GitHubClient

        client = GitHubClient.from_environ(pr=pr)
    plans = (
        [_from_file(app, plan_json, env_name, scan)]
        if plan_json is not None
        else [_from_saved_plan(app, env, scan) for env in dict.fromkeys(envs)]
    )
    bodies = []
    for plan in plans:
        plan.full_plan_url = full_plan_url
        bodies.append((plan.env, render_env(plan, masker)))
    if client is not None:
        for env, body in bodies:
            action, url = client.upsert_comment(None, None, marker(env), body)
            app.console.info(f"{env}: plan comment {action}: {url}")
    text = "\n\n".join(body for _, body in bodies) + "\n"
    if output is not None:
        output.write_text(text, encoding="utf-8")
        app.console.info(f"wrote {output}")
    elif client is None:
        click.echo(text, nl=False)
