"""A model version's baseline: what its predictions on held-out data looked like when it was published.

examples/model_service/publish.py (`baseline`, or `upload-model --holdout`) stores it beside the exact model
version, at KEY.baselines/VERSION_ID.json in the environment's artifact store. A release with a model is planned
only when its baseline is there (the model alarms are derived from it); its numbers reach Terraform as the
stack's `model_baseline` variable, like the model version reaches it as `model_artifact`.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .artifact_copy import bucket_encryption
from .aws import AwsTarget, error_code
from .errors import PlatformError, Refused

BASELINE_SUFFIX = ".baselines/"  # publish.py writes the same place
STATS = ("count", "mean", "stddev", "p01", "p50", "p99")  # what the alarms need; the file may hold more
PUBLISH_HINT = (
    "publish one: python examples/model_service/publish.py baseline --bucket BUCKET --key {key} "
    "--version-id {version} --holdout HELD_OUT_ROWS.json"
)


def baseline_key(key: str, version_id: str) -> str:
    return f"{key}{BASELINE_SUFFIX}{version_id}.json"


def _refuse(model: dict[str, str], why: str) -> Refused:
    return Refused(
        f"model {model['key']}@{model['version_id']} {why}",
        hint=PUBLISH_HINT.format(key=model["key"], version=model["version_id"]),
    )


def parse_baseline(body: bytes, model: dict[str, str]) -> dict[str, float]:
    """The alarm-relevant numbers of a stored baseline, checked to belong to exactly this model version."""
    try:
        data = json.loads(body)
        stats = data["predictions"]
        values = {name: float(stats[name]) for name in STATS}
        owner = data["model"]
    except (ValueError, KeyError, TypeError):
        raise _refuse(model, "has a baseline that is not in the published format") from None
    if owner.get("sha256") != model["sha256"]:
        raise _refuse(model, "has a baseline computed for other bytes (its sha256 differs)")
    if not all(math.isfinite(v) for v in values.values()) or values["count"] < 1 or values["stddev"] < 0:
        raise _refuse(model, "has a baseline with impossible numbers (count < 1, stddev < 0 or not finite)")
    if not values["p01"] <= values["p50"] <= values["p99"]:
        raise _refuse(model, "has a baseline whose quantiles are out of order (p01 <= p50 <= p99)")
    values["count"] = int(values["count"])
    return values


def read_baseline(target: AwsTarget, region: str, bucket: str, model: dict[str, str]) -> dict[str, float]:
    """The model's baseline from the artifact store; refused with how to publish one when there is none."""
    s3 = target.client("s3", region)
    try:
        body = s3.get_object(Bucket=bucket, Key=baseline_key(model["key"], model["version_id"]))["Body"].read()
    except Exception as exc:  # noqa: BLE001
        if error_code(exc) in ("NoSuchKey", "404"):
            raise _refuse(model, "has no baseline, so its alarms cannot be derived") from None
        if error_code(exc) in ("AccessDenied", "AccessDeniedException"):
            # S3 answers AccessDenied for a missing key too when the caller may not list the bucket.
            raise PlatformError(
                f"cannot read the baseline of {model['key']}@{model['version_id']} in s3://{bucket}: AccessDenied "
                "(the credentials in use may not read or decrypt it, or it does not exist and they may not list)",
                hint="plan a new model with the environment's apply role; publish its baseline if there is none",
            ) from None
        raise PlatformError(f"cannot read the baseline of {model['key']}: {error_code(exc) or exc}") from None
    return parse_baseline(body, model)


def copy_baseline(
    reader: AwsTarget,
    writer: AwsTarget,
    *,
    source: tuple[str, str],
    destination: tuple[str, str],
    model: dict[str, Any],
    copied: dict[str, Any],
) -> None:
    """Promotion: the baseline follows the model into the destination store, under the copy's version id (read as
    `reader`, the source's credentials; written as `writer`, the destination's; one target when one principal
    reaches both)."""
    src_region, src_bucket = source
    dst_region, dst_bucket = destination
    body = (
        reader.client("s3", src_region)
        .get_object(Bucket=src_bucket, Key=baseline_key(model["key"], model["version_id"]))["Body"]
        .read()
    )
    data = json.loads(body)
    data["model"] = {**data["model"], "version_id": copied["version_id"], "copied_from": model["version_id"]}
    s3 = writer.client("s3", dst_region)
    s3.put_object(
        Bucket=dst_bucket,
        Key=baseline_key(copied["key"], copied["version_id"]),
        Body=json.dumps(data, indent=2).encode(),
        ContentType="application/json",
        **bucket_encryption(s3, dst_bucket),
    )
