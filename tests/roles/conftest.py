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
import re
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
from support.accounts import TWO_ACCOUNTS
from support.deployment import REGION, copy_repository
from support.side_by_side import side_by_side
from support.terraform_root import apply_root

from platform_cli.cli import cli
from platform_cli.sandbox import accounts, manager
from platform_cli.sandbox.oidc.claims import WorkflowRun
from platform_cli.sandbox.oidc.client import request_token

REPO = Path(__file__).resolve().parents[2]
TERRAFORM_TIMEOUT_SECONDS = 600
# The environments bootstrap serves here, each with the GitHub environment its apply jobs run in.
ENVIRONMENTS = {"staging": "staging", "prod": "production", "fargate": "fargate"}


@dataclass
class Account:
    """The enforcing sandbox with bootstrap applied in each account the environments live in (one, or staging's and
    prod's), and a repository whose environments live there."""

    info: manager.SandboxInfo
    project: str
    bootstraps: dict[str, dict[str, Any]]  # bootstrap's outputs by account
    env_accounts: dict[str, str]  # the account of each environment
    root: Path
    work_dir: Path
    terraform_env: dict[str, str]
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def outputs(self) -> dict[str, Any]:
        """Bootstrap's outputs in the one account (the single-account layout)."""
        (outputs,) = self.bootstraps.values()
        return outputs

    def account_of(self, env: str) -> str:
        return self.env_accounts[env]

    def outputs_of(self, env: str) -> dict[str, Any]:
        return self.bootstraps[self.account_of(env)]

    def root_of(self, env: str) -> dict[str, str]:
        """The credentials of the root of `env`'s account (its administrator)."""
        return accounts.root_credentials(self.account_of(env))

    def plan_role_vars(self) -> dict[str, str]:
        """plan.yml's and drift.yml's repository variables: the plan role of each account."""
        return {f"PLAN_ROLE_ARN_{account}": out["plan_role_arn"] for account, out in self.bootstraps.items()}

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
        arn = self.outputs_of(env)["apply_role_arns"][env]
        return self.role(arn, WorkflowRun(REPOSITORY, environment=ENVIRONMENTS[env]))

    def promote_role(self, env: str) -> dict[str, str]:
        """deploy.yml's promote job into `env`, in the GitHub environment its promotion names."""
        arn = self.outputs_of(env)["promote_role_arns"][env]
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
        self.must("approve", "prod", credentials=self.root_of("prod"))
        self.must("apply", "prod", credentials=apply_role, codes=(0, 1))  # 1: verify finds no service yet

    def state_objects(self) -> dict[str, dict[str, list[str]]]:
        """Each state bucket as its account's root sees it: the keys there now, and every version of a key that is
        not a lock."""
        return {
            out["state_bucket_name"]: self._bucket_objects(out["state_bucket_name"], account)
            for account, out in self.bootstraps.items()
        }

    def _bucket_objects(self, bucket: str, account: str) -> dict[str, list[str]]:
        s3 = self.client("s3", accounts.root_credentials(account))
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


def _bootstrap(
    info: manager.SandboxInfo,
    base: Path,
    project: str,
    env: dict[str, str],
    environments: dict[str, str],
    promotion: dict[str, str],
) -> dict[str, Any]:
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
                "environments": environments,
                "promotions": {"prod": promotion},
                "state_key_prefix": f"{project}/",  # copy_repository keeps each environment's state there
            }
        )
    )

    return apply_root(stack, env, timeout=TERRAFORM_TIMEOUT_SECONDS)


def _point_environments_at(root: Path, env_accounts: dict[str, str], buckets: dict[str, str]) -> None:
    """Each environment in its account, its state in the bucket bootstrap made there, its roles bounded."""
    for env_dir in (root / "envs").iterdir():
        account = env_accounts[env_dir.name]
        policy = env_dir / "env.yaml"
        text = policy.read_text()
        policy.write_text(re.sub(r'account_id: "\d{12}"', f'account_id: "{account}"', text))
        # Bootstrap's apply roles create roles only with the environment's workload boundary.
        tfvars = env_dir / "terraform.tfvars"
        tfvars.write_text(tfvars.read_text() + "\nworkload_permissions_boundary = true\n")
        backend = env_dir / "backend.hcl"
        lines = [line for line in backend.read_text().splitlines() if not line.startswith("bucket")]
        backend.write_text("\n".join([f'bucket = "{buckets[account]}"', *lines, "use_path_style = true", ""]))
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "sandbox"], check=True
    )


@contextmanager
def _enforcing_account(
    tmp_path_factory, terraform_env, name: str, layout: dict[str, dict[str, str]]
) -> Iterator[Account]:
    """A new enforcing sandbox with bootstrap applied in each account of `layout` (its environments and their GitHub
    environments), side by side (about a minute), and a repository aimed at it. Every account's bootstrap gets the
    same promotion of staging into prod, with both accounts named when they differ."""
    base = tmp_path_factory.mktemp(name)
    info = manager.start(manager.free_port(), state_dir=base / "sandbox", enforce_iam="hard")
    try:
        project = "rk" + uuid.uuid4().hex[:6]
        env_accounts = {env: account for account, envs in layout.items() for env in envs}
        promotion = {"from": "staging", "github_environment": "prod-promote"}
        if env_accounts["staging"] != env_accounts["prod"]:
            promotion |= {"from_account_id": env_accounts["staging"], "account_id": env_accounts["prod"]}
        bootstraps: dict[str, dict[str, Any]] = {}

        def bootstrap(account: str) -> None:
            root_env = terraform_env(
                {**info.env, **accounts.root_credentials(account), "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION}
            )
            bootstraps[account] = _bootstrap(
                info, base / f"bootstrap-{account}", project, root_env, layout[account], promotion
            )

        # Side by side: in AWS prod's account goes first (the grants staging's account writes name prod's promote
        # role, and AWS refuses a resource policy naming a principal that does not exist; README says so); the
        # sandbox does not check that, and the order changes nothing else.
        failed = side_by_side({account: lambda account=account: bootstrap(account) for account in layout})
        assert not failed, failed
        root = base / "repo"
        copy_repository(root, project, whole=True)  # the workflows run from their YAML need the whole checkout
        _point_environments_at(root, env_accounts, {a: out["state_bucket_name"] for a, out in bootstraps.items()})
        yield Account(
            info=info,
            project=project,
            bootstraps=bootstraps,
            env_accounts=env_accounts,
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
    with _enforcing_account(tmp_path_factory, terraform_env, "roles", {DEFAULT_ACCOUNT_ID: ENVIRONMENTS}) as made:
        yield made


@pytest.fixture(scope="session")
def deploy_account(tmp_path_factory, terraform_env) -> Iterator[Account]:
    with _enforcing_account(tmp_path_factory, terraform_env, "deploy", TWO_ACCOUNTS) as made:
        yield made
