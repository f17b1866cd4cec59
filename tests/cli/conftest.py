"""Fixtures for CLI tests: the session's sandbox, one provider cache, a fresh project per test.

Each test gets its own copy of a small project (envs/ + a tiny fixture stack in infra/platform, committed to git)
with a unique state key and project name, so tests never share Terraform state; the provider cache and the
sandbox (tests/conftest.py) are shared so the suite stays fast. The project reaches the sandbox through
AWS_ENDPOINT_URL, as it would any endpoint: this is platformctl's path for real AWS, not its --sandbox path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.cli_project import ACCOUNT, REGION, STATE_BUCKET, VENV_BIN

from platform_cli.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def moto_endpoint(sandbox):
    """The session sandbox's endpoint, with the state bucket the test projects' backends name."""
    s3 = sandbox.client("s3", REGION)
    s3.create_bucket(Bucket=STATE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return sandbox.endpoint


@pytest.fixture(scope="session")
def cli_config(tmp_path_factory):
    """One Terraform CLI config + plugin cache for the whole session (written by our own tfconfig)."""
    from platform_cli.core import tfconfig
    from platform_cli.core.paths import Paths

    shared = tmp_path_factory.mktemp("tf-shared")
    source = tfconfig.resolve(Paths(REPO, shared), environ={})
    return source.cli_config


@dataclass
class Project:
    root: Path
    work_dir: Path
    env: dict
    name: str

    def write_env(self, env: str, *, account=ACCOUNT, protected=False, approvals=0, region=REGION, extra=""):
        d = self.root / "envs" / env
        d.mkdir(parents=True, exist_ok=True)
        (d / "env.yaml").write_text(
            f'account_id: "{account}"\nregion: {region}\nprotected: '
            f"{'true' if protected else 'false'}\napprovals: {approvals}\n{extra}"
        )
        (d / "backend.hcl").write_text(
            f'bucket = "{STATE_BUCKET}"\nkey = "{self.name}/{env}.tfstate"\n'
            f'region = "{region}"\nencrypt = true\nuse_lockfile = true\n'
            "use_path_style = true\n"
        )
        (d / "terraform.tfvars").write_text(f'environment = "{env}"\nregion = "{region}"\nproject = "{self.name}"\n')

    def commit(self, message="change"):
        subprocess.run(["git", "-C", str(self.root), "add", "-A"], check=True, capture_output=True)
        subprocess.run(
            [
                "git",
                "-C",
                str(self.root),
                "-c",
                "user.email=t@t",
                "-c",
                "user.name=t",
                "commit",
                "-qm",
                message,
                "--allow-empty",
            ],
            check=True,
            capture_output=True,
        )

    def invoke(self, *args, input=None, env=None):
        """Run the CLI in-process through CliRunner (env: extra variables, e.g. another person's keys)."""
        runner = CliRunner()
        return runner.invoke(
            cli,
            ["--no-color", "--root", str(self.root), *args],
            env={**self.env, **(env or {})},
            input=input,
            catch_exceptions=False,
        )

    def history(self, env: str) -> list[dict]:
        result = self.invoke("history", env, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def person(self, name: str) -> dict[str, str]:
        """Credentials of an IAM user made in the sandbox: a second identity on one machine."""
        import boto3

        iam = boto3.client("iam", region_name=REGION)
        try:
            iam.create_user(UserName=f"{self.name}-{name}")
        except iam.exceptions.EntityAlreadyExistsException:
            pass
        key = iam.create_access_key(UserName=f"{self.name}-{name}")["AccessKey"]
        return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}

    def run(self, *args, env=None, timeout=300, **kw):
        """Run the installed console script as a real subprocess."""
        exe = VENV_BIN / "platformctl"
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "platform_cli"]
        return subprocess.run(
            [*cmd, "--no-color", "--root", str(self.root), *args],
            env=env or self.full_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            **kw,
        )

    def full_env(self):
        return {**os.environ, **self.env}


# Nothing listens on the discard port: a project aimed here fails any AWS call at once, which is what the tests
# of refusals that must happen before Terraform or AWS are touched want (they run in the fast tier).
UNREACHABLE_ENDPOINT = "http://127.0.0.1:9"


def _make_project(tmp_path, monkeypatch, cli_config, endpoint: str) -> Project:
    name = "t" + uuid.uuid4().hex[:10]
    root = tmp_path / "repo"
    (root / "infra").mkdir(parents=True)
    shutil.copytree(FIXTURES / "stack", root / "infra" / "platform")
    (root / "modules").mkdir()
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_PROFILE": None,
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "PLATFORMCTL_WORK_DIR": str(tmp_path / "work"),
        "PLATFORMCTL_SANDBOX_DIR": str(tmp_path / "sandbox"),
        "PLATFORMCTL_ROOT": None,
        "PLATFORMCTL_SANDBOX": None,
        "PLATFORMCTL_MASKS": None,
        "NO_COLOR": "1",
    }
    for key, value in env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    p = Project(root, tmp_path / "work", {k: v for k, v in env.items() if v is not None}, name)
    p.write_env("staging")
    p.write_env("prod", protected=True, approvals=1)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    p.commit("initial")
    return p


@pytest.fixture
def project(tmp_path, moto_endpoint, cli_config, monkeypatch) -> Project:
    """A project whose AWS is the session's sandbox (real tier)."""
    return _make_project(tmp_path, monkeypatch, cli_config, moto_endpoint)


@pytest.fixture
def offline_project(tmp_path, cli_config, monkeypatch) -> Project:
    """A project whose AWS endpoint answers nothing: for refusals made before any AWS or Terraform work."""
    return _make_project(tmp_path, monkeypatch, cli_config, UNREACHABLE_ENDPOINT)
