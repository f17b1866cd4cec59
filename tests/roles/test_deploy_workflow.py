"""deploy.yml run from its own YAML (tests/support/workflow_run.py) in an enforcing sandbox with two accounts,
staging's (111111111111) and prod's (222222222222), bootstrap applied in each with the same `promotions`, each job as
the role it assumes: publish (build, push, model upload) and staging (plan, apply, verify) as staging's apply role,
promote as prod's promote role (reading staging's account through the grants bootstrap made there), prod (approve
by the fake GitHub's reviewer, apply, watch, verify) as prod's apply role. staging runs on App Runner and prod on
ECS Fargate, so one run covers both compute targets. docker is the one stand-in (tests/harness/docker.py: this
machine has no Docker engine). A sandbox of its own (`deploy_account`), so this chain (test_plan_workflow.py runs
after it) runs beside tests/roles' other one.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest
from fakes.fake_github import REPOSITORY
from harness import Event, docker
from support.accounts import PROD_ACCOUNT, STAGING_ACCOUNT
from support.deployment import REGION
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
        "APPLY_ROLE_ARN_STAGING": account.outputs_of("staging")["apply_role_arns"]["staging"],
        "APPLY_ROLE_ARN_PROD": account.outputs_of("prod")["apply_role_arns"]["prod"],
        "PROMOTE_ROLE_ARN_PROD": account.outputs_of("prod")["promote_role_arns"]["prod"],
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
    assert assumed(staging) == STAGING_ACCOUNT
    promote = run.job("promote").expect("success")
    assert assumed(promote) == PROD_ACCOUNT and promote.outputs["request_id"]

    fake_github.add_run_approval(run.run_id, "reviewer-bob", "production")
    prod = run.job("prod").expect("success")
    assert assumed(prod) == PROD_ACCOUNT and "no alarm fired in 5s" in prod.log
    apply_role = account.apply_role("prod")
    shipped = json.loads(account.must("output", "prod", "--json", credentials=apply_role))
    assert shipped["compute"] == "ecs_fargate" and shipped["service_image"].endswith(f"@{digest}")
    assert shipped["model_artifact"]["key"] == model.split("@")[0]
    # The same bytes as staging's (a copy by version into prod's own store, under prod's key).
    source = json.loads(account.must("output", "staging", "--json", credentials=account.apply_role("staging")))
    assert shipped["model_artifact"]["sha256"] == source["model_artifact"]["sha256"]
    assert shipped["artifact_bucket_name"] != source["artifact_bucket_name"]
    entries = json.loads(account.must("history", "prod", "--json", credentials=apply_role))
    approval = next(e for e in entries if e["kind"] == "approval" and e["request_id"] == promote.outputs["request_id"])
    request = next(e for e in entries if e["kind"] == "request" and e["request_id"] == promote.outputs["request_id"])
    assert approval["approved_by"]["github"] == "reviewer-bob" and request["requested_by"]["github"] == "octocat"
    evidence = request["evidence"]
    assert evidence["source_account"] == STAGING_ACCOUNT and evidence["source_registry"] == source["registry_url"]


def _without_statement(policy: str, sid: str) -> str:
    document = json.loads(policy)
    kept = [s for s in document["Statement"] if s.get("Sid") != sid]
    assert len(kept) == len(document["Statement"]) - 1, f"no statement {sid} in {policy}"
    return json.dumps({**document, "Statement": kept})


def _take_away_the_repository_grant(account, staging: dict) -> tuple[str, Callable[[], None]]:
    ecr, name = account.client("ecr", account.root_of("staging")), staging["repository_name"]
    policy = ecr.get_repository_policy(repositoryName=name)["policyText"]
    ecr.set_repository_policy(
        repositoryName=name, policyText=_without_statement(policy, "PromotionReadersPullByDigest")
    )
    refused = f"ecr:BatchGetImage on resource: arn:aws:ecr:{REGION}:{STAGING_ACCOUNT}:repository/{name}"
    return refused, lambda: ecr.set_repository_policy(repositoryName=name, policyText=policy)


def _take_away_the_key_grant(account, staging: dict) -> tuple[str, Callable[[], None]]:
    s3, kms = account.client("s3", account.root_of("staging")), account.client("kms", account.root_of("staging"))
    encryption = s3.get_bucket_encryption(Bucket=staging["artifact_bucket_name"])["ServerSideEncryptionConfiguration"]
    key = encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    key_arn = kms.describe_key(KeyId=key)["KeyMetadata"]["Arn"]
    policy = kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]
    trimmed = _without_statement(policy, "PromotionReadersDecryptThroughS3")
    kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=trimmed)
    restore = lambda: kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=policy)  # noqa: E731
    return f"kms:Decrypt on resource: {key_arn}", restore


@pytest.mark.parametrize("take_away", [_take_away_the_repository_grant, _take_away_the_key_grant])
def test_promote_without_one_source_grant_is_refused_by_aws_and_writes_nothing_in_prod(deploy_account, take_away):
    """Grants must agree on both sides: with one source-side grant gone, prod's promote role (whose own policy still
    allows the read) is refused by staging's account, naming the resource, before anything is written in prod."""
    account = deploy_account
    staging = json.loads(account.must("output", "staging", "--json", credentials=account.apply_role("staging")))
    prod = json.loads(account.must("output", "prod", "--json", credentials=account.apply_role("prod")))
    prod_ecr = account.client("ecr", account.root_of("prod"))
    images = prod_ecr.describe_images(repositoryName=prod["repository_name"])["imageDetails"]
    before = account.state_objects()
    refused, restore = take_away(account, staging)
    try:
        result = account.run("promote", "staging", "prod", credentials=account.promote_role("prod"))
    finally:
        restore()
    assert result.exit_code == 1, result.output
    assert "AccessDenied" in result.output and refused in result.output, result.output
    assert account.state_objects() == before
    assert prod_ecr.describe_images(repositoryName=prod["repository_name"])["imageDetails"] == images
