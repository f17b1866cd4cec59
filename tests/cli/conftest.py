"""Fixtures for CLI tests: one moto server per session, one provider cache, a fresh project per test.

Each test gets its own copy of a small project (envs/ + a tiny fixture stack in infra/platform, committed to git)
with a unique state key and project name, so tests never share Terraform state; the provider cache and the
moto server are shared so the suite stays fast.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from platform_cli.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
STATE_BUCKET = "pctl-test-state"
REGION = "eu-west-1"
ACCOUNT = "111111111111"
MOTO_START_TIMEOUT = 30  # seconds for moto_server to answer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """moto's HTTP server, its default account set to staging's account so the identity check passes."""
    port = _free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    moto = VENV_BIN / "moto_server"
    proc = subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "MOTO_ACCOUNT_ID": ACCOUNT})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + MOTO_START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("moto_server did not start")
    s3 = boto3.client("s3", endpoint_url=url, region_name=REGION, aws_access_key_id="test",
                      aws_secret_access_key="test")
    s3.create_bucket(Bucket=STATE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield url
    proc.terminate()
    proc.wait(timeout=10)


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
        (d / "env.yaml").write_text(f'account_id: "{account}"\nregion: {region}\nprotected: '
                                    f'{"true" if protected else "false"}\napprovals: {approvals}\n{extra}')
        (d / "backend.hcl").write_text(f'bucket = "{STATE_BUCKET}"\nkey = "{self.name}/{env}.tfstate"\n'
                                       f'region = "{region}"\nencrypt = true\nuse_lockfile = true\n'
                                       'use_path_style = true\n')
        (d / "terraform.tfvars").write_text(f'environment = "{env}"\nregion = "{region}"\nproject = "{self.name}"\n')

    def commit(self, message="change"):
        subprocess.run(["git", "-C", str(self.root), "add", "-A"], check=True, capture_output=True)
        subprocess.run(["git", "-C", str(self.root), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm",
                        message, "--allow-empty"], check=True, capture_output=True)

    def invoke(self, *args, input=None):
        """Run the CLI in-process through CliRunner."""
        runner = CliRunner()
        return runner.invoke(cli, ["--no-color", "--root", str(self.root), *args], env=self.env, input=input,
                             catch_exceptions=False)

    def run(self, *args, env=None, timeout=300, **kw):
        """Run the installed console script as a real subprocess."""
        exe = VENV_BIN / "platformctl"
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "platform_cli"]
        return subprocess.run([*cmd, "--no-color", "--root", str(self.root), *args], env=env or self.full_env(),
                              capture_output=True, text=True, timeout=timeout, **kw)

    def full_env(self):
        return {**os.environ, **self.env}


@pytest.fixture
def project(tmp_path, moto_endpoint, cli_config, monkeypatch):
    name = "t" + uuid.uuid4().hex[:10]
    root = tmp_path / "repo"
    (root / "infra").mkdir(parents=True)
    shutil.copytree(FIXTURES / "stack", root / "infra" / "platform")
    (root / "modules").mkdir()
    env = {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_PROFILE": None,
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "PLATFORMCTL_WORK_DIR": str(tmp_path / "work"),
        "PLATFORMCTL_ROOT": None,
        "PLATFORMCTL_SANDBOX": None,
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
