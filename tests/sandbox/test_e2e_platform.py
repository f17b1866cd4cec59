"""End to end: infra/platform for staging, applied for real into the sandbox with state in the sandbox's bucket.

init (S3 backend -> sandbox) -> apply without an image -> push a placeholder image into the created registry ->
apply with service_image=<digest> -> App Runner RUNNING, every resource visible to boto3 with its security
settings -> plan shows no changes -> destroy -> everything gone. Slow (the aws provider waits ~55 s on each S3
lifecycle configuration it creates), but it is the test that proves the kit deploys.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from platform_cli.sandbox import manager
from platform_cli.sandbox.images import push_placeholder_image

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "infra" / "platform"
ENV = "staging"
REGION = "eu-west-1"
STATE_KEY = f"platform/{ENV}.tfstate"
TERRAFORM_TIMEOUT_SECONDS = 600


def _copy_stack(workspace: Path) -> Path:
    """infra/platform and modules/ with their relative layout, so runs never touch the checkout's .terraform."""
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "tests")
    shutil.copytree(STACK, workspace / "infra" / "platform", ignore=ignore)
    shutil.copytree(REPO / "modules", workspace / "modules", ignore=ignore)
    return workspace / "infra" / "platform"


class Terraform:
    def __init__(self, directory: Path, env: dict[str, str], var_file: str):
        self.directory = directory
        self.env = env
        self.var_file = var_file

    def __call__(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        completed = subprocess.run(["terraform", *args], cwd=self.directory, env=self.env, capture_output=True,
                                   text=True, timeout=TERRAFORM_TIMEOUT_SECONDS)
        if completed.returncode not in ok_codes:
            pytest.fail(f"terraform {' '.join(args[:1])} exited {completed.returncode}:\n"
                        f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}")
        return completed

    def outputs(self) -> dict:
        return {k: v["value"] for k, v in json.loads(self("output", "-json").stdout).items()}


@pytest.fixture(scope="module")
def terraform(sandbox, terraform_env, tmp_path_factory) -> Terraform:
    workspace = tmp_path_factory.mktemp("e2e")
    env = terraform_env(manager.env_vars(sandbox.endpoint, region=REGION))
    env["TF_DATA_DIR"] = str(workspace / "tf-data")
    shutil.copy(REPO / "envs" / ENV / "terraform.tfvars", workspace / "staging.tfvars")
    tf = Terraform(_copy_stack(workspace), env, var_file=str(workspace / "staging.tfvars"))
    backend = [f"-backend-config={k}={v}" for k, v in manager.backend_config(key=STATE_KEY, region=REGION).items()]
    tf("init", "-input=false", "-no-color", *backend)
    return tf


def test_staging_applies_runs_plans_clean_and_destroys(terraform, sandbox):
    tf = terraform
    # 1. The first apply has no image: registry, artifact store and monitoring only.
    tf("apply", "-auto-approve", "-no-color", f"-var-file={tf.var_file}")
    first = tf.outputs()
    assert first.get("service_arn") is None and first.get("service_url") is None  # null outputs are omitted
    s3 = sandbox.client("s3", REGION)
    state = s3.get_object(Bucket=manager.SANDBOX_STATE_BUCKET, Key=STATE_KEY)["Body"].read()
    assert json.loads(state)["resources"], "state must live in the sandbox's own bucket"

    # 2. CI pushes an image, as `docker push` would, and the second apply deploys it by digest.
    digest = push_placeholder_image(first["repository_name"], "build-1", ecr_client=sandbox.client("ecr", REGION))
    image_var = f"service_image={digest}"
    tf("apply", "-auto-approve", "-no-color", f"-var-file={tf.var_file}", "-var", image_var)
    out = tf.outputs()

    apprunner = sandbox.client("apprunner", REGION)
    service = apprunner.describe_service(ServiceArn=out["service_arn"])["Service"]
    assert service["Status"] == "RUNNING" == out["service_status"]
    assert out["service_url"] == f"https://{service['ServiceUrl']}"
    image = service["SourceConfiguration"]["ImageRepository"]
    assert image["ImageIdentifier"] == f"{out['registry_url']}@{digest}"
    assert service["SourceConfiguration"]["AuthenticationConfiguration"]["AccessRoleArn"]
    assert service["InstanceConfiguration"]["Cpu"] == "1024" and service["InstanceConfiguration"]["Memory"] == "2048"
    assert service["AutoScalingConfigurationSummary"]["AutoScalingConfigurationName"] != "DefaultConfiguration"
    operations = apprunner.list_operations(ServiceArn=out["service_arn"])["OperationSummaryList"]
    assert [(o["Type"], o["Status"]) for o in operations] == [("CREATE_SERVICE", "SUCCEEDED")]

    # 3. Every resource is really there, with its security settings.
    ecr = sandbox.client("ecr", REGION)
    repository = ecr.describe_repositories(repositoryNames=[out["repository_name"]])["repositories"][0]
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"]["scanOnPush"] is True
    assert repository["encryptionConfiguration"]["encryptionType"] == "KMS"

    bucket = out["artifact_bucket_name"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert any(s.get("Effect") == "Deny" and "aws:SecureTransport" in json.dumps(s.get("Condition", {}))
               for s in policy["Statement"])
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]

    kms = sandbox.client("kms", REGION)
    key_id = sse["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True

    topic = sandbox.client("sns", REGION).get_topic_attributes(TopicArn=out["alert_topic_arn"])["Attributes"]
    assert topic.get("KmsMasterKeyId")
    cloudwatch = sandbox.client("cloudwatch", REGION)
    assert cloudwatch.get_dashboard(DashboardName=out["dashboard_name"])["DashboardBody"]
    alarms = cloudwatch.describe_alarms(AlarmNamePrefix=out["dashboard_name"])["MetricAlarms"]
    assert alarms and all(a["AlarmActions"] == [out["alert_topic_arn"]] for a in alarms)

    # 4. A second plan sees exactly what was applied.
    plan = tf("plan", "-detailed-exitcode", "-no-color", f"-var-file={tf.var_file}", "-var", image_var,
              ok_codes=(0, 2))
    assert plan.returncode == 0, f"plan after apply is not clean:\n{plan.stdout[-4000:]}"

    # 5. The next build rolls out as an in-place App Runner update (UpdateService), and plans clean again.
    digest2 = push_placeholder_image(out["repository_name"], "build-2", ecr_client=ecr)
    image_var = f"service_image={digest2}"
    tf("apply", "-auto-approve", "-no-color", f"-var-file={tf.var_file}", "-var", image_var)
    updated = apprunner.describe_service(ServiceArn=out["service_arn"])["Service"]
    assert updated["Status"] == "RUNNING"
    assert updated["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"].endswith(f"@{digest2}")
    latest = apprunner.list_operations(ServiceArn=out["service_arn"])["OperationSummaryList"][0]
    assert (latest["Type"], latest["Status"]) == ("UPDATE_SERVICE", "SUCCEEDED")
    plan = tf("plan", "-detailed-exitcode", "-no-color", f"-var-file={tf.var_file}", "-var", image_var,
              ok_codes=(0, 2))
    assert plan.returncode == 0, f"plan after the update is not clean:\n{plan.stdout[-4000:]}"

    # 6. Destroy removes it all.
    tf("destroy", "-auto-approve", "-no-color", f"-var-file={tf.var_file}", "-var", image_var)
    assert apprunner.describe_service(ServiceArn=out["service_arn"])["Service"]["Status"] == "DELETED"
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert out["repository_name"] not in [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
    assert not cloudwatch.describe_alarms(AlarmNamePrefix=out["dashboard_name"])["MetricAlarms"]
    assert json.loads(tf("show", "-json").stdout).get("values") is None
