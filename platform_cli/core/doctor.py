"""Readiness checks behind `platformctl doctor`; each returns ok/warn/FAIL with what to do."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import settings as settings_mod
from . import terraform
from .aws import AwsTarget
from .errors import PlatformError
from .paths import Paths
from .settings import EnvSettings
from .tfconfig import ProviderSource


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


def _providers(source: ProviderSource) -> DoctorResult:
    if source.has_provider("hashicorp/aws"):
        return DoctorResult("providers", "ok", f"hashicorp/aws available locally; {source.description}")
    return DoctorResult(
        "providers",
        "warn",
        f"{source.description}: no local hashicorp/aws; init needs registry "
        "access (set PLATFORMCTL_PLUGIN_DIR or install a filesystem mirror)",
    )


def run_checks(
    paths: Paths,
    provider_source: ProviderSource,
    target: Callable[[], AwsTarget],
    extra: Sequence[DoctorResult] = (),
    target_for: Callable[[EnvSettings], AwsTarget] | None = None,
) -> list[DoctorResult]:
    """Every readiness check; `target` builds the AWS target lazily (it may start the sandbox), `target_for` the
    one an environment is reached with (its env.yaml credentials; default `target`), `extra` holds checks the
    caller made of things the core does not know (the sandbox process)."""
    results = [_terraform(), _providers(provider_source)]
    try:
        envs = settings_mod.load_envs(paths)
        results.append(DoctorResult("environments", "ok", ", ".join(e.name for e in envs) or "none found"))
    except PlatformError as exc:
        envs = []
        results.append(DoctorResult("environments", "FAIL", exc.one_line()))
    results.extend(extra)
    region = envs[0].region if envs else "us-east-1"
    configured = [e.name for e in envs if e.credentials is not None] if target_for is not None else []
    aws: AwsTarget | None = None
    ident: dict[str, str] | None = None
    try:
        aws = target()
        ident = aws.identity(region)
        accounts = {e.account_id: e.name for e in envs}
        note = (
            ""
            if aws.sandbox
            else (
                f" (environment {accounts[ident['account']]})"
                if ident["account"] in accounts
                else " (matches no environment)"
            )
        )
        results.append(DoctorResult("aws identity", "ok", f"{ident['arn']}{note}"))
    except PlatformError as exc:
        if not configured:
            results.append(DoctorResult("aws identity", "FAIL", exc.one_line()))
            return results
        # Environments whose env.yaml names credentials are still reached with those.
        detail = f"{exc.message}: {', '.join(configured)} are reached with their env.yaml credentials"
        results.append(DoctorResult("aws identity", "warn", detail))
    for env in envs:
        env_aws, env_ident, how = aws, ident, ""
        if target_for is not None:
            try:
                env_aws = target_for(env)
                env_ident = env_aws.identity(env.region) if env_aws is not aws else ident
            except PlatformError as exc:
                results.append(DoctorResult(f"account {env.name}", "FAIL", exc.one_line()))
                continue
            if env.credentials is not None and env_aws is not aws:
                how = f" with {env.credentials.describe()}"
        if env_aws is None or env_ident is None:
            results.append(
                DoctorResult(
                    f"account {env.name}",
                    "FAIL",
                    "no credentials reach it (set credentials in its env.yaml, AWS_PROFILE, or keys)",
                )
            )
            continue
        results.append(_account_reach(env.name, env.account_id, env_ident, sandbox=env_aws.sandbox, how=how))
        bucket = env_aws.backend_overrides.get("bucket", env.state_bucket)
        try:
            env_aws.client("s3", env.region).head_bucket(Bucket=bucket)
            results.append(DoctorResult(f"backend {env.name}", "ok", f"s3://{bucket} reachable"))
        except Exception as exc:  # noqa: BLE001
            results.append(
                DoctorResult(
                    f"backend {env.name}",
                    "FAIL",
                    f"s3://{bucket}: {exc.__class__.__name__}: {exc} "
                    "(create it with the bootstrap stack, or use --sandbox)",
                )
            )
    return results


def _account_reach(name: str, account_id: str, ident: dict[str, str], *, sandbox: bool, how: str = "") -> DoctorResult:
    """Whether the credentials `name` is reached with (`how`: its env.yaml credentials, else those in use) act in
    its account (every AWS call of platformctl for it does)."""
    if sandbox:
        if ident["account"] == account_id:
            return DoctorResult(f"account {name}", "ok", f"the sandbox's account {account_id}, as {ident['arn']}")
        return DoctorResult(
            f"account {name}", "ok", f"the sandbox's account {ident['account']} stands in for {account_id}"
        )
    if ident["account"] == account_id:
        return DoctorResult(f"account {name}", "ok", f"credentials{how} reach {account_id} as {ident['arn']}")
    return DoctorResult(
        f"account {name}",
        "FAIL",
        f"credentials{how} are for account {ident['account']}, not {name}'s {account_id} "
        f"(use credentials of {account_id}, e.g. its profile or a role there, to plan or apply {name})",
    )
