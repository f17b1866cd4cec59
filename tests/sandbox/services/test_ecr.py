"""ECR in the sandbox answers as ECR does (platform_cli/sandbox/services/ecr.py): layers are kept and downloadable, and a manifest is refused
until its layers are in the repository (moto alone keeps only sizes and takes any manifest)."""

from __future__ import annotations

import hashlib
import json
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

from platform_cli.sandbox.images import manifest_digest, placeholder_manifest, push_blobs, push_placeholder_image

REGION = "eu-west-1"


def _digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


@pytest.fixture
def ecr(sandbox):
    return sandbox.client("ecr", REGION)


@pytest.fixture
def repo(ecr) -> str:
    name = f"layers/{uuid.uuid4().hex[:8]}"  # a slash in the name, as ECR allows
    ecr.create_repository(repositoryName=name)
    return name


def _manifest(config: bytes, layer: bytes) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": len(config),
                "digest": _digest(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": len(layer),
                    "digest": _digest(layer),
                }
            ],
        }
    )


def test_a_manifest_is_refused_until_its_layers_are_pushed(ecr, repo):
    config, layer = b'{"os": "linux"}', b"layer bytes " + uuid.uuid4().bytes
    manifest = _manifest(config, layer)
    with pytest.raises(ClientError) as refused:
        ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag="v1")
    assert refused.value.response["Error"]["Code"] == "LayersNotFoundException"
    assert _digest(config) in str(refused.value) and _digest(layer) in str(refused.value)
    push_blobs(ecr, repo, {_digest(layer): layer})
    with pytest.raises(ClientError, match="LayersNotFoundException"):  # the config is a blob too
        ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag="v1")
    push_blobs(ecr, repo, {_digest(config): config})
    pushed = ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag="v1")["image"]["imageId"]
    assert pushed["imageDigest"] == _digest(manifest.encode())


def test_an_uploaded_layer_downloads_byte_for_byte(ecr, repo):
    layer = uuid.uuid4().bytes * 1000
    push_blobs(ecr, repo, {_digest(layer): layer})
    answer = ecr.get_download_url_for_layer(repositoryName=repo, layerDigest=_digest(layer))
    assert answer["layerDigest"] == _digest(layer)
    with urllib.request.urlopen(answer["downloadUrl"], timeout=10) as response:
        assert response.read() == layer


def test_a_layer_the_repository_does_not_hold_has_no_download_url(ecr, repo, sandbox):
    layer = b"pushed elsewhere " + uuid.uuid4().bytes
    other = f"other-{uuid.uuid4().hex[:8]}"
    ecr.create_repository(repositoryName=other)
    push_blobs(ecr, other, {_digest(layer): layer})  # layers belong to a repository, as in ECR
    with pytest.raises(ClientError) as refused:
        ecr.get_download_url_for_layer(repositoryName=repo, layerDigest=_digest(layer))
    assert refused.value.response["Error"]["Code"] == "LayersNotFoundException"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{sandbox.endpoint}/_sandbox/ecr-layers/000000000000/{REGION}/x/{repo}", timeout=10)
    assert missing.value.code == 404


def test_completing_an_upload_under_another_digest_is_refused(ecr, repo):
    upload = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    ecr.upload_layer_part(repositoryName=repo, uploadId=upload, partFirstByte=0, partLastByte=4, layerPartBlob=b"bytes")
    with pytest.raises(ClientError) as refused:
        ecr.complete_layer_upload(repositoryName=repo, uploadId=upload, layerDigests=[_digest(b"other")])
    assert refused.value.response["Error"]["Code"] == "InvalidLayerException"
    checked = ecr.batch_check_layer_availability(repositoryName=repo, layerDigests=[_digest(b"bytes")])
    assert not checked["layers"]  # nothing was stored under either digest


def test_an_image_is_named_by_the_sha256_of_its_manifest_bytes(ecr, repo):
    config, layer = b'{"os": "linux"}', b"named " + uuid.uuid4().bytes
    push_blobs(ecr, repo, {_digest(config): config, _digest(layer): layer})
    manifest = _manifest(config, layer)
    with pytest.raises(ClientError) as refused:
        ecr.put_image(repositoryName=repo, imageManifest=manifest, imageDigest="sha256:" + "0" * 64)
    assert refused.value.response["Error"]["Code"] == "ImageDigestDoesNotMatchException"
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []})
    for body in (manifest, index):
        pushed = ecr.put_image(repositoryName=repo, imageManifest=body)["image"]["imageId"]
        assert pushed["imageDigest"] == _digest(body.encode())


def test_placeholder_image_digest_is_the_manifest_sha256_as_in_any_registry(sandbox):
    ecr = sandbox.client("ecr")
    name = f"digest-{uuid.uuid4().hex[:8]}"
    ecr.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE")
    digest = push_placeholder_image(name, "v1", ecr_client=ecr)
    assert digest == manifest_digest(placeholder_manifest("v1"))
    assert push_placeholder_image(name, "v1", ecr_client=ecr) == digest  # re-push of an immutable tag: no-op
    assert push_placeholder_image(name, "v2", ecr_client=ecr) != digest  # each tag is its own build
    manifest = json.loads(
        ecr.batch_get_image(repositoryName=name, imageIds=[{"imageDigest": digest}])["images"][0]["imageManifest"]
    )
    assert manifest["schemaVersion"] == 2 and manifest["layers"]
