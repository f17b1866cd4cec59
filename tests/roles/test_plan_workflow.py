"""plan.yml run from its own YAML (tests/support/workflow_run.py) against the enforcing sandbox with bootstrap
applied, every AWS call as the plan role the job's configure-aws-credentials step assumes. It runs after
test_deploy_workflow.py (file order, one worker, the same sandbox) shipped a release to staging (App Runner, with a
model, in staging's account) and prod (ECS Fargate, in prod's), so both compute targets are planned, each with its
account's plan role. The jobs write nothing to the state bucket but
lock files that are gone again, and the comment job posts each plan to the fake GitHub's pull request.
"""

from __future__ import annotations

import pytest
from fakes.fake_github import REPOSITORY
from harness import Event
from support.workflow_run import assumed, run_workflow

pytestmark = [pytest.mark.real, pytest.mark.xdist_group("bootstrap-deploy")]

PR = 11
DEPLOYED = ("staging", "prod")  # what test_deploy_workflow.py left running: App Runner and ECS Fargate


def test_plan_yml_plans_both_compute_targets_as_the_plan_role(deploy_account, fake_github, tmp_path):
    account = deploy_account
    fake_github.add_pull_request(PR)
    before = account.state_objects()
    run = run_workflow(account, fake_github, "plan.yml", Event.pull_request(PR, REPOSITORY), tmp_path)
    run.job("envs").expect("success")
    for env in DEPLOYED:
        plan = run.job("plan", matrix={"env": env})
        assert plan.result == "success", plan.log[-4000:]
        assert assumed(plan) == account.account_of(env)
        run.job("comment", matrix={"env": env}).expect("success")
    assert account.state_objects() == before
    bodies = [c["body"] for c in fake_github.comments_on(PR)]
    assert len(bodies) == 2 and all("Error" not in body for body in bodies)
