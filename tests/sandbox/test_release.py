"""Release helpers against the sandbox's real ECR and S3: tags resolve to digests, images copy by digest, models are
read and copied by exact version."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from platform_cli.core.aws import AwsTarget
from platform_cli.core.errors import Refused
from platform_cli.core.release import copy_image, copy_model, model_sha256, resolve_image
from platform_cli.sandbox.images import push_placeholder_image

REGION = "eu-west-1"


@pytest.fixture
def target(sandbox) -> AwsTarget:
    return AwsTarget(env=dict(sandbox.env), sandbox=True, endpoint=sandbox.endpoint)


def _repo(sandbox, prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    sandbox.client("ecr", REGION).create_repository(repositoryName=name)
    return name


def test_a_tag_resolves_to_its_digest_and_a_missing_tag_is_refused(sandbox, target):
    repo = _repo(sandbox, "resolve")
    digest = push_placeholder_image(repo, "v1", ecr_client=sandbox.client("ecr", REGION))
    assert resolve_image(target, REGION, repo, "v1") == digest
    assert resolve_image(target, REGION, repo, digest) == digest
    with pytest.raises(Refused, match=f"image tag 'v2' is not in the registry {repo}"):
        resolve_image(target, REGION, repo, "v2")
    with pytest.raises(Refused, match="image digest"):
        resolve_image(target, REGION, repo, "sha256:" + "0" * 64)


def test_an_image_is_copied_by_digest_and_its_layers_are_checked(sandbox, target):
    source, destination = _repo(sandbox, "staging"), _repo(sandbox, "prod")
    digest = push_placeholder_image(source, "build-7", ecr_client=sandbox.client("ecr", REGION))
    copied = copy_image(target, source=(REGION, source), destination=(REGION, destination), digest=digest)
    assert copied["digest"] == digest and copied["layers"] >= 2
    assert resolve_image(target, REGION, destination, digest) == digest  # same bytes, same digest
    again = copy_image(target, source=(REGION, source), destination=(REGION, destination), digest=digest)
    assert again["digest"] == digest  # copying twice is fine
    with pytest.raises(Refused):
        copy_image(target, source=(REGION, source), destination=(REGION, destination), digest="sha256:" + "1" * 64)


def test_a_model_is_read_and_copied_by_exact_version(sandbox, target):
    s3 = sandbox.client("s3", REGION)
    buckets = []
    for prefix in ("staging-models", "prod-models"):
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        buckets.append(name)
    first = s3.put_object(Bucket=buckets[0], Key="models/churn.json", Body=b'{"weights": [1]}')["VersionId"]
    s3.put_object(Bucket=buckets[0], Key="models/churn.json", Body=b'{"weights": [2]}')
    expected = hashlib.sha256(b'{"weights": [1]}').hexdigest()
    assert model_sha256(target, REGION, buckets[0], "models/churn.json", first) == expected
    model = {"key": "models/churn.json", "version_id": first, "sha256": expected}
    copied = copy_model(target, source=(REGION, buckets[0]), destination=(REGION, buckets[1]), model=model)
    assert copied["sha256"] == expected and copied["version_id"] != first
    body = s3.get_object(Bucket=buckets[1], Key="models/churn.json", VersionId=copied["version_id"])["Body"].read()
    assert body == b'{"weights": [1]}'
    with pytest.raises(Refused, match="is not in the artifact store"):
        model_sha256(target, REGION, buckets[0], "models/churn.json", "no-such-version")
