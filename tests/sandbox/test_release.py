"""Release helpers against the sandbox's real ECR and S3: tags resolve to digests (from any spelling of the
reference), images copy by digest, models are read and copied by exact version, and a release's id survives the
audit log."""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
import uuid

import pytest

from platform_cli.core import artifact_copy, promotion
from platform_cli.core.artifact_copy import copy_model, model_sha256
from platform_cli.core.aws import AwsTarget
from platform_cli.core.errors import PlatformError, Refused
from platform_cli.core.records import EnvRecords
from platform_cli.core.registry_copy import copy_image, resolve_image
from platform_cli.core.release import Release
from platform_cli.sandbox.accounts import root_credentials
from platform_cli.sandbox.images import placeholder_image, push_blobs, push_placeholder_image

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


def test_a_tag_planned_in_any_spelling_verified_and_looked_up_again_is_one_release(sandbox, target):
    """`plan --image` takes TAG or REGISTRY/REPO:TAG: both resolve to one digest, so one release id; verify's entry
    (written with the stack's output, REGISTRY@DIGEST) read back from the state bucket is the one promote and
    rollback find for what the state says runs."""
    repo = _repo(sandbox, "planned")
    ecr = sandbox.client("ecr", REGION)
    uri = ecr.describe_repositories(repositoryNames=[repo])["repositories"][0]["repositoryUri"]
    digest = push_placeholder_image(repo, "build-42", ecr_client=ecr)
    assert {resolve_image(target, REGION, repo, image) for image in ("build-42", f"{uri}:build-42")} == {digest}
    planned = Release.from_variables({"service_image": resolve_image(target, REGION, repo, f"{uri}:build-42")})

    bucket = f"state-{uuid.uuid4().hex[:8]}"
    sandbox.client("s3", REGION).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    records = EnvRecords(target=target, region=REGION, bucket=bucket, state_key="staging/terraform.tfstate")
    records.append("apply-outcome", request_id="r1", plan_sha256="p", release_id=planned.id, outcome="applied")
    verified = Release.from_outputs({"service_image": f"{uri}@{digest}"})
    records.append("verify", release=verified.as_dict(), release_id=verified.id, ok=True)
    entries = records.entries()
    running = Release.from_outputs({"service_image": f"{uri}:build-42@{digest}"})
    found = promotion.last_verified(entries, running)
    assert found is not None and found["release_id"] == planned.id == running.id
    assert [v["release_id"] for v in promotion.verified_releases(entries)] == [planned.id]


def test_an_image_is_copied_by_digest_with_its_layers(sandbox, target):
    source, destination = _repo(sandbox, "staging"), _repo(sandbox, "prod")
    ecr = sandbox.client("ecr", REGION)
    digest = push_placeholder_image(source, "build-7", ecr_client=ecr)
    copied = copy_image(target, target, source=(REGION, source), destination=(REGION, destination), digest=digest)
    assert copied["digest"] == digest and copied["layers"] == copied["layers_copied"] == 2  # config + layer
    assert resolve_image(target, REGION, destination, digest) == digest  # same bytes, same digest
    _, blobs = placeholder_image("build-7")
    checked = ecr.batch_check_layer_availability(repositoryName=destination, layerDigests=list(blobs))
    assert {layer["layerDigest"] for layer in checked["layers"]} == set(blobs) and not checked["failures"]
    again = copy_image(target, target, source=(REGION, source), destination=(REGION, destination), digest=digest)
    assert again["digest"] == digest and again["layers_copied"] == 0  # copying twice copies nothing twice
    with pytest.raises(Refused):
        copy_image(
            target, target, source=(REGION, source), destination=(REGION, destination), digest="sha256:" + "1" * 64
        )
    with pytest.raises(PlatformError, match="cannot read the target registry no-such-repo"):
        copy_image(target, target, source=(REGION, source), destination=(REGION, "no-such-repo"), digest=digest)


def _sha(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _push(ecr, repo: str, blobs: dict[str, bytes], manifest: dict, media_type: str) -> str:
    push_blobs(ecr, repo, blobs)
    text = json.dumps(manifest)
    return ecr.put_image(
        repositoryName=repo, imageManifest=text, imageManifestMediaType=media_type, imageDigest=_sha(text.encode())
    )["image"]["imageId"]["imageDigest"]


def test_a_layer_larger_than_one_part_and_a_multi_platform_index_are_copied(sandbox, target):
    """ECR hands out a part size (10 MiB here): a bigger layer goes up in order, part by part; an index (what
    `docker buildx` pushes) is copied with each platform's image first."""
    source, destination = _repo(sandbox, "staging"), _repo(sandbox, "prod")
    ecr = sandbox.client("ecr", REGION)
    big = os.urandom(10 * 1024 * 1024 + 4096)
    children = []
    for arch, layer in (("amd64", big), ("arm64", b"small arm64 layer")):
        config = json.dumps({"architecture": arch, "os": "linux"}).encode()
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "size": len(config),
                "digest": _sha(config),
            },
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": len(layer), "digest": _sha(layer)}
            ],
        }
        child = _push(
            ecr,
            source,
            {_sha(config): config, _sha(layer): layer},
            manifest,
            "application/vnd.oci.image.manifest.v1+json",
        )
        children.append(
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": child,
                "size": len(json.dumps(manifest)),
                "platform": {"architecture": arch, "os": "linux"},
            }
        )
    index = _push(
        ecr,
        source,
        {},
        {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": children},
        "application/vnd.oci.image.index.v1+json",
    )

    copied = copy_image(target, target, source=(REGION, source), destination=(REGION, destination), digest=index)
    assert copied["manifests"] == 3 and copied["layers_copied"] == 4 and copied["bytes_copied"] > len(big)
    for child in children:
        assert resolve_image(target, REGION, destination, child["digest"]) == child["digest"]
    url = ecr.get_download_url_for_layer(repositoryName=destination, layerDigest=_sha(big))["downloadUrl"]
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read() == big


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
    copied = copy_model(target, target, source=(REGION, buckets[0]), destination=(REGION, buckets[1]), model=model)
    assert copied["sha256"] == expected and copied["version_id"] != first
    body = s3.get_object(Bucket=buckets[1], Key="models/churn.json", VersionId=copied["version_id"])["Body"].read()
    assert body == b'{"weights": [1]}'
    with pytest.raises(Refused, match="is not in the artifact store"):
        model_sha256(target, REGION, buckets[0], "models/churn.json", "no-such-version")


def test_a_model_over_the_single_copy_limit_is_copied_in_parts(sandbox, target, monkeypatch):
    """S3 copies at most 5 GiB in one request; with the limit and part size scaled down to 5 MiB (S3's smallest
    part), a 12 MiB model goes across as three server-side part copies and arrives byte for byte."""
    monkeypatch.setattr(artifact_copy, "COPY_OBJECT_LIMIT", 5 * 1024 * 1024)
    monkeypatch.setattr(artifact_copy, "COPY_PART_BYTES", 5 * 1024 * 1024)
    s3 = sandbox.client("s3", REGION)
    buckets = []
    for prefix in ("staging-big", "prod-big"):
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        buckets.append(name)
    weights = os.urandom(12 * 1024 * 1024)
    version = s3.put_object(Bucket=buckets[0], Key="models/big.bin", Body=weights)["VersionId"]
    model = {"key": "models/big.bin", "version_id": version, "sha256": hashlib.sha256(weights).hexdigest()}
    copied = copy_model(target, target, source=(REGION, buckets[0]), destination=(REGION, buckets[1]), model=model)
    assert copied["sha256"] == model["sha256"]
    body = s3.get_object(Bucket=buckets[1], Key="models/big.bin", VersionId=copied["version_id"])["Body"].read()
    assert body == weights
    etag = s3.head_object(Bucket=buckets[1], Key="models/big.bin", VersionId=copied["version_id"])["ETag"]
    assert etag.endswith('-3"'), etag  # S3 names a multipart object's ETag by its part count
    assert s3.list_multipart_uploads(Bucket=buckets[1]).get("Uploads", []) == []  # completed, none left open
    with pytest.raises(Refused, match="cannot be read"):
        copy_model(
            target,
            target,
            source=(REGION, buckets[0]),
            destination=(REGION, buckets[1]),
            model={**model, "version_id": "no-such-version"},
        )


def test_an_image_and_a_model_cross_accounts_each_side_with_its_own_credentials(sandbox, monkeypatch):
    """staging and prod in two accounts, each reached with its own keys (env.yaml `credentials` in a terminal):
    the image is read as staging and pushed as prod, the model streamed (neither side can read the other's store,
    so no server-side copy), a 12 MiB model in 5 MiB parts; both land in prod's account, byte for byte."""
    monkeypatch.setattr(artifact_copy, "STREAM_PART_BYTES", 5 * 1024 * 1024)
    keys = {env: root_credentials(account) for env, account in (("staging", "111111111111"), ("prod", "222222222222"))}
    targets = {env: AwsTarget(env={**sandbox.env, **k}, endpoint=sandbox.endpoint) for env, k in keys.items()}
    ecr = {env: sandbox.client("ecr", REGION, k) for env, k in keys.items()}
    s3 = {env: sandbox.client("s3", REGION, k) for env, k in keys.items()}
    repo, bucket = f"model-{uuid.uuid4().hex[:8]}", {env: f"{env}-art-{uuid.uuid4().hex[:8]}" for env in keys}
    for env in keys:
        ecr[env].create_repository(repositoryName=repo)  # one name, two accounts: two registries
        s3[env].create_bucket(Bucket=bucket[env], CreateBucketConfiguration={"LocationConstraint": REGION})
        s3[env].put_bucket_versioning(Bucket=bucket[env], VersioningConfiguration={"Status": "Enabled"})
    digest = push_placeholder_image(repo, "build-1", ecr_client=ecr["staging"])

    image = copy_image(
        targets["staging"], targets["prod"], source=(REGION, repo), destination=(REGION, repo), digest=digest
    )
    assert image["layers_copied"] == 2
    found = ecr["prod"].describe_images(repositoryName=repo, imageIds=[{"imageDigest": digest}])["imageDetails"]
    assert found[0]["registryId"] == "222222222222"

    weights = os.urandom(12 * 1024 * 1024)
    version = s3["staging"].put_object(Bucket=bucket["staging"], Key="m.bin", Body=weights)["VersionId"]
    model = {"key": "m.bin", "version_id": version, "sha256": hashlib.sha256(weights).hexdigest()}
    copied = copy_model(
        targets["staging"],
        targets["prod"],
        source=(REGION, bucket["staging"]),
        destination=(REGION, bucket["prod"]),
        model=model,
    )
    body = s3["prod"].get_object(Bucket=bucket["prod"], Key="m.bin", VersionId=copied["version_id"])["Body"].read()
    assert body == weights and copied["sha256"] == model["sha256"]
    etag = s3["prod"].head_object(Bucket=bucket["prod"], Key="m.bin", VersionId=copied["version_id"])["ETag"]
    assert etag.endswith('-3"'), etag  # streamed in three parts, not copied server-side in one
    small = s3["staging"].put_object(Bucket=bucket["staging"], Key="s.json", Body=b"{}")["VersionId"]
    one = copy_model(
        targets["staging"],
        targets["prod"],
        source=(REGION, bucket["staging"]),
        destination=(REGION, bucket["prod"]),
        model={"key": "s.json", "version_id": small, "sha256": hashlib.sha256(b"{}").hexdigest()},
    )
    assert (
        s3["prod"].get_object(Bucket=bucket["prod"], Key="s.json", VersionId=one["version_id"])["Body"].read() == b"{}"
    )
