"""One deployed staging environment per test run, shared by every test that reads a deployed environment.

The repository's stack, modules and envs are copied into a temporary root (committed to git) with a test-only
project name, and deployed the way `make demo` does it: platformctl --sandbox plan + apply (foundation), push a
placeholder image into the new registry, plan + apply on that digest. Applying the real stack costs about a
minute (the aws provider waits ~55 s on each S3 lifecycle configuration), so it happens once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.deployment import (
    APPLY_TIMEOUT_SECONDS,
    ENV,
    Deployment,
    copy_repository,
)
from support.sandbox import Sandbox, started_sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory) -> Iterator[Sandbox]:
    """The deployment tier's own sandbox, enforcing IAM as AWS does: platformctl --sandbox acts as the account's
    root, alice and bob as IAM users with an administrator's policy (support/deployment.py), every service role the
    stack creates as its policies say."""
    with started_sandbox(tmp_path_factory, "sandbox-enforcing", enforce_iam="hard") as running:
        yield running


def deploy(
    sandbox, terraform_env, base: Path, *, with_prod: bool, staging_settings: str = "", staging_policy: str = ""
) -> Deployment:
    """staging deployed on an image; with_prod: prod's foundation too (asked for by alice, approved by bob),
    applied beside staging's. staging_settings / staging_policy: lines added to staging's terraform.tfvars /
    env.yaml in this copy."""
    root = base / "repo"
    project = "dep" + uuid.uuid4().hex[:6]
    copy_repository(root, project, staging_settings=staging_settings, staging_policy=staging_policy)
    env = {k: v for k, v in terraform_env({}).items()}
    env.update(PLATFORMCTL_SANDBOX_DIR=sandbox.info.state_dir, PLATFORMCTL_WORK_DIR=str(base / "work"), NO_COLOR="1")
    deployment = Deployment(root=root, work_dir=base / "work", env=env, sandbox=sandbox)
    deployment.must("plan", ENV, codes=(2,))
    applies = [deployment.spawn("apply", ENV)]
    if with_prod:
        deployment.people = {name: deployment.person(f"{name}-{project}") for name in ("alice", "bob")}
        deployment.must("plan", "prod", "--request", codes=(2,), person=deployment.people["alice"])
        deployment.must("approve", "prod", person=deployment.people["bob"])
        # Both foundations at once: each waits ~55 s on the aws provider's S3 lifecycle waiter, not on the CPU.
        applies.append(deployment.spawn("apply", "prod", person=deployment.people["alice"]))
    for proc in applies:
        out, _ = proc.communicate(timeout=APPLY_TIMEOUT_SECONDS)
        assert proc.returncode in (0, 1) and "applied plan" in out, out[-4000:]  # prod verify: no service yet
    if not with_prod:
        deployment.drift_after_foundation = deployment.run("drift", ENV, "--json")
    deployment.outputs = json.loads(deployment.must("output", ENV, "--json").stdout)
    deployment.digest = deployment.push_image("build-1")
    deployment.must("plan", ENV, "--image", deployment.digest, codes=(2,))
    deployment.must("apply", ENV)
    deployment.outputs = json.loads(deployment.must("output", ENV, "--json").stdout)
    return deployment


@pytest.fixture(scope="session")
def staging_and_prod(sandbox, terraform_env, tmp_path_factory) -> Deployment:
    """staging on an image and prod's foundation, for promotion."""
    return deploy(sandbox, terraform_env, tmp_path_factory.mktemp("promotion"), with_prod=True)


# A pricing model's business rules; one evaluation period, so a test need not wait out three.
GUARDRAILS = """
model_guardrails = {
  valid_min          = 50
  valid_max          = 100000
  band               = "quantiles"
  evaluation_periods = 1
  datapoints_to_alarm = 1
}
"""


@pytest.fixture(scope="session")
def staging(sandbox, terraform_env, tmp_path_factory) -> Deployment:
    """staging alone, with model guardrails and auto_rollback: one deployment (~2 min of CPU) for the model-alarm
    story (test_model_guardrails.py, first) and then the tests that read a deployed environment and destroy it
    (test_staging.py), all in one xdist group and in file order."""
    return deploy(
        sandbox,
        terraform_env,
        tmp_path_factory.mktemp("staging"),
        with_prod=False,
        staging_settings=GUARDRAILS,
        staging_policy="auto_rollback: true\n",
    )
