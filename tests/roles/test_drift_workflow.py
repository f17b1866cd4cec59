"""drift.yml run from its own YAML (tests/support/workflow_run.py) against the enforcing sandbox with bootstrap
applied, every AWS call as the plan role of each environment's account. It runs after test_deploy_workflow.py (file
order, one worker, the same two accounts) shipped staging (App Runner) and prod (ECS Fargate) as their apply roles,
so both compute targets are refreshed. The jobs write nothing to the state bucket but lock files that are gone again.
"""

from __future__ import annotations

import pytest
from fakes.fake_github import REPOSITORY
from harness import Event
from support.workflow_run import assumed, run_workflow

pytestmark = [pytest.mark.real, pytest.mark.xdist_group("bootstrap-deploy")]

DEPLOYED = ("staging", "prod")  # what test_deploy_workflow.py left running: one environment per compute target


def test_drift_yml_refreshes_both_compute_targets_as_the_plan_role(deploy_account, fake_github, tmp_path):
    account = deploy_account
    before = account.state_objects()
    run = run_workflow(account, fake_github, "drift.yml", Event.schedule(REPOSITORY), tmp_path)
    run.job("envs").expect("success")
    for env in DEPLOYED:
        drift = run.job("drift", matrix={"env": env})
        assert drift.result == "success", drift.log[-4000:]
        assert assumed(drift) == account.account_of(env)
        assert "drifts" not in drift.log
    assert account.state_objects() == before
    assert not fake_github.issues  # nothing drifted, so no drift issue was opened
