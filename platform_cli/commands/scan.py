"""platformctl scan: checkov over modules/ and infra/, plus what each saved plan changes; exit 1 on failed checks.

A saved plan's scan is the one kept beside it (core.saved_plan: made by `plan --with-json` or on first use), so
scanning after `comment` does not run checkov over the plan again.
"""

from __future__ import annotations

import click

from platform_cli.core.scan import ScanResult, scan_code

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
        if app.paths.plan_file(env).is_file():  # a saved plan exists: what it changes, scanned once per plan
            stack = app.stack(env)
            results.append(ScanResult.from_dict(stack.saved_plan.policy_scan(stack.plan_json)))
    failed = sum(r.failed for r in results)
    if as_json:
        app.console.json({"ok": failed == 0, "results": [r.as_dict() for r in results]})
    else:
        app.console.table(
            ["target", "framework", "passed", "failed", "skipped"],
            [[_target(r), r.framework, r.passed, r.failed, r.skipped] for r in results],
        )
        for r in results:
            for f in r.failures:
                where = f" ({f['file']})" if f.get("file") else ""
                app.console.print(f"  FAIL {f['check_id']} {f['resource']}{where}: {f['check']}", "red")
        app.console.print(f"{failed} failed check(s)" if failed else "no failed checks", "red" if failed else "green")
    raise click.exceptions.Exit(1 if failed else 0)


def _target(result: ScanResult) -> str:
    if result.scope is None:
        return result.target
    return f"{result.target} ({result.scope['changed']} changed of {result.scope['resources']} resources)"
