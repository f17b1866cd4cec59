"""What every command needs, built once per invocation: paths, console, AWS target, provider source.

This is the one place that knows both the core and the sandbox: with --sandbox it starts or finds the sandbox
(in the folder core.paths decides) and hands the core an AwsTarget built from the sandbox's record.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from platform_cli.core import credentials, tfconfig
from platform_cli.core import settings as settings_mod
from platform_cli.core.aws import AwsTarget
from platform_cli.core.console import Console
from platform_cli.core.errors import PlatformError
from platform_cli.core.paths import Paths
from platform_cli.core.settings import EnvSettings
from platform_cli.core.stack import EnvStack

SANDBOX_PORT_ENVVAR = "PLATFORMCTL_SANDBOX_PORT"  # same setting as `platformctl sandbox start --port`


class SandboxUnavailable(PlatformError):
    """The sandbox could not be started, found or used."""


@dataclass
class AppContext:
    paths: Paths
    console: Console
    verbose: bool = False
    sandbox: bool = False
    color: bool = False
    _target: AwsTarget | None = field(default=None, repr=False)
    _env_targets: dict[str, AwsTarget] = field(default_factory=dict, repr=False)
    _provider: tfconfig.ProviderSource | None = field(default=None, repr=False)

    @property
    def target(self) -> AwsTarget:
        if self._target is None:
            self._target = self._sandbox_target() if self.sandbox else AwsTarget.real()
        return self._target

    def _sandbox_target(self) -> AwsTarget:
        """The local sandbox, started if needed: its endpoint and test credentials, state in its own bucket."""
        from platform_cli.sandbox import manager

        raw_port = os.environ.get(SANDBOX_PORT_ENVVAR)
        try:
            port = int(raw_port) if raw_port else None
        except ValueError:
            raise SandboxUnavailable(
                f"{SANDBOX_PORT_ENVVAR}={raw_port!r} is not a port number",
                hint="unset it or set a number from 1 to 65535",
            ) from None
        with sandbox_errors():
            info = manager.ensure_running(port, state_dir=self.paths.sandbox_dir)
        overrides = {k: _hcl_value(v) for k, v in manager.backend_config().items()}
        env = dict(info.env)
        # Credentials the caller set (an IAM user made in the sandbox, or a role session with its token) are kept,
        # so two people, or a workflow job's role, can be played on one machine; without them, the test credentials.
        keys = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        if all(os.environ.get(k) for k in keys):
            env.update({k: os.environ[k] for k in keys})
            if os.environ.get("AWS_SESSION_TOKEN"):
                env["AWS_SESSION_TOKEN"] = os.environ["AWS_SESSION_TOKEN"]
        return AwsTarget(env=env, backend_overrides=overrides, sandbox=True, endpoint=info.endpoint)

    def target_for(self, env: EnvSettings) -> AwsTarget:
        """The AWS target for one environment: with env.yaml `credentials`, that profile or role (so one terminal
        reaches every environment in its own account). The credentials in use instead when they were chosen
        explicitly (AWS_ACCESS_KEY_ID or AWS_PROFILE set: a second person approving as themselves, aws-vault, a
        GitHub Actions job's OIDC role) and in GitHub Actions. In the sandbox (`--sandbox`), the account's own."""
        if self.sandbox:
            return self._sandbox_target_for(env)
        explicit = any(os.environ.get(name) for name in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE"))
        if env.credentials is None or explicit or os.environ.get("GITHUB_ACTIONS") == "true":
            return self.target
        if env.name not in self._env_targets:
            self._env_targets[env.name] = credentials.target_for(env.name, env.credentials, env.region, self.target)
        return self._env_targets[env.name]

    def _sandbox_target_for(self, env: EnvSettings) -> AwsTarget:
        """In the sandbox each environment lives in the account its env.yaml names, as in AWS: reached with that
        account's root keys (or the caller's own keys: a person made in the sandbox), its state in that account's
        state bucket. The default account is the sandbox's target as it is."""
        from platform_cli.sandbox import accounts, manager

        base = self.target
        if env.account_id == manager.default_account():
            return base
        if env.account_id not in self._env_targets:
            caller = all(os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
            keys = {} if caller else accounts.root_credentials(env.account_id)
            target = AwsTarget(
                env={**base.env, **keys},
                backend_overrides={**base.backend_overrides, "bucket": manager.state_bucket_for(env.account_id)},
                sandbox=True,
                endpoint=base.endpoint,
            )
            region = target.backend_overrides.get("region", env.region)
            with sandbox_errors():  # with the client that reads the state next: no client built for this alone
                manager.ensure_state_bucket(target.client("s3", region), str(base.endpoint), env.account_id)
            self._env_targets[env.account_id] = target
        return self._env_targets[env.account_id]

    @property
    def provider_source(self) -> tfconfig.ProviderSource:
        if self._provider is None:
            self._provider = tfconfig.resolve(self.paths)
        return self._provider

    def settings(self, env: str) -> EnvSettings:
        return settings_mod.load_env(self.paths, env)

    def all_env_names(self) -> list[str]:
        return settings_mod.list_env_names(self.paths)

    def stack(self, env: str | EnvSettings, prefix: str = "") -> EnvStack:
        env_settings = env if isinstance(env, EnvSettings) else self.settings(env)
        return EnvStack(
            self.paths,
            env_settings,
            self.target_for(env_settings),
            self.provider_source,
            self.console,
            prefix=prefix,
            color=self.color,
        )


@contextmanager
def sandbox_errors() -> Iterator[None]:
    """Turn the sandbox's own errors into the CLI's error type (one line, exit 1)."""
    from platform_cli.sandbox import manager

    try:
        yield
    except manager.SandboxError as exc:
        raise SandboxUnavailable(str(exc)) from None


def _hcl_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
