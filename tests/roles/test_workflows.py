"""plan.yml, drift.yml and deploy.yml run from their own YAML (tests/harness) against the enforcing sandbox with bootstrap
applied: every AWS call comes from the role the job's configure-aws-credentials step assumes with a token from the
sandbox's OIDC issuer for the job's subject, with no fallback to other credentials. They run after
test_apply_role.py (file order, one worker) deployed staging (App Runner) and fargate as their apply roles, so
both compute targets are planned and refreshed. Each plan and drift job writes nothing to the state bucket but lock
files that are gone again. deploy.yml then ships a release to staging and promotes it to prod, each job as its role;
docker is the one stand-in (tests/harness/docker.py: this machine has no Docker engine).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fakes.fake_github import OIDC_REQUEST_TOKEN, REPOSITORY, TOKEN
from harness import Event, WorkflowRun, docker, sandbox_issuer
from moto.core import DEFAULT_ACCOUNT_ID

from platform_cli.core import tfconfig
from platform_cli.core.paths import Paths

pytestmark = [pytest.mark.real, pytest.mark.xdist_group("bootstrap-roles")]

REPO = Path(__file__).resolve().parents[2]
PR = 11
DEPLOYED = ("staging", "fargate")  # what test_apply_role.py left running: one environment per compute target


def _run(account, fake_github, workflow: str, event: Event, base: Path, **options) -> WorkflowRun:
    runner_env = {  # the machine's "cloud": the enforcing sandbox's endpoint and the offline provider mirror
        "AWS_ENDPOINT_URL": account.info.endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_COLOR": "1",
        # GitHub's OIDC keys, for platformctl's check of the login in a job's own token (github/oidc.py)
        "PLATFORMCTL_GITHUB_OIDC_JWKS_URL": f"{fake_github.base_url}/_oidc/jwks",
        **tfconfig.resolve(Paths.discover(REPO)).env(),
    }
    issuer_env = {**runner_env, "PLATFORMCTL_SANDBOX_DIR": account.info.state_dir, "PATH": "/usr/bin:/bin"}
    return WorkflowRun(
        account.root / ".github" / "workflows" / workflow,
        account.root,
        event,
        base,
        repository=REPOSITORY,
        vars={f"PLAN_ROLE_ARN_{DEFAULT_ACCOUNT_ID}": account.outputs["plan_role_arn"], **options.pop("vars", {})},
        token=TOKEN,
        api_url=fake_github.base_url,
        runner_env=runner_env,
        token_source=sandbox_issuer(Path(sys.prefix) / "bin" / "platformctl", issuer_env),
        # A job's own OIDC token (the login platformctl records) from the fake GitHub's token service.
        id_token_request=(f"{fake_github.base_url}/_oidc/token?actor={event.actor}&run_id=4242", OIDC_REQUEST_TOKEN),
        **options,
    )


def _assumed(job) -> str:
    step = next(s for s in job.steps if s.label.startswith("AWS credentials"))
    assert step.outcome == "success" and not step.notes, job.log  # the role itself, no fallback
    return step.outputs["aws-account-id"]


def test_plan_yml_plans_every_deployed_environment_and_prod_as_the_plan_role(account, fake_github, tmp_path):
    fake_github.add_pull_request(PR)
    before = account.state_objects()
    run = _run(account, fake_github, "plan.yml", Event.pull_request(PR, REPOSITORY), tmp_path)
    run.job("envs").expect("success")
    for env in (*DEPLOYED, "prod"):
        plan = run.job("plan", matrix={"env": env})
        assert plan.result == "success", plan.log[-4000:]
        assert _assumed(plan) == DEFAULT_ACCOUNT_ID
        run.job("comment", matrix={"env": env}).expect("success")
    assert account.state_objects() == before
    bodies = [c["body"] for c in fake_github.comments_on(PR)]
    assert len(bodies) == 3 and all("Error" not in body for body in bodies)


def test_drift_yml_refreshes_both_compute_targets_as_the_plan_role(account, fake_github, tmp_path):
    before = account.state_objects()
    run = _run(account, fake_github, "drift.yml", Event.schedule(REPOSITORY), tmp_path)
    run.job("envs").expect("success")
    for env in DEPLOYED:
        drift = run.job("drift", matrix={"env": env})
        assert drift.result == "success", drift.log[-4000:]
        assert _assumed(drift) == DEFAULT_ACCOUNT_ID
        assert "drifts" not in drift.log
    assert account.state_objects() == before
    assert not fake_github.issues  # nothing drifted, so no drift issue was opened


def _prod_foundation(account) -> None:
    """What a platform team does once before the first promotion: prod's foundation asked for with prod's apply
    role, approved by the account's administrator, applied by prod's apply role."""
    apply_role = account.apply_role("prod")
    for args, codes, credentials in (
        (("plan", "prod", "--request"), (2,), apply_role),
        (("approve", "prod"), (0,), {}),  # the sandbox's root: the administrator
        (("apply", "prod"), (0, 1), apply_role),  # 1: verify finds no service yet, as on any first foundation
    ):
        done = account.run(*args, credentials=credentials or dict(account.info.env))
        assert done.exit_code in codes and "Traceback" not in done.output, f"{args}: {done.output[-4000:]}"


def test_deploy_yml_ships_staging_and_promotes_to_prod_each_job_as_its_role(account, fake_github, tmp_path):
    _prod_foundation(account)
    roles = {
        "APPLY_ROLE_ARN_STAGING": account.outputs["apply_role_arns"]["staging"],
        "APPLY_ROLE_ARN_PROD": account.outputs["apply_role_arns"]["prod"],
        "PROMOTE_ROLE_ARN_PROD": account.outputs["promote_role_arns"]["prod"],
        "PROD_WATCH_WINDOW": "5s",
    }
    run = _run(
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
    assert _assumed(staging) == DEFAULT_ACCOUNT_ID
    promote = run.job("promote").expect("success")
    assert _assumed(promote) == DEFAULT_ACCOUNT_ID and promote.outputs["request_id"]

    fake_github.add_run_approval(run.run_id, "reviewer-bob", "production")
    prod = run.job("prod").expect("success")
    assert "no alarm fired in 5s" in prod.log
    shipped = account.run("output", "prod", "--json", credentials=account.apply_role("prod"))
    assert digest in shipped.stdout and model.split("@")[0] in shipped.stdout
    history = account.run("history", "prod", "--json", credentials=account.apply_role("prod")).stdout
    assert '"github": "reviewer-bob"' in history and '"github": "octocat"' in history
