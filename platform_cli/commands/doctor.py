"""platformctl doctor: is this machine ready? Each line is ok or says what to do."""

from __future__ import annotations

import click

from platform_cli.core.doctor import DoctorResult, run_checks

from ._common import AppContext, json_option, pass_app


def _sandbox_check(app: AppContext) -> DoctorResult:
    from platform_cli.sandbox import manager

    try:
        info = manager.status(app.paths.sandbox_dir)
    except Exception as exc:  # noqa: BLE001 - doctor reports, never crashes
        return DoctorResult("sandbox", "warn", f"could not read sandbox state: {exc}")
    if info is not None:
        return DoctorResult("sandbox", "ok", f"running at {info.endpoint} (pid {info.pid})")
    return DoctorResult(
        "sandbox",
        "ok" if not app.sandbox else "FAIL",
        "not running (`platformctl sandbox start`, or any command with --sandbox)",
    )


@click.command()
@json_option
@pass_app
def doctor(app: AppContext, as_json: bool) -> None:
    """Check Terraform, providers, AWS identity, backends and the sandbox."""
    results = run_checks(
        app.paths, app.provider_source, lambda: app.target, extra=[_sandbox_check(app)], target_for=app.target_for
    )
    if as_json:
        app.console.json([r.__dict__ for r in results])
    else:
        for r in results:
            mark = {
                "ok": app.console.style("ok  ", "green"),
                "warn": app.console.style("warn", "yellow"),
                "FAIL": app.console.style("FAIL", "red"),
            }[r.status]
            app.console.print(f"{mark} {r.name}: {r.detail}")
    raise click.exceptions.Exit(1 if any(r.status == "FAIL" for r in results) else 0)
