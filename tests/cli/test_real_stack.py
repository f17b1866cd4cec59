"""The main job on the real stack (infra/platform + modules) in the sandbox: plan -> apply -> verify, twice.

The repository's stack, modules and envs are copied into a temporary root with a test-only project name and state
key, so this test cannot collide with others sharing the session's sandbox.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid

import pytest
from click.testing import CliRunner

from platform_cli.cli import cli
from platform_cli.sandbox.images import push_placeholder_image

from .conftest import REPO

IGNORE = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "tests")


@pytest.fixture
def real_root(tmp_path, sandbox, cli_config, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(REPO / "infra" / "platform", root / "infra" / "platform", ignore=IGNORE)
    shutil.copytree(REPO / "modules", root / "modules", ignore=IGNORE)
    shutil.copytree(REPO / "envs", root / "envs")
    project = "cli" + uuid.uuid4().hex[:6]
    for env in ("staging", "prod"):
        tfvars = root / "envs" / env / "terraform.tfvars"
        tfvars.write_text(tfvars.read_text() + f'\nproject = "{project}"\n')
        backend = root / "envs" / env / "backend.hcl"
        backend.write_text(backend.read_text().replace(f"platform/{env}.tfstate", f"{project}/{env}.tfstate"))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"],
                   check=True)
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PLATFORMCTL_SANDBOX_DIR", sandbox.info.state_dir)
    monkeypatch.setenv("PLATFORMCTL_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(cli_config))
    monkeypatch.setenv("NO_COLOR", "1")
    return root


def run(root, *args):
    return CliRunner().invoke(cli, ["--sandbox", "--root", str(root), *args], catch_exceptions=False)


def test_staging_plan_apply_verify_then_deploy_an_image(real_root, sandbox):
    planned = run(real_root, "plan", "staging")
    assert planned.exit_code == 2, planned.output
    applied = run(real_root, "apply", "staging")
    assert applied.exit_code == 0, applied.output
    first = run(real_root, "verify", "staging", "--json")
    assert first.exit_code == 0, first.output
    assert {c["area"]: c["status"] for c in json.loads(first.stdout)["checks"]}["service"] == "skip"

    outputs = json.loads(run(real_root, "output", "staging", "--json").stdout)
    digest = push_placeholder_image(outputs["repository_name"], "build-1",
                                    ecr_client=sandbox.client("ecr", "eu-west-1"))
    deploy = run(real_root, "plan", "staging", "--image", digest)
    assert deploy.exit_code == 2, deploy.output
    assert run(real_root, "apply", "staging").exit_code == 0
    verified = run(real_root, "verify", "staging", "--json")
    report = json.loads(verified.stdout)
    assert verified.exit_code == 0, verified.stdout
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses["RUNNING"] == statuses["expected image"] == statuses["health check"] == "ok"
    assert "skip" not in statuses.values()

    assert run(real_root, "plan", "staging", "--image", digest).exit_code == 0
    drift = run(real_root, "drift", "staging")
    assert drift.exit_code == 0, drift.output
