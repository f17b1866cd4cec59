"""infra/bootstrap applied into a sandbox that enforces IAM, and platformctl run as the roles it creates.

One enforcing sandbox for these tests (the session's shared sandbox lets every caller do everything). Bootstrap is
applied as the account's root with the kit's own variables; each test then gets a token from the sandbox's OIDC
issuer for a GitHub subject, exchanges it for a role through the sandbox's STS (AssumeRoleWithWebIdentity, checked
against the trust policy bootstrap wrote) and runs platformctl with those credentials on its real-AWS path
(AWS_ENDPOINT_URL), so every refusal comes from the sandbox's policy evaluation, as it would from AWS's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result
from fakes.fake_github import REPOSITORY  # the repository bootstrap trusts is the one the fake GitHub serves
from moto.core import DEFAULT_ACCOUNT_ID
from support.deployment import copy_repository
from support.terraform_root import apply_root

from platform_cli.cli import cli
from platform_cli.sandbox import manager
from platform_cli.sandbox.oidc.claims import WorkflowRun
from platform_cli.sandbox.oidc.client import request_token

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
TERRAFORM_TIMEOUT_SECONDS = 600
# The environments bootstrap serves here, each with the GitHub environment its apply jobs run in.
ENVIRONMENTS = {"staging": "staging", "prod": "production", "fargate": "fargate"}


@dataclass
class Account:
    """The enforcing sandbox with bootstrap applied, and a repository whose environments live in it."""

    info: manager.SandboxInfo
    project: str
    outputs: dict[str, Any]
    root: Path
    work_dir: Path
    terraform_env: dict[str, str]
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)

    def client(self, service: str, credentials: dict[str, str] | None = None) -> Any:
        keys = credentials or manager.TEST_CREDENTIALS
        return boto3.client(
            service,
            endpoint_url=self.info.endpoint,
            region_name=REGION,
            aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=keys.get("AWS_SESSION_TOKEN"),
        )

    def role(self, role_arn: str, run: WorkflowRun) -> dict[str, str]:
        """What configure-aws-credentials does: the job's OIDC token exchanged for `role_arn`'s credentials."""
        token = request_token(self.info.endpoint, run)["token"]
        creds = self.client("sts").assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName="github-actions", WebIdentityToken=token
        )["Credentials"]
        return {
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
        }

    def plan_role(self) -> dict[str, str]:
        """plan.yml's plan job on a pull request."""
        return self.role(self.outputs["plan_role_arn"], WorkflowRun(REPOSITORY, pull_request=7))

    def apply_role(self, env: str) -> dict[str, str]:
        """deploy.yml's apply job for `env`, in the GitHub environment bootstrap names for it."""
        arn = self.outputs["apply_role_arns"][env]
        return self.role(arn, WorkflowRun(REPOSITORY, environment=ENVIRONMENTS[env]))

    def promote_role(self, env: str) -> dict[str, str]:
        """deploy.yml's promote job into `env`, in the GitHub environment its promotion names."""
        arn = self.outputs["promote_role_arns"][env]
        return self.role(arn, WorkflowRun(REPOSITORY, environment="prod-promote"))

    def _platformctl_env(self, credentials: dict[str, str]) -> dict[str, str]:
        """What platformctl on its real-AWS path needs to act as the principal `credentials` belong to."""
        return {
            **self.terraform_env,
            **credentials,
            "AWS_ENDPOINT_URL": self.info.endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "PLATFORMCTL_WORK_DIR": str(self.work_dir),
            "NO_COLOR": "1",
        }

    def run(self, *args: str, credentials: dict[str, str]) -> Result:
        """platformctl on its real-AWS path, as the principal `credentials` belong to."""
        unset = {k: None for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE") if k not in credentials}
        env = {**self._platformctl_env(credentials), **unset}
        return CliRunner().invoke(cli, ["--no-color", "--root", str(self.root), *args], env=env)

    def must(self, *args: str, credentials: dict[str, str], codes: tuple[int, ...] = (0,)) -> str:
        """platformctl as a subprocess (safe to run several at once, unlike `run`), as `credentials`' principal;
        its stdout, after asserting its exit code."""
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            **self._platformctl_env(credentials),
        }
        done = subprocess.run(
            [sys.executable, "-m", "platform_cli", "--no-color", "--root", str(self.root), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=TERRAFORM_TIMEOUT_SECONDS,
        )
        assert done.returncode in codes, (
            f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
        return done.stdout

    def prod_foundation(self) -> None:
        """What a platform team does once before the first promotion: prod's foundation asked for with prod's apply
        role, approved by the account's administrator (the sandbox's root), applied by prod's apply role."""
        apply_role = self.apply_role("prod")
        self.must("plan", "prod", "--request", credentials=apply_role, codes=(2,))
        self.must("approve", "prod", credentials=dict(self.info.env))
        self.must("apply", "prod", credentials=apply_role, codes=(0, 1))  # 1: verify finds no service yet

    def state_objects(self) -> dict[str, list[str]]:
        """The state bucket as root sees it: the keys there now, and every version of a key that is not a lock."""
        s3 = self.client("s3")
        bucket = self.outputs["state_bucket_name"]
        current = [
            o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket) for o in p.get("Contents", [])
        ]
        versions = [
            f"{v['Key']}#{v['VersionId']}"
            for p in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
            for v in p.get("Versions", [])
            if not v["Key"].endswith(".tflock")
        ]
        return {"current": sorted(current), "versions": sorted(versions)}


def _bootstrap(info: manager.SandboxInfo, base: Path, project: str, env: dict[str, str]) -> dict[str, Any]:
    shutil.copytree(REPO / "infra" / "bootstrap", base / "infra" / "bootstrap", ignore=shutil.ignore_patterns("tests"))
    shutil.copytree(REPO / "modules", base / "modules", ignore=shutil.ignore_patterns(".terraform", "tests"))
    stack = base / "infra" / "bootstrap"
    (stack / "terraform.tfvars.json").write_text(
        json.dumps(
            {
                "region": REGION,
                "project": project,
                "github_repository": REPOSITORY,
                "state_force_destroy": True,
                "environments": ENVIRONMENTS,
                "promotions": {"prod": {"from": "staging", "github_environment": "prod-promote"}},
            }
        )
    )

    return apply_root(stack, env, timeout=TERRAFORM_TIMEOUT_SECONDS)


def _point_environments_at(root: Path, bucket: str) -> None:
    """Each environment in the sandbox's account, its state in the bucket bootstrap made, its roles bounded."""
    for env_dir in (root / "envs").iterdir():
        policy = env_dir / "env.yaml"
        text = policy.read_text()
        for account in ("111111111111", "222222222222"):
            text = text.replace(f'account_id: "{account}"', f'account_id: "{DEFAULT_ACCOUNT_ID}"')
        policy.write_text(text)
        # Bootstrap's apply roles create roles only with the environment's workload boundary.
        tfvars = env_dir / "terraform.tfvars"
        tfvars.write_text(tfvars.read_text() + "\nworkload_permissions_boundary = true\n")
        backend = env_dir / "backend.hcl"
        lines = [line for line in backend.read_text().splitlines() if not line.startswith("bucket")]
        backend.write_text("\n".join([f'bucket = "{bucket}"', *lines, "use_path_style = true", ""]))
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "sandbox"], check=True
    )


@contextmanager
def _enforcing_account(tmp_path_factory, terraform_env, name: str) -> Iterator[Account]:
    """A new enforcing sandbox with bootstrap applied (about a minute) and a repository aimed at it."""
    base = tmp_path_factory.mktemp(name)
    info = manager.start(manager.free_port(), state_dir=base / "sandbox", enforce_iam="hard")
    try:
        project = "rk" + uuid.uuid4().hex[:6]
        root_env = terraform_env({**info.env, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION})
        outputs = _bootstrap(info, base / "bootstrap", project, root_env)
        root = base / "repo"
        copy_repository(root, project, whole=True)  # the workflows run from their YAML need the whole checkout
        _point_environments_at(root, outputs["state_bucket_name"])
        yield Account(
            info=info,
            project=project,
            outputs=outputs,
            root=root,
            work_dir=base / "work",
            terraform_env=terraform_env({}),
        )
    finally:
        manager.stop(base / "sandbox")


# Session scope: the modules that use `account` are in the xdist group "bootstrap-roles", so one worker runs them all
# against one bootstrap; test_deploy_workflow.py (group "bootstrap-deploy") has an account of its own, so the two
# chains run side by side.
@pytest.fixture(scope="session")
def account(tmp_path_factory, terraform_env) -> Iterator[Account]:
    with _enforcing_account(tmp_path_factory, terraform_env, "roles") as made:
        yield made


@pytest.fixture(scope="session")
def deploy_account(tmp_path_factory, terraform_env) -> Iterator[Account]:
    with _enforcing_account(tmp_path_factory, terraform_env, "deploy") as made:
        yield made
