"""platformctl scan: checkov over modules/ and infra/, plus saved plans' JSON; exit 1 on failed checks."""

from __future__ import annotations

import click

from platform_cli.core.scan import scan_code, scan_plan

from ._common import AppContext, json_option, pass_app


@click.command()
@click.option("--env", "envs", multiple=True, help="Only scan these environments' saved plans (default: all).")
@json_option
@pass_app
def scan(app: AppContext, envs: tuple[str, ...], as_json: bool) -> None:
    """Policy-scan the Terraform code and saved plans with checkov."""
    app.console.json_mode = as_json
    results = [scan_code(app.paths)]
    for env in list(envs) or app.all_env_names():
        if app.paths.plan_file(env).is_file():  # a saved plan exists: scan what it would create
            results.append(scan_plan(app.stack(env).plan_json(), env))
    failed = sum(r.failed for r in results)
    if as_json:
        app.console.json({"ok": failed == 0, "results": [r.as_dict() for r in results]})
    else:
        app.console.table(
            ["target", "framework", "passed", "failed", "skipped"],
            [[r.target, r.framework, r.passed, r.failed, r.skipped] for r in results],
        )
        for r in results:
            for f in r.failures:
                app.console.print(f"  FAIL {f['check_id']} {f['resource']} ({f['file']}): {f['check']}", "red")
        app.console.print(f"{failed} failed check(s)" if failed else "no failed checks", "red" if failed else "green")
    raise click.exceptions.Exit(1 if failed else 0)
