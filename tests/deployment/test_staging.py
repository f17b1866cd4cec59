"""The deployed staging environment (tests/deployment/conftest.py), read back the ways users read it.

The tests run in file order on one deployment, after test_model_guardrails.py left it on a release with a model:
reads first, then the roll-out of a new build, destroy last.
"""

from __future__ import annotations

import json

import pytest
from support.deployment import ENV

# One worker runs every test of the shared deployment, in file order (`make test` runs pytest-xdist).
pytestmark = pytest.mark.xdist_group("deployment-staging")


def test_verify_passes_every_check(staging):
    result = staging.must("verify", ENV, "--json")
    report = json.loads(result.stdout)
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert report["ok"] and set(statuses.values()) == {"ok"}, statuses
    assert statuses["RUNNING"] == statuses["expected image"] == statuses["health check"] == "ok"


def test_every_resource_is_there_with_its_security_settings(staging):
    out = staging.outputs
    apprunner = staging.client("apprunner")
    service = apprunner.describe_service(ServiceArn=out["service_arn"])["Service"]
    assert service["Status"] == "RUNNING" and out["service_url"] == f"https://{service['ServiceUrl']}"
    assert (
        service["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"]
        == f"{out['registry_url']}@{staging.digest}"
    )
    assert service["SourceConfiguration"]["AuthenticationConfiguration"]["AccessRoleArn"]
    assert service["AutoScalingConfigurationSummary"]["AutoScalingConfigurationName"] != "DefaultConfiguration"

    repository = staging.client("ecr").describe_repositories(repositoryNames=[out["repository_name"]])["repositories"][
        0
    ]
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"]["scanOnPush"] is True
    assert repository["encryptionConfiguration"]["encryptionType"] == "KMS"

    s3, bucket = staging.client("s3"), out["artifact_bucket_name"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"]
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    key_id = sse["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    assert staging.client("kms").get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True

    topic = staging.client("sns").get_topic_attributes(TopicArn=out["alert_topic_arn"])["Attributes"]
    assert topic.get("KmsMasterKeyId")
    cloudwatch = staging.client("cloudwatch")
    assert cloudwatch.get_dashboard(DashboardName=out["dashboard_name"])["DashboardBody"]
    alarms = cloudwatch.describe_alarms(AlarmNames=out["alarm_names"])["MetricAlarms"]
    assert len(alarms) == len(out["alarm_names"]) > 0
    assert all(a["AlarmActions"] == [out["alert_topic_arn"]] == a["OKActions"] for a in alarms)
    assert {a["MetricName"] for a in alarms} >= {
        "5xxStatusResponses",
        "RequestLatency",
        "CPUUtilization",
        "MemoryUtilization",
    }
    assert all(a["Namespace"] == "AWS/AppRunner" and a["TreatMissingData"] == "notBreaching" for a in alarms)

    # Only the service's access role may pull; uploads without SSE-KMS are refused; the service reads, not writes.
    ecr = staging.client("ecr")
    (pull,) = json.loads(ecr.get_repository_policy(repositoryName=out["repository_name"])["policyText"])["Statement"]
    assert set(pull["Action"]) == {"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    denials = [st for st in policy if st["Effect"] == "Deny" and "s3:PutObject" in json.dumps(st.get("Action"))]
    assert sorted(next(iter(st["Condition"])) for st in denials) == ["Null", "StringNotEquals"]


def test_state_lives_in_the_sandbox_bucket(staging):
    from platform_cli.sandbox import manager

    keys = [
        o["Key"]
        for o in staging.sandbox.client("s3").list_objects_v2(Bucket=manager.SANDBOX_STATE_BUCKET).get("Contents", [])
    ]
    assert any(k.endswith(f"/{ENV}.tfstate") for k in keys), keys


def test_drift_right_after_apply_reports_nothing(staging):
    """No state is written after an apply (no refresh-only apply), so this proves read-back matches config."""
    result = staging.run("drift", ENV, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["drifted"] == []


def test_drift_right_after_a_one_step_apply_reports_nothing(staging):
    """The foundation went in with one plan + apply and nothing refreshed its state before this drift ran (the
    deployment's second apply refreshes everything, so the drift test above cannot see this): the alert topic owns
    its policy, so its read-back matches the state the apply wrote."""
    drift = staging.drift_after_foundation
    assert drift.exit_code == 0, drift.output
    assert json.loads(drift.stdout)["drifted"] == []


def test_plan_twice_in_a_row_plans_once_each_time(staging):
    for _ in range(2):
        before = len(staging.logs("plan"))
        result = staging.run("plan", ENV)
        assert result.exit_code == 0, result.output
        assert f"{ENV}: no changes" in result.stdout
        assert len(staging.logs("plan")) == before + 1, "plan ran Terraform's plan more than once"
        record = json.loads((staging.work_dir / "envs" / ENV / "plan-record.json").read_text())
        # The running release carried forward whole: image, model and the model's baseline.
        variables = record["provenance"]["variables"]
        assert variables["service_image"] == staging.digest
        assert set(variables) == {"service_image", "model_artifact", "model_baseline"}
    assert not list(staging.work_dir.rglob("deployed.json"))


def test_read_only_commands_print_no_terraform_init_chatter(staging, tmp_path):
    """A fresh work dir (a new laptop, a CI job): `output` prints its values and one line about the init."""
    result = staging.run("output", ENV, "--json", work_dir=tmp_path / "fresh-work")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["service_image"].endswith(staging.digest)
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        line for line in result.stderr.splitlines() if "initialised Terraform" in line
    ]
    assert len(result.stderr.strip().splitlines()) == 1
    again = staging.run("output", ENV, work_dir=tmp_path / "fresh-work")
    assert again.exit_code == 0 and again.stderr.strip() == ""


def test_a_new_build_rolls_out_in_place_and_plans_clean(staging):
    digest = staging.push_image("build-2")
    staging.must("plan", ENV, "--image", digest, codes=(2,))

    # The pull-request comment of that saved plan: its record, its show -json, a policy scan of it.
    comment = staging.must("comment", ENV).stdout
    assert "<!-- platformctl:plan:env=staging -->" in comment
    assert "1 to change" in comment and digest in comment
    assert "#### Policy scan" in comment and "Not scanned" not in comment
    record = json.loads((staging.work_dir / "envs" / ENV / "plan-record.json").read_text())
    assert record["plan_sha256"][:12] in comment and record["provenance"]["git_commit"][:12] in comment

    staging.must("apply", ENV)
    apprunner = staging.client("apprunner")
    service = apprunner.describe_service(ServiceArn=staging.outputs["service_arn"])["Service"]
    assert service["Status"] == "RUNNING"
    assert service["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"].endswith(f"@{digest}")
    latest = apprunner.list_operations(ServiceArn=staging.outputs["service_arn"])["OperationSummaryList"][0]
    assert (latest["Type"], latest["Status"]) == ("UPDATE_SERVICE", "SUCCEEDED")
    replanned = staging.run("plan", ENV)
    assert replanned.exit_code == 0, replanned.output
    assert json.loads(staging.run("drift", ENV, "--json").stdout)["drifted"] == []
    staging.digest = digest


def test_destroy_leaves_nothing_behind(staging):
    out = staging.outputs
    staging.must("destroy", ENV, "--yes")
    apprunner, s3, ecr = staging.client("apprunner"), staging.client("s3"), staging.client("ecr")
    assert apprunner.describe_service(ServiceArn=out["service_arn"])["Service"]["Status"] == "DELETED"
    assert out["artifact_bucket_name"] not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert out["repository_name"] not in [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
    assert not staging.client("cloudwatch").describe_alarms(AlarmNames=out["alarm_names"])["MetricAlarms"]
    assert staging.run("output", ENV, "--json").stdout.strip() in ("{}", "")
