"""platformctl plan ENV [ENV...] | --all: saved plan, its JSON and a plan record per environment.

Exit 0 no changes, 2 changes, 1 error. Several environments plan in parallel, each line prefixed with its name.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import cast

import click

from platform_cli.core import deploy, terraform
from platform_cli.core.errors import Interrupted, PlatformError, Refused
from platform_cli.core.release import ImageRef
from platform_cli.core.saved_plan import PlanRecord

from ._common import AppContext, json_option, pass_app
from ._identity import requester


def _check_image(ctx, param, value):
    if value is not None:
        try:
            ImageRef.parse(value)
        except PlatformError as exc:
            raise click.BadParameter(exc.message) from None
    return value


@click.command()
@click.argument("envs", nargs=-1)
@click.option("--all", "all_envs", is_flag=True, help="Plan every environment under envs/.")
@click.option(
    "--image",
    callback=_check_image,
    help="Service image to deploy: sha256:<digest>, a tag, or REGISTRY/REPOSITORY:TAG from the environment's own "
    "registry (a tag is resolved to its digest in the registry).",
)
@click.option(
    "--model",
    "model_spec",
    metavar="KEY@VERSION_ID",
    help="Model artifact to deploy: its key in the artifact store and exact S3 version id.",
)
@click.option(
    "--with-json",
    is_flag=True,
    help="Also write `terraform show -json` and the policy scan of what the plan changes now (+~3 s + checkov); "
    "otherwise both are made on first use (comment, scan).",
)
@click.option(
    "--request",
    "make_request",
    is_flag=True,
    help="Protected environments only: also ask for approval of this exact plan (a request in the environment's "
    "log, as promote and rollback make), when it changes something. Without it a plan only plans.",
)
@json_option
@pass_app
def plan(
    app: AppContext,
    envs: tuple[str, ...],
    all_envs: bool,
    image: str | None,
    model_spec: str | None,
    with_json: bool,
    make_request: bool,
    as_json: bool,
) -> None:
    """Plan ENV(s) and save the plan for `apply`."""
    if all_envs == bool(envs):
        raise click.UsageError("give one or more environments, or --all")
    names = app.all_env_names() if all_envs else list(dict.fromkeys(envs))
    app.console.json_mode = as_json
    settings = [app.settings(n) for n in names]  # validate every environment before starting any Terraform
    unprotected = [s.name for s in settings if not s.protected]
    if make_request and unprotected:
        raise Refused(
            f"--request: {', '.join(unprotected)} is not protected, its plans apply without a request",
            hint="give --request only for environments with approvals in env.yaml",
        )
    if len(settings) == 1:
        records: dict[str, PlanRecord | PlatformError] = {
            names[0]: _plan_one(app.stack(settings[0]), image, model_spec, with_json, make_request)
        }
    else:
        records = _plan_parallel(app, settings, image, model_spec, with_json, make_request)
    _report(app, records, as_json)
    failed = [r for r in records.values() if isinstance(r, PlatformError)]
    if failed:
        raise click.exceptions.Exit(1)
    raise click.exceptions.Exit(2 if any(cast(PlanRecord, r).has_changes for r in records.values()) else 0)


def _plan_one(stack, image, model_spec, with_json, make_request) -> PlanRecord:
    """One environment's plan; with --request (protected only) also the request its approvers will see."""
    planned = deploy.plan(
        stack,
        image=image,
        model_spec=model_spec,
        with_json=with_json,
        request_by=(lambda: requester(stack)) if make_request else None,
    )
    if planned.request:
        stack.console.info(
            f"{stack.name}: request {planned.request['request_id']} written; applying needs "
            f"{stack.settings.approvals_required} approval(s): "
            f"`platformctl approve {stack.name} {planned.request['request_id']}`"
        )
    elif make_request:
        stack.console.info(f"{stack.name}: the plan changes nothing, so no request was written")
    elif stack.settings.protected and planned.record.has_changes:
        stack.console.info(
            f"{stack.name} is protected: `platformctl plan {stack.name} --request` asks for approval of a plan"
        )
    return planned.record


def _plan_parallel(app: AppContext, settings, image, model_spec, with_json, make_request):
    width = max(len(s.name) for s in settings)
    stacks = [app.stack(s, prefix=f"[{s.name}]".ljust(width + 2)) for s in settings]
    results: dict[str, PlanRecord | PlatformError] = {}
    with ThreadPoolExecutor(max_workers=len(stacks)) as pool:
        futures = {s.name: pool.submit(_plan_one, s, image, model_spec, with_json, make_request) for s in stacks}
        try:
            for name, future in futures.items():
                try:
                    results[name] = future.result()
                except PlatformError as exc:
                    results[name] = exc
        except KeyboardInterrupt:
            terraform.interrupt_all()
            pool.shutdown(wait=True)
            raise Interrupted("plan interrupted; Terraform was asked to stop and release its locks") from None
    return results


def _report(app: AppContext, records, as_json: bool) -> None:
    if as_json:
        app.console.json(
            {
                name: (r.to_dict() if isinstance(r, PlanRecord) else {"error": r.one_line()})
                for name, r in records.items()
            }
        )
        return
    for name, record in records.items():
        if isinstance(record, PlatformError):
            app.console.error(f"[{name}] {record.one_line()}")
            continue
        app.console.print(record.summary_line(), "bold")
        for change in record.changes:
            moved = f" (moved from {change['previous_address']})" if change.get("previous_address") else ""
            app.console.print(f"  {change['action']:<8} {change['address']}{moved}")
        app.console.info(f"  saved plan: {app.paths.plan_file(name)} (record: {app.paths.plan_record(name)})")
