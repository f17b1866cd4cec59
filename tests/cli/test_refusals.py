"""Every refusal is one line on stderr, names what and why, and exits non-zero without a traceback."""

from __future__ import annotations

import json
import os
import stat

import boto3
import pytest
from support.cli_project import ACCOUNT, REGION, STATE_BUCKET

from platform_cli.sandbox.images import push_placeholder_image


def one_line_error(result) -> str:
    err = result.stderr.strip()
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, err
    return lines[0]


def test_unknown_environment_is_refused_naming_known_ones(offline_project):
    result = offline_project.invoke("plan", "qa")
    assert result.exit_code == 1
    assert one_line_error(result) == "Error: unknown environment 'qa' (known environments: prod, staging)"


def test_malformed_yaml_names_file_and_position(offline_project):
    (offline_project.root / "envs/staging/env.yaml").write_text('account_id: "111111111111"\nregion: [eu-west-1\n')
    result = offline_project.invoke("plan", "staging")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "envs/staging/env.yaml: malformed YAML at line" in line


def test_invalid_field_names_file_field_and_reason(offline_project):
    offline_project.write_env("staging", approvals=-1)
    result = offline_project.invoke("envs")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "envs/staging/env.yaml: field 'approvals': -1 is not a whole number >= 0" in line


def test_unknown_key_in_env_file_is_named(offline_project):
    offline_project.write_env("staging", extra="colour: blue\n")
    line = one_line_error(offline_project.invoke("plan", "staging"))
    assert "field 'colour': unknown key" in line


@pytest.mark.parametrize(
    ("people", "why"),
    [
        ("people: [alice]\n", "field 'people': is not a mapping"),
        ("people:\n  alice: {}\n", "field 'people.alice': names neither a GitHub login nor an AWS ARN"),
        ("people:\n  alice:\n    aws: [alice]\n", "field 'people.alice.aws': must be a list of ARNs"),
        ("people:\n  alice:\n    email: a@b\n", "field 'people.alice': must be a mapping with github and/or aws only"),
    ],
)
def test_people_that_cannot_name_a_person_are_refused(offline_project, people, why):
    offline_project.write_env("prod", protected=True, approvals=1, extra=people)
    result = offline_project.invoke("envs")
    assert result.exit_code == 1 and why in one_line_error(result)


def test_tfvars_disagreeing_with_env_yaml_is_refused(offline_project):
    tfvars = offline_project.root / "envs/staging/terraform.tfvars"
    tfvars.write_text(tfvars.read_text().replace('region = "eu-west-1"', 'region = "us-east-1"'))
    line = one_line_error(offline_project.invoke("plan", "staging"))
    assert "terraform.tfvars: field 'region': 'us-east-1' does not match env.yaml region 'eu-west-1'" in line


def test_missing_terraform_binary_via_envvar_subprocess(offline_project):
    env = {**offline_project.full_env(), "PLATFORMCTL_TERRAFORM": "/nowhere/terraform"}
    result = offline_project.run("plan", "staging", env=env)
    assert result.returncode == 1
    assert one_line_error(result).startswith("Error: terraform binary not found at /nowhere/terraform")


def test_missing_terraform_binary_on_path_subprocess(offline_project):
    env = {**offline_project.full_env(), "PATH": "/usr/bin:/bin"}  # terraform lives in /usr/local/bin here
    result = offline_project.run("init", "staging", env=env)
    assert result.returncode == 1
    assert "Error: terraform binary not found on PATH (install Terraform >= 1.10.0" in one_line_error(result)


def test_terraform_too_old_is_refused(offline_project, tmp_path):
    # A fake binary: an old Terraform cannot be installed here (no registry/network), so we stand in a script that
    # answers `terraform version` the way Terraform 1.5.7 does. Only the version probe is mocked.
    fake_dir = tmp_path / "old-tf"
    fake_dir.mkdir()
    fake = fake_dir / "terraform"
    fake.write_text('#!/bin/sh\necho \'{"terraform_version":"1.5.7","platform":"linux_amd64"}\'\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {**offline_project.full_env(), "PATH": f"{fake_dir}:{os.environ['PATH']}"}
    result = offline_project.run("plan", "staging", env=env)
    assert result.returncode == 1
    assert f"Error: terraform 1.5.7 at {fake} is too old; need >= 1.10.0" in one_line_error(result)


def test_no_credentials_is_refused(offline_project, tmp_path):
    env = {
        k: v
        for k, v in offline_project.full_env().items()
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")
    }
    env.update(
        {
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    result = offline_project.run("plan", "staging", env=env)
    assert result.returncode == 1
    assert "Error: no AWS credentials found (set AWS_PROFILE" in one_line_error(result)


def test_backend_unreachable_is_refused_naming_the_backend(project):
    backend = project.root / "envs/staging/backend.hcl"
    backend.write_text(backend.read_text().replace(STATE_BUCKET, "no-such-state-bucket"))
    result = project.invoke("init", "staging")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "state backend unreachable (s3://no-such-state-bucket/" in line


def test_wrong_aws_account_is_refused(project):
    project.write_env("staging", account="999999999999")
    line = one_line_error(project.invoke("plan", "staging"))
    assert f"staging lives in account 999999999999 but the current credentials are for {ACCOUNT}" in line


def test_state_lock_held_shows_who_holds_it(project):
    lock = {
        "ID": "4e1f-lock",
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "alice@laptop",
        "Version": "1.11.4",
        "Created": "2026-11-22T10:00:00Z",
        "Path": f"{STATE_BUCKET}/x",
    }
    s3 = boto3.client("s3", region_name=REGION)
    key = f"{project.name}/staging.tfstate.tflock"
    s3.put_object(Bucket=STATE_BUCKET, Key=key, Body=json.dumps(lock))
    try:
        result = project.invoke("plan", "staging")
    finally:
        s3.delete_object(Bucket=STATE_BUCKET, Key=key)
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "state is locked by alice@laptop since 2026-11-22 10:00:00 +0000 UTC (lock ID 4e1f-lock" in line
    assert "force-unlock 4e1f-lock" in line


def test_apply_without_a_plan_is_refused(offline_project):
    result = offline_project.invoke("apply", "staging")
    assert result.exit_code == 1
    assert one_line_error(result) == (
        "Error: no saved plan for staging: apply only applies a saved plan "
        "(run `platformctl plan staging` first, review it, then apply)"
    )


def test_stale_plan_is_refused_naming_what_changed(project):
    assert project.invoke("plan", "staging").exit_code == 2
    tfvars = project.root / "envs/staging/terraform.tfvars"
    tfvars.write_text(tfvars.read_text() + "# tweak\n")
    (project.root / "infra/platform/extra.tf").write_text("locals {\n  x = 1\n}\n")
    project.commit("move on")
    result = project.invoke("apply", "staging")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "refusing to apply a stale plan for staging:" in line
    assert "stack code changed (infra/platform/extra.tf)" in line
    assert "environment inputs changed (envs/staging/terraform.tfvars)" in line
    assert "git commit changed" in line


def test_destroy_of_protected_environment_is_refused(offline_project):
    result = offline_project.invoke("destroy", "prod", "--yes")
    assert result.exit_code == 1
    assert one_line_error(result).startswith("Error: prod is protected: destroy is refused")


def test_destroy_needs_the_name_typed_back(offline_project):
    result = offline_project.invoke("destroy", "staging", input="prod\n")
    assert result.exit_code == 1
    assert "destroy of staging not confirmed (typed 'prod')" in one_line_error(result)


def test_protected_apply_needs_an_approval_from_someone_else(project):
    assert project.invoke("plan", "prod", "--request").exit_code == 2  # a deliberate request
    (request,) = [e for e in project.history("prod") if e["kind"] == "request"]
    result = project.invoke("apply", "prod")
    assert result.exit_code == 1
    assert f"prod is protected: request {request['request_id']}" in one_line_error(result)
    assert "has 0 of 1 required approval(s)" in one_line_error(result)

    own = project.invoke("approve", "prod")
    assert own.exit_code == 1 and "may not approve it" in one_line_error(own)

    bob = project.person("bob")
    assert project.invoke("approve", "prod", "no-such-request", env=bob).exit_code == 1
    approved = project.invoke("approve", "prod", request["request_id"], env=bob)
    assert approved.exit_code == 0, approved.output
    again = project.invoke("approve", "prod", env=bob)
    assert again.exit_code == 1 and "already approved" in one_line_error(again)

    applied = project.invoke("apply", "prod")
    assert "prod: applied plan" in applied.stdout, applied.output
    kinds = [e["kind"] for e in project.history("prod")]
    assert kinds[:4] == ["request", "approval", "apply-start", "apply-outcome"]
    assert project.history("prod")[3]["outcome"] == "applied"
    assert "verify" in kinds  # verified right after, whatever the fixture stack's result


def test_request_is_refused_for_an_environment_that_is_not_protected(offline_project):
    result = offline_project.invoke("plan", "staging", "--request")
    assert result.exit_code == 1
    assert "--request: staging is not protected, its plans apply without a request" in one_line_error(result)
    assert not (offline_project.work_dir / "envs" / "staging" / "plan.tfplan").exists()


def test_a_plan_of_a_protected_environment_only_plans(project):
    """A pull request's plan of prod (plan.yml, read-only role) must never become an approvable request."""
    result = project.invoke("plan", "prod")
    assert result.exit_code == 2, result.output
    assert "plan prod --request` asks for approval" in result.stderr
    assert [e for e in project.history("prod") if e["kind"] == "request"] == []


def test_a_request_names_its_commit_and_branch_and_a_plan_without_changes_makes_none(project):
    assert project.invoke("plan", "prod", "--request").exit_code == 2
    (request,) = [e for e in project.history("prod") if e["kind"] == "request"]
    assert request["git_commit"] and request["git_branch"]
    assert project.invoke("approve", "prod", env=project.person("bob")).exit_code == 0
    assert "prod: applied plan" in project.invoke("apply", "prod").stdout  # (verify of the fixture stack may fail)
    again = project.invoke("plan", "prod", "--request")
    assert again.exit_code == 0, again.output
    assert "the plan changes nothing, so no request was written" in again.stderr
    assert len([e for e in project.history("prod") if e["kind"] == "request"]) == 1


def test_a_replaced_or_stale_request_cannot_be_approved(project):
    bob = project.person("bob")
    assert project.invoke("plan", "prod", "--request").exit_code == 2
    first = project.history("prod")[-1]["request_id"]
    assert project.invoke("plan", "prod", "--request").exit_code == 2  # a newer request replaces the first
    replaced = project.invoke("approve", "prod", first, env=bob)
    assert replaced.exit_code == 1 and f"request {first} for prod was replaced by" in one_line_error(replaced)

    assert project.invoke("approve", "prod", env=bob).exit_code == 0
    project.invoke("apply", "prod")  # prod now has state
    digest = push_placeholder_image(f"{project.name}-prod", "v1", ecr_client=boto3.client("ecr", region_name=REGION))
    assert project.invoke("plan", "prod", "--request", "--image", digest).exit_code == 2
    latest = project.history("prod")[-1]
    assert latest["kind"] == "request" and latest["state_serial"] is not None
    # The state moves on under the request (an apply made outside platformctl, say).
    s3 = boto3.client("s3", region_name=REGION)
    key = f"{project.name}/prod.tfstate"
    state = json.loads(s3.get_object(Bucket=STATE_BUCKET, Key=key)["Body"].read())
    state["serial"] += 1
    s3.put_object(Bucket=STATE_BUCKET, Key=key, Body=json.dumps(state))
    stale = project.invoke("approve", "prod", latest["request_id"], env=bob)
    assert stale.exit_code == 1
    assert f"request {latest['request_id']} for prod is stale" in one_line_error(stale)


def test_apply_refuses_a_stored_plan_whose_sha256_differs_from_the_approved_one(project):
    assert project.invoke("plan", "prod", "--request").exit_code == 2
    request = [e for e in project.history("prod") if e["kind"] == "request"][-1]
    assert project.invoke("approve", "prod", env=project.person("bob")).exit_code == 0
    # Another machine (a later CI job) has no local plan; someone swapped the stored bytes meanwhile.
    for name in ("plan.tfplan", "plan-record.json"):
        (project.work_dir / "envs/prod" / name).unlink()
    s3 = boto3.client("s3", region_name=REGION)
    key = f"{project.name}/prod.tfstate.platformctl/plans/{request['request_id']}.tfplan"
    s3.put_object(Bucket=STATE_BUCKET, Key=key, Body=b"not the approved plan")
    result = project.invoke("apply", "prod")
    assert result.exit_code == 1
    assert "has sha256" in one_line_error(result) and "not the approved" in one_line_error(result)
    assert not [e for e in project.history("prod") if e["kind"] == "apply-start"]


def test_a_second_apply_at_the_same_time_names_who_holds_the_lock(project):
    assert project.invoke("plan", "staging").exit_code == 2
    s3 = boto3.client("s3", region_name=REGION)
    key = f"{project.name}/staging.tfstate.platformctl/lock.json"
    s3.put_object(
        Bucket=STATE_BUCKET,
        Key=key,
        Body=json.dumps(
            {
                "holder": "arn:aws:iam::123456789012:user/alice",
                "operation": "apply staging",
                "since": "2026-11-26T10:00:00+00:00",
                "host": "another-machine",
                "pid": 1,
            }
        ),
    )
    result = project.invoke("apply", "staging")
    assert result.exit_code == 1
    assert "apply staging refused: arn:aws:iam::123456789012:user/alice holds the lock" in one_line_error(result)
    assert not [e for e in project.history("staging") if e["kind"] == "apply-start"]


def test_rollback_refusals(project):
    unknown = project.invoke("rollback", "staging", "--to", "nope")
    assert unknown.exit_code == 1 and "no history entry 'nope' in staging" in one_line_error(unknown)
    nothing = project.invoke("rollback", "staging")
    assert nothing.exit_code == 1 and "no earlier release that ran an image and verified" in one_line_error(nothing)
    assert project.invoke("plan", "staging").exit_code == 2
    assert project.invoke("apply", "staging").exit_code == 0
    applied = [e for e in project.history("staging") if e["kind"] == "apply-start"][-1]
    never = project.invoke("rollback", "staging", "--to", applied["id"])
    assert never.exit_code == 1
    assert (
        f"entry {applied['id']} names release {applied['release_id']}, which never ran an image and verified in staging"
        in one_line_error(never)
    )


def test_verbose_shows_the_traceback(offline_project):
    result = offline_project.run("-v", "plan", "qa")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "UnknownEnvironment" in result.stderr


def test_unknown_environment_subprocess(offline_project):
    result = offline_project.run("apply", "qa")
    assert result.returncode == 1
    assert one_line_error(result).startswith("Error: unknown environment 'qa'")


def test_usage_errors_exit_64_not_the_changes_code(offline_project):
    """2 means "changes present" to CI; a typo must never read as that."""
    for args in (
        ("plan",),
        ("plan", "staging", "--image", "sha256:zz"),
        ("plan", "staging", "--all"),
        ("--no-such-flag",),
        ("apply",),
    ):
        result = offline_project.invoke(*args)
        assert result.exit_code == 64, (args, result.output)
        assert "Error:" in result.stderr and "Traceback" not in result.stderr


def test_usage_error_exit_code_as_a_subprocess(offline_project):
    result = offline_project.run("plan")
    assert result.returncode == 64
    assert "give one or more environments, or --all" in result.stderr


def test_env_folder_name_terraform_would_refuse_is_refused_first(offline_project):
    bad = offline_project.root / "envs" / "Stage_1"
    (offline_project.root / "envs" / "staging").rename(bad)
    for args in (("envs",), ("plan", "Stage_1")):
        result = offline_project.invoke(*args)
        assert result.exit_code == 1
        line = one_line_error(result)
        assert "invalid environment name 'Stage_1'" in line
        assert (
            "environment must be 2-16 lowercase letters, digits or hyphens, starting with a letter and not "
            "ending with a hyphen."
        ) in line


def test_a_release_that_failed_verify_is_not_promoted(project):
    """The tiny stack has none of the stack's security settings, so its verify fails: promotion must refuse."""
    from platform_cli.sandbox.images import push_placeholder_image

    assert project.invoke("plan", "staging").exit_code == 2
    assert project.invoke("apply", "staging").exit_code == 0
    digest = push_placeholder_image(f"{project.name}-staging", "v1", ecr_client=boto3.client("ecr"))
    assert project.invoke("plan", "staging", "--image", digest).exit_code == 2
    assert project.invoke("apply", "staging").exit_code == 0
    assert project.invoke("verify", "staging").exit_code == 1
    refused = project.invoke("promote", "staging", "prod")
    assert refused.exit_code == 1
    assert "failed verify in staging" in one_line_error(refused)
    assert not [e for e in project.history("prod") if e["kind"] == "request"]


def test_approve_and_apply_refuse_a_plan_sha256_other_than_the_one_given(project):
    assert project.invoke("plan", "prod", "--request").exit_code == 2
    request = [e for e in project.history("prod") if e["kind"] == "request"][-1]
    other = "0" * 64
    bob = project.person("bob")
    approve = project.invoke("approve", "prod", request["request_id"], "--plan-sha256", other, env=bob)
    assert approve.exit_code == 1
    assert f"request {request['request_id']} for prod is plan {request['plan_sha256'][:12]}, not the 000000000000" in (
        one_line_error(approve)
    )
    assert [e["kind"] for e in project.history("prod")] == ["request"]
    ok = project.invoke("approve", "prod", request["request_id"], "--plan-sha256", request["plan_sha256"], env=bob)
    assert ok.exit_code == 0, ok.output
    apply = project.invoke("apply", "prod", "--request", request["request_id"], "--plan-sha256", other)
    assert apply.exit_code == 1 and "not the 000000000000 given with --plan-sha256" in one_line_error(apply)
    assert [e["kind"] for e in project.history("prod")] == ["request", "approval"]
