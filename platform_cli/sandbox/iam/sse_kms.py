"""S3's calls to KMS on the caller's behalf: reading an SSE-KMS object needs kms:Decrypt on its key, writing one
kms:GenerateDataKey, both as the caller (with kms:ViaService = s3.REGION.amazonaws.com), as AWS checks them. So
across accounts the key's policy must allow the caller as well as the caller's identity policy: a bucket policy
that lets another account read an object is not enough on its own. moto stores the key id and checks nothing.
"""

from __future__ import annotations

from typing import Any

READS = frozenset({"s3:GetObject", "s3:GetObjectVersion"})
WRITES = frozenset({"s3:PutObject"})


def kms_action(action: str) -> str | None:
    """The KMS action S3 performs for `action` on an SSE-KMS object, if any."""
    return "kms:Decrypt" if action in READS else "kms:GenerateDataKey" if action in WRITES else None


def key_of_request(action: str, resource: str, query: dict[str, list[str]], headers: Any, region: str) -> str | None:
    """The ARN of the customer-managed key S3 would use for this object request; None for no KMS (or AWS's own
    aws/s3 key, whose use AWS does not check against the caller)."""
    from moto.s3.models import s3_backends

    if not resource.startswith("arn:aws:s3:::") or headers.get("x-amz-copy-source"):
        return None
    bucket_name, _, object_key = resource.removeprefix("arn:aws:s3:::").partition("/")
    location = s3_backends.bucket_accounts.get(bucket_name)
    if location is None or not object_key:
        return None
    owner = location[1]
    bucket = s3_backends[owner]["aws"].buckets.get(bucket_name)
    if bucket is None:
        return None
    default = ((bucket.encryption or {}).get("Rule") or {}).get("ApplyServerSideEncryptionByDefault") or {}
    if action in READS:
        version = next(iter(query.get("versionId") or []), None)
        versions = bucket.keys.getlist(object_key, default=[])
        found = [v for v in versions if version is None or str(v.version_id) == version]
        stored = found[-1] if found else None
        if stored is None or getattr(stored, "encryption", None) != "aws:kms":
            return None
        key_id = stored.kms_key_id
    elif action in WRITES:
        if (headers.get("x-amz-server-side-encryption") or default.get("SSEAlgorithm")) != "aws:kms":
            return None
        key_id = headers.get("x-amz-server-side-encryption-aws-kms-key-id") or default.get("KMSMasterKeyID")
    else:
        return None
    return _key_arn(key_id, owner, region) if key_id else None


def _key_arn(key_id: str, owner: str, region: str) -> str:
    if key_id.startswith("arn:") and ":key/" in key_id:
        return key_id
    from moto.kms.models import kms_backends

    account, key_region = owner, region
    if key_id.startswith("arn:"):  # an alias ARN: the key it names, in the alias's account and region
        parts = key_id.split(":", 5)
        key_region, account = parts[3], parts[4]
    try:
        resolved = kms_backends[account][key_region].any_id_to_key_id(key_id)
    except Exception:  # noqa: BLE001 - no such alias: leave the name for the decision to report
        resolved = key_id.rsplit("/", 1)[-1]
    return f"arn:aws:kms:{key_region}:{account}:key/{resolved}"
