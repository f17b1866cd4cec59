"""envs, doctor, scan and verify: the read-only commands."""

from __future__ import annotations

import json

import boto3
import pytest
from support.cli_project import REGION, STATE_BUCKET

from platform_cli.core.aws import AwsTarget
from platform_cli.core.verify import verify_environment
from platform_cli.sandbox.accounts import root_credentials


def test_envs_lists_account_region_backend_and_protection(project):
    result = project.invoke("envs", "--json")
    assert result.exit_code == 0
    envs = {e["name"]: e for e in json.loads(result.stdout)}
    assert envs["prod"]["protected"] is True and envs["prod"]["approvals"] == 1
    assert envs["staging"]["backend"]["bucket"] == STATE_BUCKET
    table = project.run("envs")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split() == [
        "ENV",
        "ACCOUNT",
        "CREDENTIALS",
        "REGION",
        "BACKEND",
        "PROTECTED",
        "APPROVALS",
    ]


def test_doctor_reports_each_check_ok(project):
    result = project.invoke("doctor", "--json")
    assert result.exit_code == 0, result.output
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert checks["terraform"]["status"] == "ok" and "1.11.4" in checks["terraform"]["detail"]
    assert checks["providers"]["status"] == "ok"
    assert checks["aws identity"]["status"] == "ok"
    assert checks["backend staging"]["status"] == "ok"
    assert "sandbox" in checks


def test_doctor_says_per_environment_whether_the_credentials_reach_its_account(project):
    project.write_env("prod", account="222222222222", protected=True, approvals=1)
    result = project.invoke("doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(x.startswith("ok   account staging: credentials reach ") for x in lines), result.stdout
    prod = next(x for x in lines if "account prod" in x)
    assert prod.startswith("FAIL account prod: credentials are for account ") and "not prod's 222222222222" in prod


def test_doctor_says_what_to_do_when_the_backend_is_missing(project):
    backend = project.root / "envs/staging/backend.hcl"
    backend.write_text(backend.read_text().replace(STATE_BUCKET, "missing-bucket"))
    result = project.invoke("doctor")
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if "backend staging" in x)
    assert line.startswith("FAIL backend staging: s3://missing-bucket") and "bootstrap" in line


def test_scan_covers_code_and_the_saved_plan_and_fails_on_findings(project):
    assert project.invoke("plan", "staging").exit_code == 2
    result = project.invoke("scan", "--env", "staging", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    frameworks = {r["framework"]: r for r in report["results"]}
    assert set(frameworks) == {"terraform", "terraform_plan"}
    assert frameworks["terraform"]["failed"] > 0  # the fixture bucket is deliberately bare
    assert frameworks["terraform_plan"]["target"] == "staging saved plan"
    assert (project.work_dir / "envs/staging/plan.json").is_file()  # written on first use


@pytest.fixture
def deployed(moto_endpoint, project):
    """Resources shaped like the platform stack's, made with boto3, and the outputs that name them."""
    ecr = boto3.client("ecr", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)
    cw = boto3.client("cloudwatch", region_name=REGION)
    name = project.name
    ecr.create_repository(
        repositoryName=name, imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": True}
    )
    key = kms.create_key()["KeyMetadata"]["Arn"]
    bucket = f"{name}-artifacts"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]
        },
    )
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TLSOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )
    topic = sns.create_topic(Name=f"{name}-alerts")["TopicArn"]
    cw.put_metric_alarm(
        AlarmName=f"{name}-5xx",
        MetricName="5xxStatusResponses",
        Namespace="AWS/AppRunner",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
    )
    return {
        "repository_name": name,
        "artifact_bucket_name": bucket,
        "artifact_kms_key_arn": key,
        "alert_topic_arn": topic,
        "alarm_names": [f"{name}-5xx"],
        "service_arn": None,
        "service_image": None,
    }


def test_verify_checks_pass_on_a_compliant_deployment(deployed):
    checks = verify_environment(AwsTarget.real(), REGION, deployed)
    assert [c.name for c in checks if c.status == "FAIL"] == []
    assert {c.name for c in checks if c.status == "ok"} >= {
        "tags immutable",
        "scan on push",
        "versioned",
        "SSE-KMS with the stack's key",
        "public access blocked",
        "TLS-only policy",
        "alert topic",
    }
    assert [c.status for c in checks if c.area == "service"] == ["skip"]


def test_verify_names_each_broken_promise(deployed):
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_bucket_versioning(Bucket=deployed["artifact_bucket_name"], VersioningConfiguration={"Status": "Suspended"})
    s3.delete_bucket_policy(Bucket=deployed["artifact_bucket_name"])
    boto3.client("ecr", region_name=REGION).put_image_tag_mutability(
        repositoryName=deployed["repository_name"], imageTagMutability="MUTABLE"
    )
    boto3.client("cloudwatch", region_name=REGION).put_metric_alarm(
        AlarmName=deployed["alarm_names"][0],
        MetricName="x",
        Namespace="AWS/AppRunner",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[],
    )
    failed = {c.name: c.detail for c in verify_environment(AwsTarget.real(), REGION, deployed) if c.failed}
    assert failed.keys() == {"tags immutable", "versioned", "TLS-only policy", deployed["alarm_names"][0]}
    assert failed["versioned"].endswith("Suspended")
    assert failed[deployed["alarm_names"][0]] == "actions -> (none)"


class _Tty:
    def isatty(self):
        return True


def test_colour_follows_no_color_and_the_flag(monkeypatch):
    from platform_cli.core.console import colour_wanted

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colour_wanted(False, _Tty()) is True
    assert colour_wanted(True, _Tty()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert colour_wanted(False, _Tty()) is False


def test_help_is_everywhere(project):
    for command in ("envs", "init", "plan", "apply", "output", "verify", "drift", "destroy", "scan", "doctor"):
        result = project.invoke(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_an_environment_in_another_account_is_reached_with_the_profile_its_env_yaml_names(project, tmp_path):
    """qa lives in account 222222222222 and names a profile (the sandbox's root keys of that account): doctor says
    the profile reaches it, and plan + apply build qa's registry there, not in the account of the default profile
    that staging is reached with. Keys set explicitly (a second person, a GitHub Actions job) or GITHUB_ACTIONS
    itself mean the credentials in use."""
    keys = root_credentials("222222222222")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = test\naws_secret_access_key = test\n"
        f"[qa-admin]\naws_access_key_id = {keys['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {keys['AWS_SECRET_ACCESS_KEY']}\n"
    )
    project.write_env("qa", account="222222222222", extra="credentials:\n  profile: qa-admin\n")
    project.commit("qa in its own account")
    files = {
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_ACCESS_KEY_ID": None,
        "AWS_SECRET_ACCESS_KEY": None,
    }

    doctor = project.invoke("doctor", env=files)
    lines = doctor.stdout.splitlines()
    qa = next(x for x in lines if "account qa" in x)
    assert (
        qa == "ok   account qa: credentials with profile qa-admin reach 222222222222 as arn:aws:iam::222222222222:root"
    )
    assert any(x.startswith("ok   account staging: credentials reach ") for x in lines), doctor.stdout
    only_qa = tmp_path / "only-qa"
    only_qa.write_text(credentials.read_text().split("[qa-admin]")[1].join(["[qa-admin]", ""]))
    without_default = project.invoke("doctor", env={**files, "AWS_SHARED_CREDENTIALS_FILE": str(only_qa)})
    lines = without_default.stdout.splitlines()
    assert "warn aws identity: no AWS credentials found: qa are reached with their env.yaml credentials" in lines
    assert qa in lines and "FAIL account staging: no credentials reach it" in without_default.stdout
    for chosen in ({"GITHUB_ACTIONS": "true"}, {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}):
        in_use = project.invoke("doctor", env={**files, **chosen})
        assert "FAIL account qa: credentials are for account " in in_use.stdout, chosen

    assert project.invoke("plan", "qa", env=files).exit_code == 2
    applied = project.invoke("apply", "qa", env=files)
    assert applied.exit_code == 0, applied.output
    qa_ecr = boto3.client("ecr", aws_access_key_id=keys["AWS_ACCESS_KEY_ID"], aws_secret_access_key="x")
    (repository,) = qa_ecr.describe_repositories(repositoryNames=[f"{project.name}-qa"])["repositories"]
    assert repository["registryId"] == "222222222222"
    in_use = boto3.client("ecr").describe_repositories()["repositories"]
    assert f"{project.name}-qa" not in [r["repositoryName"] for r in in_use]


def test_a_profile_missing_from_the_aws_config_is_refused_in_one_line(project, tmp_path):
    project.write_env("qa", account="222222222222", extra="credentials:\n  profile: qa-admin\n")
    project.commit("qa in its own account")
    env = {
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_ACCESS_KEY_ID": None,
        "AWS_SECRET_ACCESS_KEY": None,
    }
    result = project.invoke("plan", "qa", env=env)
    assert result.exit_code == 1
    assert "qa: profile qa-admin is not in your AWS config" in result.output


def test_with_sandbox_an_environment_lives_in_the_account_its_env_yaml_names(project, sandbox):
    """`--sandbox`: qa (account 222222222222) is planned and applied as that account's root, its registry made
    there and its state kept in that account's own state bucket; doctor says which account reaches it."""
    project.write_env("qa", account="222222222222")
    project.commit("qa in its own account")
    env = {"PLATFORMCTL_SANDBOX_DIR": sandbox.info.state_dir, "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    assert project.invoke("--sandbox", "plan", "qa", env=env).exit_code == 2
    applied = project.invoke("--sandbox", "apply", "qa", env=env)
    assert applied.exit_code == 0, applied.output
    keys = root_credentials("222222222222")
    qa = {
        "aws_access_key_id": keys["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": "x",
        "endpoint_url": sandbox.endpoint,
    }
    (repository,) = boto3.client("ecr", **qa).describe_repositories(repositoryNames=[f"{project.name}-qa"])[
        "repositories"
    ]
    assert repository["registryId"] == "222222222222"
    state = boto3.client("s3", **qa).get_object(
        Bucket="platformctl-sandbox-state-222222222222", Key=f"{project.name}/qa.tfstate"
    )
    assert json.loads(state["Body"].read())["serial"] >= 1
    doctor = project.invoke("--sandbox", "doctor", env=env).stdout
    assert "ok   account qa: the sandbox's account 222222222222, as arn:aws:iam::222222222222:root" in doctor
