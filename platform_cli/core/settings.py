"""Environment settings: load and validate envs/<name>/ once, with errors naming file, field and reason.

An environment is three files of data:
  env.yaml          platformctl policy: account_id, region, protected, approvals
  backend.hcl       Terraform S3 backend settings, passed as -backend-config=<file>
  terraform.tfvars  the stack's inputs; its `environment` and `region` must agree with env.yaml
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .credentials import Credentials
from .credentials import parse as parse_credentials
from .errors import SettingsError, UnknownEnvironment
from .paths import Paths

# The environment name rule. infra/platform/variables.tf (variable "environment") states the same rule in the same
# words; tests/fast/test_settings.py fails when the two differ.
ENV_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,14}[a-z0-9]$"
ENV_NAME_RULE = (
    "environment must be 2-16 lowercase letters, digits or hyphens, starting with a letter and not "
    "ending with a hyphen."
)
_ENV_NAME = re.compile(ENV_NAME_PATTERN)
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
# `name = "value"` / `name = true` at the start of a line: enough for the flat files we read.
_HCL_ASSIGN = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:"([^"]*)"|(\S+))', re.MULTILINE)

FIELDS = {
    "account_id": '12-digit AWS account id as a quoted string, e.g. "111111111111"',
    "region": "AWS region, e.g. eu-west-1",
    "protected": "true or false",
    "approvals": "whole number >= 0",
}
OPTIONAL_FIELDS = {
    "github_environment": "name of the GitHub environment whose required reviewers approve applies "
    "(default: the environment's own name)",
    "auto_rollback": "true or false (default false): `apply --watch` rolls back without a second approval when an "
    "alarm fires",
    "credentials": "how a terminal reaches this environment's account: {profile: NAME} (a profile of your AWS config) "
    "or {role_arn: ARN} (a role in account_id, assumed with the credentials in use); not used in GitHub Actions or "
    "when AWS_ACCESS_KEY_ID or AWS_PROFILE is set",
    "people": "who is who across GitHub and AWS, so one person is one person in approvals: a mapping of names to "
    "{github: LOGIN, aws: [ARN or ARN pattern with *, ...]}",
}
_GITHUB_ENVIRONMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")


@dataclass(frozen=True)
class EnvSettings:
    name: str
    account_id: str
    region: str
    protected: bool
    approvals_required: int  # env.yaml `approvals`: distinct approvers a plan needs before apply
    github_environment: str  # the GitHub environment whose protection rules gate applies
    auto_rollback: bool  # `apply --watch` may roll back on a firing alarm without a new approval
    env_file: Path
    backend_file: Path
    tfvars_file: Path
    backend: dict[str, str] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {github: login, aws: [patterns]}
    credentials: Credentials | None = None  # env.yaml `credentials`: a profile or a role (core/credentials.py)

    @property
    def state_bucket(self) -> str:
        return self.backend.get("bucket", "")

    @property
    def state_key(self) -> str:
        return self.backend.get("key", "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "account_id": self.account_id,
            "region": self.region,
            "protected": self.protected,
            "approvals": self.approvals_required,
            "github_environment": self.github_environment,
            "auto_rollback": self.auto_rollback,
            "people": {name: dict(person) for name, person in self.people.items()},
            "credentials": self.credentials.as_dict() if self.credentials else None,
            "backend": dict(self.backend),
            "files": {"env": str(self.env_file), "backend": str(self.backend_file), "tfvars": str(self.tfvars_file)},
        }


def list_env_names(paths: Paths) -> list[str]:
    if not paths.envs_dir.is_dir():
        return []
    return sorted(p.name for p in paths.envs_dir.iterdir() if (p / "env.yaml").is_file())


def read_hcl_assignments(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(#|//).*$", "", text, flags=re.MULTILINE)
    return {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _HCL_ASSIGN.finditer(text)}


def _invalid(path: Path, fieldname: str, reason: str) -> SettingsError:
    return SettingsError(f"{path}: field '{fieldname}': {reason}", hint="fix the file and run the command again")


def check_env_name(name: str, where: Path | None = None) -> None:
    """Refuse a name Terraform would refuse, with Terraform's own words, before any Terraform runs."""
    if not _ENV_NAME.match(name):
        raise SettingsError(
            f"invalid environment name {name!r}" + (f" ({where})" if where else "") + f": {ENV_NAME_RULE}",
            hint="rename the folder under envs/",
        )


def load_env(paths: Paths, name: str) -> EnvSettings:
    known = list_env_names(paths)
    if name not in known:
        hint = f"known environments: {', '.join(known)}" if known else f"no environments found under {paths.envs_dir}"
        raise UnknownEnvironment(f"unknown environment '{name}'", hint=hint)
    check_env_name(name, paths.env_dir(name))
    env_file = paths.env_file(name)
    try:
        raw = yaml.safe_load(env_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SettingsError(
            f"{env_file}: malformed YAML{where}: {problem}", hint="fix the YAML syntax and run the command again"
        ) from None
    if not isinstance(raw, dict):
        raise SettingsError(
            f"{env_file}: expected a mapping of settings, got {type(raw).__name__}", hint=f"fields: {', '.join(FIELDS)}"
        )
    for key in raw:
        if key not in FIELDS and key not in OPTIONAL_FIELDS:
            raise _invalid(env_file, str(key), f"unknown key (allowed: {', '.join([*FIELDS, *OPTIONAL_FIELDS])})")
    for key in FIELDS:
        if key not in raw:
            raise _invalid(env_file, key, f"missing; expected {FIELDS[key]}")

    account_id = raw["account_id"]
    if not isinstance(account_id, str) or not _ACCOUNT.match(account_id):
        raise _invalid(env_file, "account_id", f"{account_id!r} is not a {FIELDS['account_id']}")
    region = raw["region"]
    if not isinstance(region, str) or not _REGION.match(region):
        raise _invalid(env_file, "region", f"{region!r} is not an {FIELDS['region']}")
    protected = raw["protected"]
    if not isinstance(protected, bool):
        raise _invalid(env_file, "protected", f"{protected!r} is not {FIELDS['protected']}")
    approvals = raw["approvals"]
    if isinstance(approvals, bool) or not isinstance(approvals, int) or approvals < 0:
        raise _invalid(env_file, "approvals", f"{approvals!r} is not a {FIELDS['approvals']}")
    if protected and approvals < 1:
        raise _invalid(env_file, "approvals", "a protected environment needs at least 1 approval")
    github_environment = raw.get("github_environment", name)
    if not isinstance(github_environment, str) or not _GITHUB_ENVIRONMENT.match(github_environment):
        raise _invalid(env_file, "github_environment", f"{github_environment!r} is not a GitHub environment name")
    auto_rollback = raw.get("auto_rollback", False)
    if not isinstance(auto_rollback, bool):
        raise _invalid(env_file, "auto_rollback", f"{auto_rollback!r} is not true or false")
    people = _people(env_file, raw.get("people", {}))
    credentials: Credentials | None = None
    if "credentials" in raw:
        parsed = parse_credentials(raw["credentials"], account_id)
        if isinstance(parsed, str):
            raise _invalid(env_file, "credentials", parsed)
        credentials = parsed

    backend_file = paths.backend_file(name)
    if not backend_file.is_file():
        raise SettingsError(f"{backend_file}: missing", hint="add the S3 backend settings (bucket, key, region)")
    backend = read_hcl_assignments(backend_file)
    for key in ("bucket", "key", "region"):
        if not backend.get(key):
            raise _invalid(backend_file, key, "missing")

    tfvars_file = paths.tfvars_file(name)
    if not tfvars_file.is_file():
        raise SettingsError(f"{tfvars_file}: missing", hint="add the stack inputs (environment, region, ...)")
    tfvars = read_hcl_assignments(tfvars_file)
    if tfvars.get("environment") != name:
        raise _invalid(
            tfvars_file, "environment", f"{tfvars.get('environment')!r} does not match the environment folder '{name}'"
        )
    if tfvars.get("region") != region:
        raise _invalid(tfvars_file, "region", f"{tfvars.get('region')!r} does not match env.yaml region '{region}'")

    return EnvSettings(
        name=name,
        account_id=account_id,
        region=region,
        protected=protected,
        approvals_required=approvals,
        github_environment=github_environment,
        auto_rollback=auto_rollback,
        env_file=env_file,
        backend_file=backend_file,
        tfvars_file=tfvars_file,
        backend=backend,
        people=people,
        credentials=credentials,
    )


def _people(env_file: Path, raw: Any) -> dict[str, dict[str, Any]]:
    """env.yaml `people`: {name: {github: LOGIN, aws: [ARN patterns]}}, each person with at least one identity."""
    if not isinstance(raw, dict):
        raise _invalid(env_file, "people", f"is not a mapping ({OPTIONAL_FIELDS['people']})")
    people: dict[str, dict[str, Any]] = {}
    for name, person in raw.items():
        if not isinstance(person, dict) or set(person) - {"github", "aws"}:
            raise _invalid(env_file, f"people.{name}", "must be a mapping with github and/or aws only")
        github = person.get("github")
        aws = person.get("aws", [])
        aws = [aws] if isinstance(aws, str) else aws
        if github is not None and (not isinstance(github, str) or not github.strip()):
            raise _invalid(env_file, f"people.{name}.github", f"{github!r} is not a GitHub login")
        if not isinstance(aws, list) or not all(isinstance(a, str) and a.startswith("arn:") for a in aws):
            raise _invalid(env_file, f"people.{name}.aws", "must be a list of ARNs (patterns may use *)")
        if github is None and not aws:
            raise _invalid(env_file, f"people.{name}", "names neither a GitHub login nor an AWS ARN")
        people[str(name)] = {"github": github, "aws": aws}
    return people


def load_envs(paths: Paths, names: list[str] | None = None) -> list[EnvSettings]:
    return [load_env(paths, n) for n in (names if names is not None else list_env_names(paths))]
