"""publish.py, what deploy.yml runs between `docker build` and `platformctl plan`: the model upload (exact version
id, sha256 checked by S3 and read back), ECR's docker password, and the targets read from platformctl's outputs.
Against moto's real server (AWS_ENDPOINT_URL), as the workflow runs it against AWS."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import publish
import pytest

EXAMPLE_DIR = Path(__file__).resolve().parents[1]
SAMPLE_MODEL = EXAMPLE_DIR / "model" / "model.json"


def test_upload_model_returns_the_new_version_and_its_sha256(s3, bucket) -> None:
    first = publish.upload_model(bucket, "model-service/model.json", SAMPLE_MODEL)
    second = publish.upload_model(bucket, "model-service/model.json", SAMPLE_MODEL)

    body = SAMPLE_MODEL.read_bytes()
    assert first["sha256"] == hashlib.sha256(body).hexdigest() == second["sha256"]
    assert first["version_id"] != second["version_id"]
    assert first["model"] == f"model-service/model.json@{first['version_id']}"
    stored = s3.get_object(Bucket=bucket, Key="model-service/model.json", VersionId=first["version_id"])
    assert stored["Body"].read() == body
    assert stored["Metadata"]["sha256"] == first["sha256"]


def test_the_uploaded_version_is_what_the_model_server_loads(bucket, start_server) -> None:
    uploaded = publish.upload_model(bucket, "model-service/model.json", SAMPLE_MODEL)

    server = start_server(
        MODEL_ARTIFACT_BUCKET=bucket,
        MODEL_ARTIFACT_KEY=uploaded["key"],
        MODEL_ARTIFACT_VERSION_ID=uploaded["version_id"],
        MODEL_ARTIFACT_SHA256=uploaded["sha256"],
    )

    assert server.request("GET", "/health")[0] == 200


def test_upload_model_refuses_an_unversioned_bucket(s3, aws_env) -> None:
    s3.create_bucket(Bucket="unversioned-artifacts", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    with pytest.raises(publish.PublishError, match="must be versioned"):
        publish.upload_model("unversioned-artifacts", "model.json", SAMPLE_MODEL)


def test_upload_model_command_prints_json_for_the_workflow(bucket, aws_env) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE_DIR / "publish.py"),
            "upload-model",
            "--bucket",
            bucket,
            "--key",
            "model-service/model.json",
            "--file",
            str(SAMPLE_MODEL),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) == {"bucket", "key", "version_id", "sha256", "model"}


def test_registry_password_is_ecrs_docker_password(aws_env) -> None:
    import boto3

    registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-staging"
    token = boto3.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]

    password = publish.registry_password(registry)

    assert password and f"AWS:{password}" == base64.b64decode(token).decode()


def test_registry_password_refuses_a_registry_that_is_not_ecr() -> None:
    with pytest.raises(publish.PublishError, match="not an ECR registry"):
        publish.registry_password("ghcr.io/example/model-service")


def test_target_reads_registry_and_bucket_from_platformctl_outputs() -> None:
    outputs = {
        "registry_url": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform-staging",
        "artifact_bucket_name": "platform-staging-artifacts-abc",
        "alarm_names": [],
    }
    assert publish.target(outputs) == {
        "registry_url": outputs["registry_url"],
        "artifact_bucket_name": outputs["artifact_bucket_name"],
    }
    raw = {name: {"value": value, "type": "string", "sensitive": False} for name, value in outputs.items()}
    assert publish.target(raw) == publish.target(outputs)


@pytest.mark.parametrize(
    "outputs",
    [
        {},
        {"registry_url": None, "artifact_bucket_name": "b"},
        {"registry_url": "r", "artifact_bucket_name": "b; rm -rf /"},
    ],
)
def test_target_refuses_missing_or_unsafe_outputs(outputs) -> None:
    with pytest.raises(publish.PublishError, match="apply the environment's foundation first"):
        publish.target(outputs)


def test_target_command_reads_platformctl_outputs_from_stdin() -> None:
    outputs = {
        "registry_url": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform-staging",
        "artifact_bucket_name": "platform-staging-artifacts-abc",
    }
    result = subprocess.run(
        [sys.executable, str(EXAMPLE_DIR / "publish.py"), "target", "--get", "registry_url"],
        input=json.dumps(outputs),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == outputs["registry_url"] + "\n"
