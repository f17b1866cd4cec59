"""The artifact store side of a release: a model read and copied by its exact S3 version.

A model is named by key and version id and checked by sha256 (core.release); a copy into another store is a new
version with the same bytes, written with the target bucket's own encryption (its policy refuses any other).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .aws import AwsTarget, error_code
from .errors import PlatformError, Refused

COPY_OBJECT_LIMIT = 5 * 1024**3  # the most one CopyObject copies
COPY_PART_BYTES = 512 * 1024**2  # parts of a larger copy: up to 5 TiB (S3's object limit) in 10,000 parts
COPY_WORKERS = 8
READ_CHUNK_BYTES = 1 << 20


def model_sha256(target: AwsTarget, region: str, bucket: str, key: str, version_id: str) -> str:
    """The sha256 of that exact version, read through in chunks (memory stays at one chunk)."""
    s3 = target.client("s3", region)
    try:
        body = s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"]
    except Exception as exc:  # noqa: BLE001
        raise Refused(
            f"model s3://{bucket}/{key} version {version_id} is not in the artifact store ({error_code(exc) or exc})",
            hint="upload it first and give the VersionId S3 returned",
        ) from None
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(READ_CHUNK_BYTES), b""):
        digest.update(chunk)
    return digest.hexdigest()


def bucket_encryption(s3: Any, bucket: str) -> dict[str, str]:
    """SSE-KMS with the bucket's own key: the artifact store's policy refuses writes encrypted any other way."""
    try:
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        default = rule["ApplyServerSideEncryptionByDefault"]
    except Exception:  # noqa: BLE001 - no default encryption: the AWS-managed key
        return {"ServerSideEncryption": "aws:kms"}
    key = default.get("KMSMasterKeyID") if default.get("SSEAlgorithm") == "aws:kms" else None
    return {"ServerSideEncryption": "aws:kms", **({"SSEKMSKeyId": key} if key else {})}


def _copy_in_parts(s3: Any, bucket: str, key: str, copy_source: dict[str, str], size: int) -> dict[str, Any]:
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
        completed: dict[str, Any] = s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
        return completed
    except Exception:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise


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
        size = int(
            target.client("s3", src_region).head_object(
                Bucket=src_bucket, Key=model["key"], VersionId=model["version_id"]
            )["ContentLength"]
        )
    except Exception as exc:  # noqa: BLE001
        raise Refused(
            f"model s3://{src_bucket}/{model['key']} version {model['version_id']} cannot be read "
            f"({error_code(exc) or exc})",
            hint="check it is still in the source's artifact store",
        ) from None
    copied: dict[str, Any]
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
