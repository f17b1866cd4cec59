"""ECR: the layer (blob) API as ECR has it, and the pull check App Runner and ECS share.

moto 5.2.5 keeps only the size of an uploaded layer, answers GetDownloadUrlForLayer with NotImplementedError, and
stores a manifest whose layers were never uploaded. ECR keeps the bytes, hands out a download URL for them, and
refuses such a manifest with LayersNotFoundException (as every registry does: blobs first, then the manifest).
Here (model patches, plus one route):

* CompleteLayerUpload keeps the bytes on the repository, and refuses layerDigests that do not match them
  (InvalidLayerException), as ECR does;
* GetDownloadUrlForLayer answers with a URL this sandbox serves (LAYER_PATH, a route registered with the wire
  layer), standing in for ECR's presigned S3 URL; LayersNotFoundException for a layer the repository does not hold;
* PutImage of an image manifest (Docker v2 or OCI) refuses a config or layer the repository does not hold, and
  names the image by the sha256 of the manifest bytes (ImageDigestDoesNotMatchException for another imageDigest);
* a request whose registryId names another account is served from that account's registry (moto looks only in the
  caller's and answers RepositoryNotFoundException): a promote role pulls from the source account's repository,
  as far as that repository's policy lets it (iam/enforcement.py authorizes against the repository's ARN there).

image_exists() is not a fix: it is how the sandbox's other services (App Runner, ECS) pull an image.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote, unquote

from moto.core.exceptions import ServiceException

from ..constants import LAYER_PATH
from ..patching import install_once
from ..wire import add_route

ECR_IMAGE_RE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
    r"(?P<repository>[a-z0-9._/-]+?)(?::(?P<tag>[\w.+=:/@-]+?))?(?:@(?P<digest>[\w:]+))?$"
)


class LayersNotFoundException(ServiceException):
    code = "LayersNotFoundException"


class InvalidLayerException(ServiceException):
    code = "InvalidLayerException"


class ImageDigestDoesNotMatchException(ServiceException):
    code = "ImageDigestDoesNotMatchException"


def image_exists(image_identifier: str) -> bool:
    """Whether an ECR image (by tag or digest, no tag meaning `latest`) is in the sandbox's ECR, in the account
    and region its registry host names, as a pull would find it."""
    match = ECR_IMAGE_RE.match(image_identifier)
    if not match:
        return False
    from moto.ecr.models import ecr_backends

    try:
        repository = ecr_backends[match["account"]][match["region"]].repositories.get(match["repository"])
    except KeyError:
        return False
    if repository is None:
        return False
    tag, digest = match["tag"], match["digest"]
    if not tag and not digest:
        tag = "latest"
    return any(
        (not tag or tag in image.image_tags) and (not digest or digest == image.get_image_digest())
        for image in repository.images
    )


def _blobs(repository: Any) -> dict[str, bytes]:
    if not hasattr(repository, "layer_blobs"):
        repository.layer_blobs = {}
    return repository.layer_blobs


def _complete_layer_upload(original):
    def complete_layer_upload(
        self: Any, repository_name: str, upload_id: str, layer_digests: list[str], registry_id: str | None = None
    ) -> dict[str, Any]:
        repository = self._get_repository(repository_name, registry_id)
        upload = repository.uploads.get(upload_id)
        body = bytes(upload.layer_parts) if upload is not None else b""
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if upload is not None and layer_digests and digest not in layer_digests:
            raise InvalidLayerException(
                f"The layer digest calculated for the uploaded bytes ({digest}) does not "
                f"match the one given ({', '.join(layer_digests)})"
            )
        result = original(self, repository_name, upload_id, layer_digests, registry_id)
        _blobs(repository)[result["layerDigest"]] = body
        return result

    return complete_layer_upload


def _referenced_blobs(manifest: str) -> list[str]:
    """The config and layer digests of an image manifest; none for an index (its children are manifests)."""
    try:
        parsed = json.loads(manifest)
    except ValueError:
        return []
    if not isinstance(parsed, dict) or "layers" not in parsed:
        return []
    entries = [parsed.get("config") or {}, *(parsed.get("layers") or [])]
    return [entry["digest"] for entry in entries if isinstance(entry, dict) and entry.get("digest")]


def _put_image(original):
    def put_image(
        self: Any,
        repository_name: str,
        image_manifest: str,
        image_tag: str,
        image_manifest_mediatype: str | None = None,
        digest: str | None = None,
    ) -> Any:
        repository = self.repositories.get(repository_name)
        if repository is not None:
            missing = [d for d in _referenced_blobs(image_manifest) if d not in repository.layers]
            if missing:
                raise LayersNotFoundException(
                    f"The image manifest references layers that are not in the "
                    f"repository {repository_name}: {', '.join(missing)}"
                )
        # ECR names an image by the sha256 of its manifest bytes; moto hashes the layer digests (a random value
        # for an index) when no digest is given.
        computed = "sha256:" + hashlib.sha256(image_manifest.encode()).hexdigest()
        if digest and digest != computed:
            raise ImageDigestDoesNotMatchException(f"The digest {digest} does not match the manifest's {computed}")
        return original(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, computed)

    return put_image


def _get_download_url_for_layer(self: Any) -> str:
    repository_name = self._get_param("repositoryName")
    digest = self._get_param("layerDigest")
    repository = self.ecr_backend._get_repository(repository_name, self._get_param("registryId"))
    if digest not in _blobs(repository):
        raise LayersNotFoundException(f"The layer {digest} does not exist in the repository {repository_name}")
    host = self.headers.get("Host", "127.0.0.1")
    url = f"http://{host}{LAYER_PATH}{repository.registry_id}/{self.region}/{quote(digest)}/{quote(repository_name)}"
    return json.dumps({"downloadUrl": url, "layerDigest": digest})


def _serve_layer(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """GET LAYER_PATH...: the bytes of one layer, as ECR's presigned download URL gives them."""
    from moto.ecr.models import ecr_backends

    parts = environ.get("PATH_INFO", "")[len(LAYER_PATH) :].split("/", 3)
    body = None
    if len(parts) == 4:
        account, region, digest, name = parts[0], parts[1], unquote(parts[2]), unquote(parts[3])
        try:
            repository = ecr_backends[account][region].repositories.get(name)
        except KeyError:
            repository = None
        body = _blobs(repository).get(digest) if repository is not None else None
    if body is None:
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return [b"not found"]
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))])
    return [body]


ACCOUNT_RE = re.compile(r"^\d{12}$")


def registry_account(params: dict[str, Any], caller_account: str) -> str:
    """The account whose registry a request addresses: its registryId, else the caller's."""
    registry = params.get("registryId")
    return registry if isinstance(registry, str) and ACCOUNT_RE.match(registry) else caller_account


def _registry_of_request(self: Any) -> Any:
    from moto.ecr.models import ecr_backends

    return ecr_backends[registry_account({"registryId": self._get_param("registryId")}, self.current_account)][
        self.region
    ]


@install_once
def install() -> None:
    """Patch moto's ECR classes in this process and serve layer downloads at LAYER_PATH."""
    from moto.ecr.models import ECRBackend
    from moto.ecr.responses import ECRResponse

    ECRBackend.complete_layer_upload = _complete_layer_upload(ECRBackend.complete_layer_upload)
    ECRBackend.put_image = _put_image(ECRBackend.put_image)
    ECRResponse.get_download_url_for_layer = _get_download_url_for_layer
    ECRResponse.ecr_backend = property(_registry_of_request)
    add_route(LAYER_PATH, _serve_layer)
