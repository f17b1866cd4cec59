"""Local replacements for the actions the workflows use, matched by owner/repo (any version: pins move).

  actions/checkout                        a git clone of the test's repository at the run's sha into the workspace
  actions/setup-python                    the installed project .venv: its bin on PATH, and the workspace's .venv
                                          made of links to it with a fresh install stamp (`make install` is then a
                                          no-op and never writes into the shared venv)
  hashicorp/setup-terraform               the terraform on PATH (none: the step fails); terraform_wrapper must be
                                          false (the wrapper's stdout/stderr/exitcode outputs are not emulated)
  aws-actions/configure-aws-credentials   a token for the job's OIDC subject from the run's token source, exchanged
                                          by AssumeRoleWithWebIdentity at the sandbox's STS; exports
                                          AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION;
                                          output aws-account-id (and the credentials with output-credentials)
  actions/upload-artifact                 artifacts.upload: a folder per artifact name in the run
  actions/download-artifact               artifacts.download

Every other action, and every input a replacement does not honour, raises UnsupportedAction naming the step.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import artifacts
from .credentials import TokenUnavailable
from .errors import UnsupportedAction

if TYPE_CHECKING:
    from .runner import JobContext

STS_TIMEOUT_SECONDS = 30


@dataclass
class ActionResult:
    outputs: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Action:
    run: Callable[[JobContext, dict[str, str]], ActionResult]
    inputs: frozenset[str]
    defaults: dict[str, str] = field(default_factory=dict)


def checkout(job: JobContext, inputs: dict[str, str]) -> ActionResult:
    repo = job.run.repo
    if not (repo / ".git").exists():
        return ActionResult(error=f"checkout: {repo} is not a git repository (checkout clones a commit)")
    clone = subprocess.run(["git", "clone", "-q", str(repo), str(job.workspace)], capture_output=True, text=True)
    if clone.returncode == 0:
        clone = subprocess.run(
            ["git", "-C", str(job.workspace), "checkout", "-q", "--detach", job.run.sha], capture_output=True, text=True
        )
    if clone.returncode != 0:
        return ActionResult(error=f"checkout failed: {clone.stderr.strip()}")
    return ActionResult(outputs={"ref": job.run.event.ref, "commit": job.run.sha})


def setup_python(job: JobContext, inputs: dict[str, str]) -> ActionResult:
    venv = Path(sys.prefix)
    stamp = venv / ".installed"
    if not stamp.exists():
        return ActionResult(error=f"setup-python: {venv} has no .installed stamp: run `make install` first")
    linked = job.workspace / ".venv"
    if not linked.exists():
        linked.mkdir()
        for entry in venv.iterdir():
            if entry.name != ".installed":
                (linked / entry.name).symlink_to(entry)
        (linked / ".installed").touch()  # newer than the checkout's pyproject.toml: make install has nothing to do
    version = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    return ActionResult(
        path=[str(venv / "bin")],
        env={"pythonLocation": str(venv)},
        outputs={"python-version": version, "python-path": str(venv / "bin" / "python")},
        notes=[f"setup-python: asked for {inputs.get('python-version', '(any)')}, using the installed {version}"],
    )


def setup_terraform(job: JobContext, inputs: dict[str, str]) -> ActionResult:
    if inputs.get("terraform_wrapper", "true") != "false":
        raise UnsupportedAction(
            f"step {job.step_label!r}: setup-terraform's wrapper (terraform_wrapper: true, the default) is not "
            "emulated; set terraform_wrapper: false"
        )
    found = shutil.which("terraform", path=job.path_value())
    if not found:
        return ActionResult(error="setup-terraform: no terraform on PATH")
    return ActionResult(
        notes=[f"setup-terraform: asked for {inputs.get('terraform_version', 'latest')}, using {found}"]
    )


def configure_aws_credentials(job: JobContext, inputs: dict[str, str]) -> ActionResult:
    if inputs.get("output-env-credentials", "true") != "true" or inputs.get("aws-profile"):
        raise UnsupportedAction(f"step {job.step_label!r}: only credentials exported as env variables are emulated")
    role = inputs.get("role-to-assume", "")
    region = inputs.get("aws-region", "")
    if not region:
        return ActionResult(error="configure-aws-credentials: Input required and not supplied: aws-region")
    if not role:
        raise UnsupportedAction(f"step {job.step_label!r}: configure-aws-credentials without role-to-assume")
    if job.permissions.get("id-token") != "write":
        return ActionResult(
            error="configure-aws-credentials: Could not get ID token: the job lacks `permissions: id-token: write`"
        )
    subject = job.subject(audience=inputs.get("audience", "sts.amazonaws.com"))
    notes: list[str] = []
    try:
        token = job.run.token_source(subject)
        credentials = _assume(job, role, inputs, token, region)
    except (TokenUnavailable, _AssumeRefused) as why:
        fallback = job.run.root_fallback
        if fallback is None:
            return ActionResult(error=f"configure-aws-credentials: could not assume {role} as {subject.sub}: {why}")
        credentials = dict(fallback)
        notes.append(f"configure-aws-credentials: {role} not assumed as {subject.sub} ({why}); root credentials")
    account = _account_of(job, credentials, region)
    env = {
        "AWS_ACCESS_KEY_ID": credentials["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": credentials["AWS_SECRET_ACCESS_KEY"],
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }
    if credentials.get("AWS_SESSION_TOKEN"):
        env["AWS_SESSION_TOKEN"] = credentials["AWS_SESSION_TOKEN"]
    outputs = {"aws-account-id": account}
    if inputs.get("output-credentials") == "true":
        outputs.update(
            {
                "aws-access-key-id": env["AWS_ACCESS_KEY_ID"],
                "aws-secret-access-key": env["AWS_SECRET_ACCESS_KEY"],
                "aws-session-token": env.get("AWS_SESSION_TOKEN", ""),
            }
        )
    allowed = [a.strip() for a in inputs.get("allowed-account-ids", "").split(",") if a.strip()]
    if allowed and account not in allowed:
        return ActionResult(error=f"configure-aws-credentials: account {account} is not in allowed-account-ids")
    return ActionResult(env=env, outputs=outputs, notes=notes)


class _AssumeRefused(Exception):
    pass


def _sts(job: JobContext, region: str, credentials: dict[str, str] | None = None):
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    endpoint = job.run.runner_env.get("AWS_ENDPOINT_URL_STS") or job.run.runner_env.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise UnsupportedAction(f"step {job.step_label!r}: the runner env has no AWS_ENDPOINT_URL (the sandbox)")
    config = Config(connect_timeout=STS_TIMEOUT_SECONDS, read_timeout=STS_TIMEOUT_SECONDS, retries={"max_attempts": 1})
    if credentials is None:  # AssumeRoleWithWebIdentity is an unsigned call: the token is the credential
        return boto3.client(
            "sts", region_name=region, endpoint_url=endpoint, config=config.merge(Config(signature_version=UNSIGNED))
        )
    return boto3.client(
        "sts",
        region_name=region,
        endpoint_url=endpoint,
        config=config,
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials.get("AWS_SESSION_TOKEN"),
    )


def _assume(job: JobContext, role: str, inputs: dict[str, str], token: str, region: str) -> dict[str, str]:
    from botocore.exceptions import ClientError

    try:
        answer = _sts(job, region).assume_role_with_web_identity(
            RoleArn=role,
            RoleSessionName=inputs.get("role-session-name") or "GitHubActions",
            WebIdentityToken=token,
            DurationSeconds=int(inputs.get("role-duration-seconds") or 3600),
        )
    except ClientError as error:
        raise _AssumeRefused(
            f"{error.response['Error'].get('Code')}: {error.response['Error'].get('Message')}"
        ) from None
    creds = answer["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }


def _account_of(job: JobContext, credentials: dict[str, str], region: str) -> str:
    return _sts(job, region, credentials).get_caller_identity()["Account"]


def upload_artifact(job: JobContext, inputs: dict[str, str]) -> ActionResult:
    answer = artifacts.upload(job.run.artifacts_dir, job.workspace, inputs)
    return _artifact_result(answer)


def download_artifact(job: JobContext, inputs: dict[str, str]) -> ActionResult:
    answer = artifacts.download(job.run.artifacts_dir, job.workspace, inputs)
    return _artifact_result(answer)


def _artifact_result(answer: dict[str, str]) -> ActionResult:
    error = answer.pop("error", None)
    warning = answer.pop("warning", None)
    return ActionResult(outputs=answer, error=error, notes=[warning] if warning else [])


KNOWN: dict[str, Action] = {
    "actions/checkout": Action(checkout, frozenset({"persist-credentials", "fetch-depth"})),
    "actions/setup-python": Action(setup_python, frozenset({"python-version"})),
    "hashicorp/setup-terraform": Action(setup_terraform, frozenset({"terraform_version", "terraform_wrapper"})),
    "aws-actions/configure-aws-credentials": Action(
        configure_aws_credentials,
        frozenset(
            {
                "role-to-assume",
                "role-session-name",
                "role-duration-seconds",
                "aws-region",
                "audience",
                "output-credentials",
                "output-env-credentials",
                "mask-aws-account-id",
                "allowed-account-ids",
            }
        ),
    ),
    "actions/upload-artifact": Action(
        upload_artifact,
        frozenset(
            {
                "name",
                "path",
                "if-no-files-found",
                "retention-days",
                "compression-level",
                "overwrite",
                "include-hidden-files",
                "archive",
            }
        ),
    ),
    "actions/download-artifact": Action(
        download_artifact,
        frozenset({"name", "path", "pattern", "merge-multiple", "artifact-ids", "github-token", "run-id"}),
    ),
}


def action_name(uses: str) -> str:
    """owner/repo of a `uses:` reference (a version or sub-path does not matter)."""
    if uses.startswith(("./", "docker://")) or "@" not in uses:
        return uses
    return "/".join(uses.split("@", 1)[0].split("/")[:2]).lower()


def find(uses: str, step_label: str) -> Action:
    name = action_name(uses)
    if name not in KNOWN:
        raise UnsupportedAction(f"step {step_label!r}: the harness has no replacement for action {uses!r}")
    return KNOWN[name]


def checked_inputs(action: Action, uses: str, given: dict[str, Any], step_label: str) -> dict[str, str]:
    unknown = sorted(set(given) - action.inputs)
    if unknown:
        raise UnsupportedAction(f"step {step_label!r}: {action_name(uses)} input(s) {unknown} are not emulated")
    return {**action.defaults, **{k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in given.items()}}
