"""How platformctl reaches an environment's account from a terminal: env.yaml `credentials` names a profile or a
role, so one terminal can plan staging in one account and prod in another (`promote` reads the source with the
source's credentials and writes the target with the target's).

Either way the result is a set of temporary keys handed to boto3 and Terraform alike (an AwsTarget), so both talk
to the same account as the same principal. In GitHub Actions the job's role comes from OIDC and env.yaml's
credentials are not used (commands/_context.py decides).
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from typing import Any

from .aws import AwsTarget, error_code
from .errors import NoCredentials

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
PROFILE = re.compile(r"^[\w+=,.@/-]{1,64}$")
SESSION_SECONDS = 3600  # the default maximum session of a role; an apply longer than that needs a longer one


@dataclass(frozen=True)
class Credentials:
    """env.yaml `credentials`: exactly one of a profile (from the AWS config files) or a role to assume."""

    profile: str | None = None
    role_arn: str | None = None

    def describe(self) -> str:
        return f"profile {self.profile}" if self.profile else f"role {self.role_arn}"

    def as_dict(self) -> dict[str, str]:
        return {"profile": self.profile} if self.profile else {"role_arn": str(self.role_arn)}


def parse(raw: Any, account_id: str) -> Credentials | str:
    """The Credentials env.yaml's `credentials` mapping names, or the reason it names none (for a SettingsError)."""
    if not isinstance(raw, dict) or len(raw) != 1 or not set(raw) <= {"profile", "role_arn"}:
        return "must be a mapping with exactly one of profile or role_arn"
    if "profile" in raw:
        profile = raw["profile"]
        if not isinstance(profile, str) or not PROFILE.match(profile):
            return f"profile {profile!r} is not a profile name"
        return Credentials(profile=profile)
    role_arn = raw["role_arn"]
    match = ROLE_ARN.match(role_arn) if isinstance(role_arn, str) else None
    if match is None:
        return f"role_arn {role_arn!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
    if match.group(1) != account_id:
        return f"role_arn {role_arn} is in account {match.group(1)}, not this environment's {account_id}"
    return Credentials(role_arn=role_arn)


def target_for(env_name: str, credentials: Credentials, region: str, base: AwsTarget) -> AwsTarget:
    """An AwsTarget acting with `credentials`: the profile's keys, or a session of the role assumed with `base`'s."""
    keys = (
        _profile_keys(env_name, credentials, region)
        if credentials.profile
        else _role_keys(env_name, credentials, region, base)
    )
    # "" rather than absent: an AWS_SESSION_TOKEN or AWS_PROFILE left in the caller's environment must not mix in.
    env = {"AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", **keys}
    if base.endpoint:
        env["AWS_ENDPOINT_URL"] = base.endpoint
    return AwsTarget(env=env, endpoint=base.endpoint)


def _profile_keys(env_name: str, credentials: Credentials, region: str) -> dict[str, str]:
    import boto3
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    hint = f"add profile {credentials.profile} to your AWS config, or change credentials in envs/{env_name}/env.yaml"
    try:
        found = boto3.Session(profile_name=credentials.profile, region_name=region).get_credentials()
    except ProfileNotFound:
        raise NoCredentials(f"{env_name}: profile {credentials.profile} is not in your AWS config", hint=hint) from None
    except BotoCoreError as exc:
        raise NoCredentials(
            f"{env_name}: profile {credentials.profile} gives no credentials: {exc}", hint=hint
        ) from None
    if found is None:
        raise NoCredentials(f"{env_name}: profile {credentials.profile} gives no credentials", hint=hint)
    frozen = found.get_frozen_credentials()
    keys = {"AWS_ACCESS_KEY_ID": frozen.access_key, "AWS_SECRET_ACCESS_KEY": frozen.secret_key}
    if frozen.token:
        keys["AWS_SESSION_TOKEN"] = frozen.token
    return keys


def _role_keys(env_name: str, credentials: Credentials, region: str, base: AwsTarget) -> dict[str, str]:
    try:
        session = base.client("sts", region).assume_role(
            RoleArn=credentials.role_arn,
            RoleSessionName=_session_name(env_name),
            DurationSeconds=SESSION_SECONDS,
        )["Credentials"]
    except Exception as exc:  # noqa: BLE001 - botocore's ClientError or a missing-credentials error
        reason = error_code(exc) or exc.__class__.__name__
        raise NoCredentials(
            f"{env_name}: cannot assume {credentials.role_arn}: {reason}",
            hint="use credentials that the role's trust policy allows, or change credentials in "
            f"envs/{env_name}/env.yaml",
        ) from None
    return {
        "AWS_ACCESS_KEY_ID": session["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": session["SecretAccessKey"],
        "AWS_SESSION_TOKEN": session["SessionToken"],
    }


def _session_name(env_name: str) -> str:
    """platformctl-ENV-USER, as CloudTrail shows it: who acted, through which environment's role."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this process's environment
        user = "unknown"
    return re.sub(r"[^\w+=,.@-]", "-", f"platformctl-{env_name}-{user}")[:64]
