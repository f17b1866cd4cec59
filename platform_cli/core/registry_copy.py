"""The registry side of a release: a tag looked up as its digest, and an image copied between two ECR
repositories by digest as `docker push` would (the layers the target lacks, streamed part by part through ECR's
layer API, then the manifest; for a multi-platform index each platform's image first). Same bytes, same digest:
the copy is the image the source verified.
"""

from __future__ import annotations

import hashlib
import json
import urllib.request
from typing import Any

from .aws import AwsTarget, error_code, error_text
from .errors import PlatformError, Refused
from .release import ImageRef

MANIFEST_TYPES = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
]
LAYER_READ_TIMEOUT_SECONDS = 60
DEFAULT_PART_BYTES = 10 * 1024 * 1024  # when InitiateLayerUpload names no part size


def resolve_image(target: AwsTarget, region: str, repository: str, image: str, registry_id: str | None = None) -> str:
    """The digest `image` (any spelling core.release.ImageRef reads) names in `repository` (of account registry_id,
    else the caller's): a digest stays as it is once the registry has it; a tag becomes the digest it points at now."""
    ref = ImageRef.parse(image)
    image_id = {"imageDigest": ref.digest} if ref.digest else {"imageTag": ref.pinned}
    what = "digest" if ref.digest else "tag"
    ecr = target.client("ecr", region)
    try:
        found = ecr.describe_images(repositoryName=repository, imageIds=[image_id], **_in_registry(registry_id))[
            "imageDetails"
        ]
    except Exception as exc:  # noqa: BLE001
        code = error_code(exc)
        if code in ("ImageNotFoundException", "RepositoryNotFoundException"):
            raise Refused(
                f"image {what} {ref.pinned!r} is not in the registry {repository} ({region})",
                hint="push the image first, or give a tag or digest that is there",
            ) from None
        raise PlatformError(f"cannot read the registry {repository}: {code or exc}") from None
    if not found:
        raise Refused(f"image {ref.pinned!r} is not in the registry {repository} ({region})", hint="push it first")
    return str(found[0]["imageDigest"])


def copy_image(
    reader: AwsTarget,
    writer: AwsTarget,
    *,
    source: tuple[str, str],
    destination: tuple[str, str],
    digest: str,
    source_registry: str | None = None,
) -> dict[str, Any]:
    """Copy the image `digest` from source (region, repository) into destination, as `docker push` would: the
    layers destination does not hold yet, then the manifest by digest (for a multi-platform index, each platform's
    image first). Same bytes, same digest: the image is the one staging verified. The source is read as `reader`
    and the destination written as `writer` (two accounts, each with its own credentials; the same target when one
    principal reaches both). source_registry: the source's account when `reader` is of another one (ECR's
    registryId; a promote role reads the source account's repository through that repository's policy). Returns
    what was copied."""
    src_region, src_repo = source
    dst_region, dst_repo = destination
    copy = _ImageCopy(
        reader.client("ecr", src_region), src_repo, writer.client("ecr", dst_region), dst_repo, source_registry
    )
    copy.image(digest, tag=f"release-{digest[7:19]}")
    if resolve_image(writer, dst_region, dst_repo, digest) != digest:
        raise PlatformError(f"the image in {dst_repo} does not have digest {digest}")
    return {
        "digest": digest,
        "manifests": copy.manifests,
        "layers": copy.layers,
        "layers_copied": copy.copied,
        "bytes_copied": copy.bytes_copied,
    }


def check_image_readable(
    reader: AwsTarget, *, source: tuple[str, str], digest: str, source_registry: str | None = None
) -> None:
    """Read the image's manifest as `reader`: a source it may not read is refused here, before anything is
    written into the destination."""
    region, repository = source
    _read_manifest(reader.client("ecr", region), repository, digest, source_registry)


def _in_registry(registry_id: str | None) -> dict[str, str]:
    """ECR's registryId argument: another account's registry, or (none) the caller's."""
    return {"registryId": registry_id} if registry_id else {}


def _read_manifest(ecr: Any, repository: str, digest: str, registry_id: str | None) -> tuple[str, str | None]:
    """The manifest of image `digest` and its media type, as ECR stores them."""
    try:
        images = ecr.batch_get_image(
            repositoryName=repository,
            imageIds=[{"imageDigest": digest}],
            acceptedMediaTypes=MANIFEST_TYPES,
            **_in_registry(registry_id),
        )["images"]
    except Exception as exc:  # noqa: BLE001
        raise PlatformError(f"cannot read image {digest} from {repository}: {error_text(exc)}") from None
    if not images:
        raise Refused(f"image {digest} is not in {repository}", hint="deploy it to the source first")
    return str(images[0]["imageManifest"]), images[0].get("imageManifestMediaType")


class _ImageCopy:
    """One image copy between two ECR repositories (the counts feed the promotion's evidence)."""

    def __init__(self, src: Any, src_repo: str, dst: Any, dst_repo: str, src_registry: str | None = None) -> None:
        self.src, self.src_repo, self.dst, self.dst_repo = src, src_repo, dst, dst_repo
        self.src_registry = src_registry
        self.manifests = self.layers = self.copied = self.bytes_copied = 0

    def image(self, digest: str, tag: str | None = None) -> None:
        manifest, media_type = self._manifest(digest)
        parsed = json.loads(manifest)
        for child in parsed.get("manifests", []):  # an index: its platforms' images go first
            self.image(child["digest"])
        blobs = [
            entry["digest"]
            for entry in [parsed.get("config") or {}, *(parsed.get("layers") or [])]
            if entry.get("digest")
        ]
        self.layers += len(blobs)
        for blob in self._missing(blobs):
            self._copy_blob(blob)
        extra = {"imageTag": tag} if tag else {}
        if media_type:
            extra["imageManifestMediaType"] = media_type
        try:
            self.dst.put_image(repositoryName=self.dst_repo, imageManifest=manifest, imageDigest=digest, **extra)
        except Exception as exc:  # noqa: BLE001 - botocore ClientError, classified by code
            if error_code(exc) not in ("ImageAlreadyExistsException", "ImageTagAlreadyExistsException"):
                raise PlatformError(
                    f"cannot put the image into {self.dst_repo}: {error_code(exc) or exc}",
                    hint="check the target registry exists (apply its foundation first) and these "
                    "credentials may push to it",
                ) from None
        self.manifests += 1

    def _manifest(self, digest: str) -> tuple[str, str | None]:
        return _read_manifest(self.src, self.src_repo, digest, self.src_registry)

    def _missing(self, blobs: list[str]) -> list[str]:
        if not blobs:
            return []
        try:
            checked = self.dst.batch_check_layer_availability(repositoryName=self.dst_repo, layerDigests=blobs)
        except Exception as exc:  # noqa: BLE001
            raise PlatformError(
                f"cannot read the target registry {self.dst_repo}: {error_code(exc) or exc}",
                hint="check it exists (apply the target's foundation first)",
            ) from None
        have = {
            layer["layerDigest"] for layer in checked.get("layers", []) if layer.get("layerAvailability") == "AVAILABLE"
        }
        return [blob for blob in dict.fromkeys(blobs) if blob not in have]

    def _copy_blob(self, blob: str) -> None:
        """Stream one layer from source's download URL into destination in ECR's part size: memory stays at one
        part however large the layer; the digest is checked before the upload is completed."""
        try:
            size = self._stream_blob(blob)
        except PlatformError:
            raise
        except Exception as exc:  # noqa: BLE001 - botocore ClientError or urllib's error, classified by code
            raise PlatformError(
                f"cannot copy layer {blob} from {self.src_repo} to {self.dst_repo}: {error_text(exc)}",
                hint="the credentials need ecr:GetDownloadUrlForLayer on the source and "
                "ecr:InitiateLayerUpload/UploadLayerPart/CompleteLayerUpload on the target",
            ) from None
        self.copied += 1
        self.bytes_copied += size

    def _stream_blob(self, blob: str) -> int:
        url = self.src.get_download_url_for_layer(
            repositoryName=self.src_repo, layerDigest=blob, **_in_registry(self.src_registry)
        )["downloadUrl"]
        upload = self.dst.initiate_layer_upload(repositoryName=self.dst_repo)
        part_size, sha, first = int(upload.get("partSize") or DEFAULT_PART_BYTES), hashlib.sha256(), 0
        with urllib.request.urlopen(url, timeout=LAYER_READ_TIMEOUT_SECONDS) as response:  # noqa: S310 - ECR's URL
            while part := read_part(response, part_size):
                sha.update(part)
                self.dst.upload_layer_part(
                    repositoryName=self.dst_repo,
                    uploadId=upload["uploadId"],
                    partFirstByte=first,
                    partLastByte=first + len(part) - 1,
                    layerPartBlob=part,
                )
                first += len(part)
        if f"sha256:{sha.hexdigest()}" != blob:
            raise PlatformError(
                f"layer {blob} read from {self.src_repo} has another digest (sha256:{sha.hexdigest()}): not copied",
                hint="run promote again",
            )
        self.dst.complete_layer_upload(repositoryName=self.dst_repo, uploadId=upload["uploadId"], layerDigests=[blob])
        return first


def read_part(stream: Any, size: int) -> bytes:
    """Exactly `size` bytes (fewer only at the end): ECR and S3 multipart uploads want every part but the last at
    the full part size."""
    chunks: list[bytes] = []
    missing = size
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            break
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
