"""deploy.yml run from its own YAML (tests/support/workflow_run.py) in an enforcing sandbox with bootstrap applied,
each job as the role it assumes: publish (build, push, model upload) and staging (plan, apply, verify) as staging's
apply role, promote as prod's promote role, prod (approve by the fake GitHub's reviewer, apply, watch, verify) as
prod's apply role. staging runs on App Runner and prod on ECS Fargate, so one run covers both compute targets. docker is the one stand-in (tests/harness/docker.py: this machine has no Docker engine). An
account of its own (`deploy_account`), so this chain (test_plan_workflow.py runs after it) runs beside tests/roles'
other one.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from fakes.fake_github import REPOSITORY
from harness import Event, docker
from moto.core import DEFAULT_ACCOUNT_ID
from support.side_by_side import side_by_side
from support.workflow_run import assumed, run_workflow

pytestmark = [pytest.mark.real, pytest.mark.xdist_group("bootstrap-deploy")]


def _prod_on_fargate(account) -> None:
    """prod on ECS Fargate, staging on App Runner: both compute targets in one run of deploy.yml (the layout of an
    organisation whose newer prod account App Runner no longer accepts)."""
    tfvars = account.root / "envs" / "prod" / "terraform.tfvars"
    text = tfvars.read_text()
    start = text.index("apprunner = {")
    text = text[:start] + text[text.index("}", start) + 1 :]  # App Runner's settings: Fargate refuses them
    text += '\ncompute = "ecs_fargate"\necs_fargate = {\n  alb_access_log_force_destroy = true\n}\n'
    tfvars.write_text(text)
    git = ["git", "-C", str(account.root), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "commit", "-qam", "prod on Fargate"], check=True)


def _staging_foundation(account) -> None:
    """staging's registry and artifact store, which the publish job pushes and uploads to, by staging's apply role."""
    role = account.apply_role("staging")
    account.must("plan", "staging", credentials=role, codes=(2,))
    account.must("apply", "staging", credentials=role)


def test_deploy_yml_ships_staging_and_promotes_to_prod_each_job_as_its_role(deploy_account, fake_github, tmp_path):
    account = deploy_account
    _prod_on_fargate(account)
    failed = side_by_side({"staging": lambda: _staging_foundation(account), "prod": account.prod_foundation})
    assert not failed, failed
    roles = {
        "APPLY_ROLE_ARN_STAGING": account.outputs["apply_role_arns"]["staging"],
        "APPLY_ROLE_ARN_PROD": account.outputs["apply_role_arns"]["prod"],
        "PROMOTE_ROLE_ARN_PROD": account.outputs["promote_role_arns"]["prod"],
        "PROD_WATCH_WINDOW": "5s",
    }
    run = run_workflow(
        account,
        fake_github,
        "deploy.yml",
        Event.push(REPOSITORY),
        tmp_path / "run",
        vars=roles,
        tools=[docker.install(tmp_path / "tools")],
    )
    run.ran_elsewhere("test", "`make test` runs the fast tier and the sample app's tests itself")
    run.job("envs").expect("success")
    publish = run.job("publish").expect("success")
    digest, model = publish.outputs["image"], publish.outputs["model"]
    assert digest.startswith("sha256:") and model.startswith("model-service/model.json@")
    staging = run.job("staging").expect("success")
    assert assumed(staging) == DEFAULT_ACCOUNT_ID
    promote = run.job("promote").expect("success")
    assert assumed(promote) == DEFAULT_ACCOUNT_ID and promote.outputs["request_id"]

    fake_github.add_run_approval(run.run_id, "reviewer-bob", "production")
    prod = run.job("prod").expect("success")
    assert assumed(prod) == DEFAULT_ACCOUNT_ID and "no alarm fired in 5s" in prod.log
    apply_role = account.apply_role("prod")
    shipped = json.loads(account.must("output", "prod", "--json", credentials=apply_role))
    assert shipped["compute"] == "ecs_fargate" and shipped["service_image"].endswith(f"@{digest}")
    assert shipped["model_artifact"]["key"] == model.split("@")[0]
    entries = json.loads(account.must("history", "prod", "--json", credentials=apply_role))
    approval = next(e for e in entries if e["kind"] == "approval" and e["request_id"] == promote.outputs["request_id"])
    request = next(e for e in entries if e["kind"] == "request" and e["request_id"] == promote.outputs["request_id"])
    assert approval["approved_by"]["github"] == "reviewer-bob" and request["requested_by"]["github"] == "octocat"
