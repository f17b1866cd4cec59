"""The one place that knows where files live.

Layout under the repository root:
  envs/<env>/env.yaml, backend.hcl, terraform.tfvars   environment settings (data, never stack code)
  infra/platform/                                      the stack, shared by every environment
  .platformctl/                                        work dir (gitignored), PLATFORMCTL_WORK_DIR overrides it
    terraform.rc, plugin-cache/                        one provider cache shared by all environments
    envs/<env>/tf-data/                                TF_DATA_DIR, so environments can plan in parallel
    envs/<env>/plan.tfplan, plan.json, plan-record.json
    envs/<env>/logs/<time>-<command>.log               one captured log per Terraform run
    envs/<env>/plan.json.source, applied.json          see core.saved_plan
  (requests, approvals and the audit log live in the environment's state bucket: see core.records)
    sandbox/                                           the local sandbox's record and log (PLATFORMCTL_SANDBOX_DIR
                                                       overrides it); decided here only
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT_ENVVAR = "PLATFORMCTL_ROOT"
WORK_DIR_ENVVAR = "PLATFORMCTL_WORK_DIR"
SANDBOX_DIR_ENVVAR = "PLATFORMCTL_SANDBOX_DIR"


def find_root(start: Path | None = None) -> Path:
    """The repository root: PLATFORMCTL_ROOT, else the nearest parent of the cwd holding envs/, else the package's repo."""
    if os.environ.get(ROOT_ENVVAR):
        return Path(os.environ[ROOT_ENVVAR]).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "envs").is_dir() and (candidate / "infra").is_dir():
            return candidate
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Paths:
    root: Path
    work_dir_override: Path | None = None
    sandbox_dir_override: Path | None = None

    @classmethod
    def discover(cls, root: str | Path | None = None) -> Paths:
        resolved = Path(root).resolve() if root else find_root()
        work, sandbox = os.environ.get(WORK_DIR_ENVVAR), os.environ.get(SANDBOX_DIR_ENVVAR)
        return cls(resolved, Path(work).resolve() if work else None, Path(sandbox).resolve() if sandbox else None)

    # -- inputs ---------------------------------------------------------------------------------
    @property
    def envs_dir(self) -> Path:
        return self.root / "envs"

    @property
    def stack_dir(self) -> Path:
        return self.root / "infra" / "platform"

    @property
    def modules_dir(self) -> Path:
        return self.root / "modules"

    @property
    def infra_dir(self) -> Path:
        return self.root / "infra"

    def env_dir(self, env: str) -> Path:
        return self.envs_dir / env

    def env_file(self, env: str) -> Path:
        return self.env_dir(env) / "env.yaml"

    def backend_file(self, env: str) -> Path:
        return self.env_dir(env) / "backend.hcl"

    def tfvars_file(self, env: str) -> Path:
        return self.env_dir(env) / "terraform.tfvars"

    # -- work dir -------------------------------------------------------------------------------
    @property
    def work_dir(self) -> Path:
        return self.work_dir_override or self.root / ".platformctl"

    @property
    def sandbox_dir(self) -> Path:
        """Where the local sandbox keeps its record (pid, port) and log: the one answer for every command."""
        return self.sandbox_dir_override or self.work_dir / "sandbox"

    @property
    def cli_config_file(self) -> Path:
        return self.work_dir / "terraform.rc"

    @property
    def plugin_cache_dir(self) -> Path:
        return self.work_dir / "plugin-cache"

    @property
    def tool_cache_dir(self) -> Path:
        return self.work_dir / "cache"

    def env_work_dir(self, env: str) -> Path:
        return self.work_dir / "envs" / env

    def tf_data_dir(self, env: str) -> Path:
        return self.env_work_dir(env) / "tf-data"

    def init_stamp(self, env: str) -> Path:
        return self.env_work_dir(env) / "init-stamp.json"

    def plan_file(self, env: str) -> Path:
        return self.env_work_dir(env) / "plan.tfplan"

    def plan_json(self, env: str) -> Path:
        return self.env_work_dir(env) / "plan.json"

    def plan_record(self, env: str) -> Path:
        return self.env_work_dir(env) / "plan-record.json"

    def logs_dir(self, env: str | None) -> Path:
        return (self.env_work_dir(env) if env else self.work_dir) / "logs"
