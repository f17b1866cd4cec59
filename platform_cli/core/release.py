"""A release: what an environment runs. The image by digest (never a mutable tag) and, where the service reads a
model from the artifact store, that artifact's exact S3 version (key, version id, sha256).

The environment's state is the one source of truth for what it runs (the stack's service_image and
model_artifact outputs); plan records carry the release they would deploy (their variables).
"""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .aws import AwsTarget, error_code
from .errors import PlatformError, Refused

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
MODEL_SPEC = re.compile(r"^(?P<key>[^@]+)@(?P<version>[A-Za-z0-9._+=-]+)$")


@dataclass(frozen=True)
class Release:
    image: str | None  # sha256:<64 hex>
    model: dict[str, str] | None = None  # {"key", "version_id", "sha256"}

    @property
    def id(self) -> str:
        """Short, stable name of this exact release."""
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()[:12]

    def as_dict(self) -> dict[str, Any]:
        return {"image": self.image, "model": self.model}

    def variables(self) -> dict[str, Any]:
        """The stack variables that deploy this release."""
        out: dict[str, Any] = {}
        if self.image:
            out["service_image"] = self.image
        if self.model:
            out["model_artifact"] = dict(self.model)
        return out

    def describe(self) -> str:
        model = f", model {self.model['key']}@{self.model['version_id']}" if self.model else ""
        return f"release {self.id} (image {self.image[:19] if self.image else 'none'}{model})"

    @classmethod
    def from_variables(cls, variables: dict[str, Any]) -> Release:
        return cls(image=variables.get("service_image"), model=variables.get("model_artifact") or None)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Release:
        return cls(image=data.get("image"), model=data.get("model") or None)

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any]) -> Release:
        """From the stack's outputs (service_image is REGISTRY@sha256:...)."""
        image = outputs.get("service_image")
        if isinstance(image, str) and "@" in image:
            image = image.rsplit("@", 1)[1]
        model = outputs.get("model_artifact") or None
        if model:
            model = {k: model[k] for k in ("key", "version_id", "sha256")}
        return cls(image=image if isinstance(image, str) and image else None, model=model)


def parse_model_spec(spec: str) -> tuple[str, str]:
    """KEY@VERSION_ID as given to `plan --model`."""
    match = MODEL_SPEC.match(spec)
    if not match:
        raise Refused(
            f"--model {spec!r} is not KEY@VERSION_ID",
            hint="give the artifact's key in the artifact store and its S3 version id, e.g. "
            "models/churn.json@3HL4kqtJlcpXroDTDmJ",
        )
    return match["key"], match["version"]


# -- registry ------------------------------------------------------------------------------------------------
def resolve_image(target: AwsTarget, region: str, repository: str, image: str) -> str:
    """A digest stays as it is once the registry has it; a tag becomes the digest it points at now."""
    ecr = target.client("ecr", region)
    image_id = {"imageDigest": image} if DIGEST.match(image) else {"imageTag": image}
    try:
        found = ecr.describe_images(repositoryName=repository, imageIds=[image_id])["imageDetails"]
    except Exception as exc:  # noqa: BLE001
        code = error_code(exc)
        if code in ("ImageNotFoundException", "RepositoryNotFoundException"):
            what = "digest" if "imageDigest" in image_id else "tag"
            raise Refused(
                f"image {what} {image!r} is not in the registry {repository} ({region})",
                hint="push the image first, or give a tag or digest that is there",
            ) from None
        raise PlatformError(f"cannot read the registry {repository}: {code or exc}") from None
    if not found:
        raise Refused(f"image {image!r} is not in the registry {repository} ({region})", hint="push it first")
    return found[0]["imageDigest"]


MANIFEST_TYPES = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
]
LAYER_READ_TIMEOUT_SECONDS = 60
DEFAULT_PART_BYTES = 10 * 1024 * 1024  # when InitiateLayerUpload names no part size


def copy_image(target: AwsTarget, *, source: tuple[str, str], destination: tuple[str, str], digest: str) -> dict:
    """Copy the image `digest` from source (region, repository) into destination, as `docker push` would: the
    layers destination does not hold yet, then the manifest by digest (for a multi-platform index, each platform's
    image first). Same bytes, same digest: the image is the one staging verified. Returns what was copied."""
    src_region, src_repo = source
    dst_region, dst_repo = destination
    copy = _ImageCopy(target.client("ecr", src_region), src_repo, target.client("ecr", dst_region), dst_repo)
    copy.image(digest, tag=f"release-{digest[7:19]}")
    if resolve_image(target, dst_region, dst_repo, digest) != digest:
        raise PlatformError(f"the image in {dst_repo} does not have digest {digest}")
    return {
        "digest": digest,
        "manifests": copy.manifests,
        "layers": copy.layers,
        "layers_copied": copy.copied,
        "bytes_copied": copy.bytes_copied,
    }


class _ImageCopy:
    """One image copy between two ECR repositories (the counts feed the promotion's evidence)."""

    def __init__(self, src: Any, src_repo: str, dst: Any, dst_repo: str) -> None:
        self.src, self.src_repo, self.dst, self.dst_repo = src, src_repo, dst, dst_repo
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
        try:
            images = self.src.batch_get_image(
                repositoryName=self.src_repo, imageIds=[{"imageDigest": digest}], acceptedMediaTypes=MANIFEST_TYPES
            )["images"]
        except Exception as exc:  # noqa: BLE001
            raise PlatformError(f"cannot read image {digest} from {self.src_repo}: {error_code(exc) or exc}") from None
        if not images:
            raise Refused(f"image {digest} is not in {self.src_repo}", hint="deploy it to the source first")
        return images[0]["imageManifest"], images[0].get("imageManifestMediaType")

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
                f"cannot copy layer {blob} from {self.src_repo} to {self.dst_repo}: {error_code(exc) or exc}",
                hint="the credentials need ecr:GetDownloadUrlForLayer on the source and "
                "ecr:InitiateLayerUpload/UploadLayerPart/CompleteLayerUpload on the target",
            ) from None
        self.copied += 1
        self.bytes_copied += size

    def _stream_blob(self, blob: str) -> int:
        import urllib.request

        url = self.src.get_download_url_for_layer(repositoryName=self.src_repo, layerDigest=blob)["downloadUrl"]
        upload = self.dst.initiate_layer_upload(repositoryName=self.dst_repo)
        part_size, sha, first = int(upload.get("partSize") or DEFAULT_PART_BYTES), hashlib.sha256(), 0
        with urllib.request.urlopen(url, timeout=LAYER_READ_TIMEOUT_SECONDS) as response:  # noqa: S310 - ECR's URL
            while part := _read_part(response, part_size):
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


def _read_part(stream: Any, size: int) -> bytes:
    """Exactly `size` bytes (fewer only at the end): ECR wants every part but the last at the full part size."""
    chunks, missing = [], size
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            break
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


# -- artifact store ------------------------------------------------------------------------------------------
def model_sha256(target: AwsTarget, region: str, bucket: str, key: str, version_id: str) -> str:
    s3 = target.client("s3", region)
    try:
        body = s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"]
    except Exception as exc:  # noqa: BLE001
        raise Refused(
            f"model s3://{bucket}/{key} version {version_id} is not in the artifact store ({error_code(exc) or exc})",
            hint="upload it first and give the VersionId S3 returned",
        ) from None
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


COPY_OBJECT_LIMIT = 5 * 1024**3  # the most one CopyObject copies
COPY_PART_BYTES = 512 * 1024**2  # parts of a larger copy: up to 5 TiB (S3's object limit) in 10,000 parts
COPY_WORKERS = 8


def _copy_in_parts(s3, bucket: str, key: str, copy_source: dict[str, str], size: int) -> dict[str, Any]:
    """A multipart upload whose parts are ranges of the source, copied by S3; aborted if any part fails."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **bucket_encryption(s3, bucket))["UploadId"]

    def part(number_and_start: tuple[int, int]) -> dict[str, Any]:
        number, start = number_and_start
        last = min(start + COPY_PART_BYTES, size) - 1
        result = s3.upload_part_copy(
            Bucket=bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            CopySource=copy_source,
            CopySourceRange=f"bytes={start}-{last}",
        )
        return {"PartNumber": number, "ETag": result["CopyPartResult"]["ETag"]}

    try:
        with ThreadPoolExecutor(max_workers=COPY_WORKERS) as pool:
            parts = list(pool.map(part, enumerate(range(0, size, COPY_PART_BYTES), start=1)))
        return s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except Exception:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise


def bucket_encryption(s3, bucket: str) -> dict[str, str]:
    """SSE-KMS with the bucket's own key: the artifact store's policy refuses writes encrypted any other way."""
    try:
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        default = rule["ApplyServerSideEncryptionByDefault"]
    except Exception:  # noqa: BLE001 - no default encryption: the AWS-managed key
        return {"ServerSideEncryption": "aws:kms"}
    key = default.get("KMSMasterKeyID") if default.get("SSEAlgorithm") == "aws:kms" else None
    return {"ServerSideEncryption": "aws:kms", **({"SSEKMSKeyId": key} if key else {})}


def copy_model(
    target: AwsTarget, *, source: tuple[str, str], destination: tuple[str, str], model: dict[str, str]
) -> dict[str, str]:
    """Copy that exact version into the destination store; the copy is a new version with the same bytes.

    S3 copies at most 5 GiB in one CopyObject; a larger model (weights often are) is copied server-side in parts
    (UploadPartCopy), side by side, never through this machine."""
    src_region, src_bucket = source
    dst_region, dst_bucket = destination
    s3 = target.client("s3", dst_region)
    copy_source = {"Bucket": src_bucket, "Key": model["key"], "VersionId": model["version_id"]}
    try:
        size = target.client("s3", src_region).head_object(
            Bucket=src_bucket, Key=model["key"], VersionId=model["version_id"]
        )["ContentLength"]
    except Exception as exc:  # noqa: BLE001
        raise Refused(
            f"model s3://{src_bucket}/{model['key']} version {model['version_id']} cannot be read "
            f"({error_code(exc) or exc})",
            hint="check it is still in the source's artifact store",
        ) from None
    if size <= COPY_OBJECT_LIMIT:
        copied = s3.copy_object(
            Bucket=dst_bucket, Key=model["key"], **bucket_encryption(s3, dst_bucket), CopySource=copy_source
        )
    else:
        copied = _copy_in_parts(s3, dst_bucket, model["key"], copy_source, size)
    version = copied.get("VersionId")
    if not version:
        raise PlatformError(f"s3://{dst_bucket} returned no version id: is it versioned?")
    digest = model_sha256(target, dst_region, dst_bucket, model["key"], version)
    if digest != model["sha256"]:
        raise PlatformError(
            f"the copy of {model['key']} in {dst_bucket} has sha256 {digest[:12]}, not {model['sha256'][:12]}"
        )
    return {"key": model["key"], "version_id": version, "sha256": digest}
