"""What every command needs, built once per invocation: paths, console, AWS target, provider source."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from . import settings as settings_mod
from . import tfconfig
from .aws import AwsTarget
from .console import Console
from .paths import Paths
from .settings import EnvSettings
from .stack import EnvStack


@dataclass
class Context:
    paths: Paths
    console: Console
    verbose: bool = False
    sandbox: bool = False
    color: bool = False
    _target: AwsTarget | None = field(default=None, repr=False)
    _provider: tfconfig.ProviderSource | None = field(default=None, repr=False)

    @property
    def target(self) -> AwsTarget:
        if self._target is None:
            self._target = AwsTarget.from_sandbox(self.sandbox_dir) if self.sandbox else AwsTarget.real()
        return self._target

    @property
    def sandbox_dir(self):
        """Where the sandbox keeps its pid/port record: PLATFORMCTL_SANDBOX_DIR (read by the sandbox), else ours."""
        return None if os.environ.get("PLATFORMCTL_SANDBOX_DIR") else self.paths.work_dir / "sandbox"

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
        return EnvStack(self.paths, env_settings, self.target, self.provider_source, self.console,
                        prefix=prefix, color=self.color)
