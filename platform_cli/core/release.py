"""A release: what an environment runs. The image by digest (never a mutable tag) and, where the service reads a
model from the artifact store, that artifact's exact S3 version (key, version id, sha256).

The environment's state is the one source of truth for what it runs (the stack's service_image and
model_artifact outputs); plan records carry the release they would deploy (their variables).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .aws import AwsTarget
from .errors import PlatformError, Refused

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
MODEL_SPEC = re.compile(r"^(?P<key>[^@]+)@(?P<version>[A-Za-z0-9._+=-]+)$")


def _code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


@dataclass(frozen=True)
class Release:
    image: str | None                    # sha256:<64 hex>
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
    def from_variables(cls, variables: dict[str, Any]) -> "Release":
        return cls(image=variables.get("service_image"), model=variables.get("model_artifact") or None)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Release":
        return cls(image=data.get("image"), model=data.get("model") or None)

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any]) -> "Release":
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
        raise Refused(f"--model {spec!r} is not KEY@VERSION_ID",
                      hint="give the artifact's key in the artifact store and its S3 version id, e.g. "
                           "models/churn.json@3HL4kqtJlcpXroDTDmJ")
    return match["key"], match["version"]


# -- registry ------------------------------------------------------------------------------------------------
def resolve_image(target: AwsTarget, region: str, repository: str, image: str) -> str:
    """A digest stays as it is once the registry has it; a tag becomes the digest it points at now."""
    ecr = target.client("ecr", region)
    image_id = {"imageDigest": image} if DIGEST.match(image) else {"imageTag": image}
    try:
        found = ecr.describe_images(repositoryName=repository, imageIds=[image_id])["imageDetails"]
    except Exception as exc:  # noqa: BLE001
        code = _code(exc)
        if code in ("ImageNotFoundException", "RepositoryNotFoundException"):
            what = "digest" if "imageDigest" in image_id else "tag"
            raise Refused(f"image {what} {image!r} is not in the registry {repository} ({region})",
                          hint="push the image first, or give a tag or digest that is there") from None
        raise PlatformError(f"cannot read the registry {repository}: {code or exc}") from None
    if not found:
        raise Refused(f"image {image!r} is not in the registry {repository} ({region})", hint="push it first")
    return found[0]["imageDigest"]


def copy_image(target: AwsTarget, *, source: tuple[str, str], destination: tuple[str, str], digest: str) -> dict:
    """Put the manifest of `digest` from source (region, repository) into destination by digest; returns what the
    layer check found. Same bytes, same digest: the image is the one staging verified."""
    src_region, src_repo = source
    dst_region, dst_repo = destination
    src, dst = target.client("ecr", src_region), target.client("ecr", dst_region)
    images = src.batch_get_image(repositoryName=src_repo, imageIds=[{"imageDigest": digest}],
                                 acceptedMediaTypes=["application/vnd.docker.distribution.manifest.v2+json",
                                                     "application/vnd.oci.image.manifest.v1+json"])["images"]
    if not images:
        raise Refused(f"image {digest} is not in {src_repo} ({src_region})", hint="deploy it to staging first")
    manifest = images[0]["imageManifest"]
    layers = [entry["digest"] for entry in [json.loads(manifest).get("config", {}),
                                             *json.loads(manifest).get("layers", [])] if entry.get("digest")]
    try:
        dst.put_image(repositoryName=dst_repo, imageManifest=manifest, imageDigest=digest,
                      imageTag=f"release-{digest[7:19]}")
    except Exception as exc:  # noqa: BLE001
        if _code(exc) not in ("ImageAlreadyExistsException", "ImageTagAlreadyExistsException"):
            raise PlatformError(f"cannot put the image into {dst_repo} ({dst_region}): {_code(exc) or exc}",
                                hint="check the prod registry exists (apply prod's foundation first)") from None
    if resolve_image(target, dst_region, dst_repo, digest) != digest:
        raise PlatformError(f"the image in {dst_repo} does not have digest {digest}")
    missing = [f["layerDigest"] for f in dst.batch_check_layer_availability(
        repositoryName=dst_repo, layerDigests=layers).get("failures", [])]
    return {"digest": digest, "layers": len(layers), "layers_missing_in_destination": missing}


# -- artifact store ------------------------------------------------------------------------------------------
def model_sha256(target: AwsTarget, region: str, bucket: str, key: str, version_id: str) -> str:
    s3 = target.client("s3", region)
    try:
        body = s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"]
    except Exception as exc:  # noqa: BLE001
        raise Refused(f"model s3://{bucket}/{key} version {version_id} is not in the artifact store "
                      f"({_code(exc) or exc})", hint="upload it first and give the VersionId S3 returned") from None
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def bucket_encryption(s3, bucket: str) -> dict[str, str]:
    """SSE-KMS with the bucket's own key: the artifact store's policy refuses writes encrypted any other way."""
    try:
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        default = rule["ApplyServerSideEncryptionByDefault"]
    except Exception:  # noqa: BLE001 - no default encryption: the AWS-managed key
        return {"ServerSideEncryption": "aws:kms"}
    key = default.get("KMSMasterKeyID") if default.get("SSEAlgorithm") == "aws:kms" else None
    return {"ServerSideEncryption": "aws:kms", **({"SSEKMSKeyId": key} if key else {})}


def copy_model(target: AwsTarget, *, source: tuple[str, str], destination: tuple[str, str],
               model: dict[str, str]) -> dict[str, str]:
    """Copy that exact version into the destination store; the copy is a new version with the same bytes."""
    src_region, src_bucket = source
    dst_region, dst_bucket = destination
    s3 = target.client("s3", dst_region)
    copied = s3.copy_object(Bucket=dst_bucket, Key=model["key"], **bucket_encryption(s3, dst_bucket),
                            CopySource={"Bucket": src_bucket, "Key": model["key"], "VersionId": model["version_id"]})
    version = copied.get("VersionId")
    if not version:
        raise PlatformError(f"s3://{dst_bucket} returned no version id: is it versioned?")
    digest = model_sha256(target, dst_region, dst_bucket, model["key"], version)
    if digest != model["sha256"]:
        raise PlatformError(f"the copy of {model['key']} in {dst_bucket} has sha256 {digest[:12]}, not "
                            f"{model['sha256'][:12]}")
    return {"key": model["key"], "version_id": version, "sha256": digest}
