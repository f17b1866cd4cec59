"""The artifact store side of a release: a model read and copied by its exact S3 version.

A model is named by key and version id and checked by sha256 (core.release); a copy into another store is a new
version with the same bytes, written with the target bucket's own encryption (its policy refuses any other).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .aws import AwsTarget, error_code, error_text
from .errors import PlatformError, Refused
from .registry_copy import read_part

COPY_OBJECT_LIMIT = 5 * 1024**3  # the most one CopyObject copies
COPY_PART_BYTES = 512 * 1024**2  # parts of a larger copy: up to 5 TiB (S3's object limit) in 10,000 parts
COPY_WORKERS = 8
READ_CHUNK_BYTES = 1 << 20
STREAM_PART_BYTES = 64 * 1024**2  # parts of a streamed copy between accounts: up to 640 GiB in 10,000 parts


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


def _multipart(
    s3: Any, bucket: str, key: str, encryption: dict[str, str], upload_parts: Callable[[str], list[dict[str, Any]]]
) -> dict[str, Any]:
    """One multipart upload: `upload_parts(upload_id)` uploads the parts and lists them; completed, or aborted if
    anything fails (no half-written upload left behind)."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **encryption)["UploadId"]
    try:
        parts = upload_parts(upload_id)
        completed: dict[str, Any] = s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
        return completed
    except Exception:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise


def _copy_in_parts(s3: Any, bucket: str, key: str, copy_source: dict[str, str], size: int) -> dict[str, Any]:
    """A multipart upload whose parts are ranges of the source, copied by S3, side by side."""

    def upload_parts(upload_id: str) -> list[dict[str, Any]]:
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

        with ThreadPoolExecutor(max_workers=COPY_WORKERS) as pool:
            return list(pool.map(part, enumerate(range(0, size, COPY_PART_BYTES), start=1)))

    return _multipart(s3, bucket, key, bucket_encryption(s3, bucket), upload_parts)


def check_model_readable(reader: AwsTarget, *, source: tuple[str, str], model: dict[str, str]) -> None:
    """Read the model version's first byte as `reader` (S3 decrypts as the reader, so the key's grant counts too):
    a source it may not read is refused here, before anything is written into the destination."""
    region, bucket = source
    try:
        reader.client("s3", region).get_object(
            Bucket=bucket, Key=model["key"], VersionId=model["version_id"], Range="bytes=0-0"
        )["Body"].read()
    except Exception as exc:  # noqa: BLE001
        raise Refused(
            f"model s3://{bucket}/{model['key']} version {model['version_id']} cannot be read ({error_text(exc)})",
            hint="check the source's artifact store grants these credentials the read (infra/bootstrap `promotions`)",
        ) from None


def copy_model(
    reader: AwsTarget,
    writer: AwsTarget,
    *,
    source: tuple[str, str],
    destination: tuple[str, str],
    model: dict[str, str],
) -> dict[str, str]:
    """Copy that exact version into the destination store; the copy is a new version with the same bytes.

    One principal reaching both stores (`reader is writer`) copies server-side: S3 copies at most 5 GiB in one
    CopyObject, and a larger model (weights often are) in parts (UploadPartCopy), side by side, never through this
    machine. Two principals (each account with its own credentials, neither able to read the other's store) stream
    it: read as `reader`, written as `writer` part by part, memory at one part."""
    src_region, src_bucket = source
    dst_region, dst_bucket = destination
    s3 = writer.client("s3", dst_region)
    copy_source = {"Bucket": src_bucket, "Key": model["key"], "VersionId": model["version_id"]}
    try:
        size = int(
            reader.client("s3", src_region).head_object(
                Bucket=src_bucket, Key=model["key"], VersionId=model["version_id"]
            )["ContentLength"]
        )
    except Exception as exc:  # noqa: BLE001
        raise Refused(
            f"model s3://{src_bucket}/{model['key']} version {model['version_id']} cannot be read ({error_text(exc)})",
            hint="check it is still in the source's artifact store",
        ) from None
    copied: dict[str, Any]
    if reader is not writer:
        copied = _stream(reader.client("s3", src_region), s3, copy_source, dst_bucket)
    elif size <= COPY_OBJECT_LIMIT:
        copied = s3.copy_object(
            Bucket=dst_bucket, Key=model["key"], **bucket_encryption(s3, dst_bucket), CopySource=copy_source
        )
    else:
        copied = _copy_in_parts(s3, dst_bucket, model["key"], copy_source, size)
    version = copied.get("VersionId")
    if not version:
        raise PlatformError(f"s3://{dst_bucket} returned no version id: is it versioned?")
    digest = model_sha256(writer, dst_region, dst_bucket, model["key"], version)
    if digest != model["sha256"]:
        raise PlatformError(
            f"the copy of {model['key']} in {dst_bucket} has sha256 {digest[:12]}, not {model['sha256'][:12]}"
        )
    return {"key": model["key"], "version_id": version, "sha256": digest}


def _stream(src: Any, dst: Any, copy_source: dict[str, str], bucket: str) -> dict[str, Any]:
    """Read one object version with `src` and write it with `dst` in STREAM_PART_BYTES parts (one PutObject when it
    fits in one); a multipart upload that fails is aborted."""
    key = copy_source["Key"]
    try:
        body = src.get_object(**copy_source)["Body"]
    except Exception as exc:  # noqa: BLE001
        raise Refused(
            f"model s3://{copy_source['Bucket']}/{key} version {copy_source['VersionId']} cannot be read "
            f"({error_text(exc)})",
            hint="check the source's credentials may read its artifact store",
        ) from None
    encryption = bucket_encryption(dst, bucket)
    part = read_part(body, STREAM_PART_BYTES)
    if len(part) < STREAM_PART_BYTES:  # the whole object: one PutObject
        put: dict[str, Any] = dst.put_object(Bucket=bucket, Key=key, Body=part, **encryption)
        return put

    def upload_parts(upload_id: str) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        chunk = part
        while chunk:
            number = len(parts) + 1
            etag = dst.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=chunk)["ETag"]
            parts.append({"PartNumber": number, "ETag": etag})
            chunk = read_part(body, STREAM_PART_BYTES)
        return parts

    return _multipart(dst, bucket, key, encryption, upload_parts)
