"""Readiness checks behind `platformctl doctor`; each returns ok/warn/FAIL with what to do."""

from __future__ import annotations

from dataclasses import dataclass

from . import settings as settings_mod
from . import terraform
from .context import Context
from .errors import PlatformError


@dataclass
class DoctorResult:
    name: str
    status: str  # ok | warn | FAIL
    detail: str


def _terraform() -> DoctorResult:
    try:
        binary = terraform.find_binary()
        version = terraform.binary_version(binary)
        terraform.check_version(version, binary)
        return DoctorResult("terraform", "ok", f"{version} at {binary}")
    except PlatformError as exc:
        return DoctorResult("terraform", "FAIL", exc.one_line())


def _providers(ctx: Context) -> DoctorResult:
    source = ctx.provider_source
    if source.has_provider("hashicorp/aws"):
        return DoctorResult("providers", "ok", f"hashicorp/aws available locally; {source.description}")
    return DoctorResult("providers", "warn", f"{source.description}: no local hashicorp/aws; init needs registry "
                                             "access (set PLATFORMCTL_PLUGIN_DIR or install a filesystem mirror)")


def _sandbox_state(ctx: Context) -> DoctorResult:
    from platform_cli.sandbox import manager

    try:
        info = manager.status(ctx.sandbox_dir)
    except Exception as exc:  # noqa: BLE001 - doctor reports, never crashes
        return DoctorResult("sandbox", "warn", f"could not read sandbox state: {exc}")
    if info is not None:
        return DoctorResult("sandbox", "ok", f"running at {info.endpoint} (pid {info.pid})")
    return DoctorResult("sandbox", "ok" if not ctx.sandbox else "FAIL",
                        "not running (`platformctl sandbox start`, or any command with --sandbox)")


def run_checks(ctx: Context) -> list[DoctorResult]:
    results = [_terraform(), _providers(ctx)]
    try:
        envs = settings_mod.load_envs(ctx.paths)
        results.append(DoctorResult("environments", "ok", ", ".join(e.name for e in envs) or "none found"))
    except PlatformError as exc:
        envs = []
        results.append(DoctorResult("environments", "FAIL", exc.one_line()))
    results.append(_sandbox_state(ctx))
    region = envs[0].region if envs else "us-east-1"
    try:
        target = ctx.target
        ident = target.identity(region)
        accounts = {e.account_id: e.name for e in envs}
        note = "" if target.sandbox else (f" (environment {accounts[ident['account']]})"
                                          if ident["account"] in accounts else " (matches no environment)")
        results.append(DoctorResult("aws identity", "ok", f"{ident['arn']}{note}"))
    except PlatformError as exc:
        results.append(DoctorResult("aws identity", "FAIL", exc.one_line()))
        return results
    for env in envs:
        bucket = target.backend_overrides.get("bucket", env.state_bucket)
        try:
            target.client("s3", env.region).head_bucket(Bucket=bucket)
            results.append(DoctorResult(f"backend {env.name}", "ok", f"s3://{bucket} reachable"))
        except Exception as exc:  # noqa: BLE001
            results.append(DoctorResult(f"backend {env.name}", "FAIL",
                                        f"s3://{bucket}: {exc.__class__.__name__}: {exc} "
                                        "(create it with the bootstrap stack, or use --sandbox)"))
    return results
