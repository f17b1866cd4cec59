"""Put a placeholder container image into a sandbox ECR repository, as `docker push` would.

No container engine runs here, so the "image" is a valid Docker v2 schema 2 manifest whose config and layer
digests are derived from the tag: each tag is its own build (its own digest), and pushing the same tag again is
a no-op that returns the same digest, as a registry would. The digest is sha256 of the manifest bytes, which is
how ECR and every registry name an image. Like `docker push`, the config and layer blobs go up first (ECR's layer
API), then the manifest: the sandbox, like ECR, refuses a manifest whose layers it does not hold.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_MEDIA_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DEFAULT_TAG = "latest"


# ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME, the form of ECR's repositoryUri.
_REGISTRY_URL = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<name>.+)$")


def parse_repository(repository: str) -> tuple[str, str | None, str | None]:
    """A repository name or registry URL -> (name, region and account from the URL, or None)."""
    match = _REGISTRY_URL.match(repository)
    return (match["name"], match["region"], match["account"]) if match else (repository, None, None)


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def placeholder_image(tag: str) -> tuple[str, dict[str, bytes]]:
    """A Docker v2 manifest for a tiny placeholder image, deterministic per tag, and its blobs by digest (the
    config and the one layer, which a registry needs before it takes the manifest)."""
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Labels": {"platformctl.placeholder": tag}, "ExposedPorts": {"8080/tcp": {}}},
            "rootfs": {"type": "layers", "diff_ids": [_sha256(f"layer:{tag}".encode())]},
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    layer = f"placeholder layer for {tag}".encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": {"mediaType": CONFIG_MEDIA_TYPE, "size": len(config), "digest": _sha256(config)},
        "layers": [{"mediaType": LAYER_MEDIA_TYPE, "size": len(layer), "digest": _sha256(layer)}],
    }
    return json.dumps(manifest, indent=3), {_sha256(config): config, _sha256(layer): layer}


def placeholder_manifest(tag: str) -> str:
    return placeholder_image(tag)[0]


def push_blobs(ecr_client: Any, repository: str, blobs: dict[str, bytes]) -> None:
    """Upload the blobs the repository does not have yet, each in one part, as `docker push` does first."""
    if not blobs:
        return
    checked = ecr_client.batch_check_layer_availability(repositoryName=repository, layerDigests=list(blobs))
    have = {
        layer["layerDigest"] for layer in checked.get("layers", []) if layer.get("layerAvailability") == "AVAILABLE"
    }
    for digest, body in blobs.items():
        if digest in have:
            continue
        upload_id = ecr_client.initiate_layer_upload(repositoryName=repository)["uploadId"]
        ecr_client.upload_layer_part(
            repositoryName=repository,
            uploadId=upload_id,
            partFirstByte=0,
            partLastByte=len(body) - 1,
            layerPartBlob=body,
        )
        ecr_client.complete_layer_upload(repositoryName=repository, uploadId=upload_id, layerDigests=[digest])


def manifest_digest(manifest: str) -> str:
    return _sha256(manifest.encode())


def push_placeholder_image(
    repository: str,
    tag: str = DEFAULT_TAG,
    *,
    ecr_client: Any = None,
    endpoint_url: str | None = None,
    region: str | None = None,
) -> str:
    """Push a placeholder image to `repository` under `tag` and return its digest (sha256:...).

    Pass an ecr_client, or an endpoint_url (and region) of a running sandbox; with neither, boto3's defaults
    apply (AWS_ENDPOINT_URL and friends, e.g. from `platformctl sandbox env`).
    """
    if ecr_client is None:
        import boto3

        ecr_client = boto3.client("ecr", endpoint_url=endpoint_url, region_name=region)
    manifest, blobs = placeholder_image(tag)
    digest = manifest_digest(manifest)
    existing = ecr_client.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])["images"]
    if existing and existing[0].get("imageManifest") == manifest:
        return existing[0]["imageId"]["imageDigest"]
    push_blobs(ecr_client, repository, blobs)
    response = ecr_client.put_image(
        repositoryName=repository,
        imageManifest=manifest,
        imageManifestMediaType=MANIFEST_MEDIA_TYPE,
        imageTag=tag,
        imageDigest=digest,
    )
    return response["image"]["imageId"]["imageDigest"]
