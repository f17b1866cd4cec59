"""What .github/workflows/deploy.yml does with AWS between `docker build` and `platformctl plan`, with boto3.

    python publish.py registry-password --registry 111111111111.dkr.ecr.eu-west-1.amazonaws.com/REPO
        ECR's password for `docker login --username AWS --password-stdin REGISTRY_HOST` on stdout (the job pipes
        it straight into docker; it is never printed to the log).

    python publish.py upload-model --bucket BUCKET --key KEY --file model.json
        PutObject with S3's own SHA-256 checksum (S3 rejects a body that does not match it), then reads that exact
        version back and checks its sha256. Prints {"bucket", "key", "version_id", "sha256", "model": "KEY@VERSION"}.

    python publish.py baseline --bucket BUCKET --key KEY --version-id VERSION --holdout holdout.json
        The model's baseline: its predictions on held-out data (count, mean, standard deviation, quantiles p01 to
        p99), stored beside that exact version at KEY.baselines/VERSION.json. `platformctl plan --model` refuses a
        model without one, and the model alarms are derived from it. `upload-model --holdout FILE` does both.
        holdout.json: a JSON list of feature rows, [[x1, x2, ...], ...], that the model never trained on.

    platformctl output ENV --json | python publish.py target --get registry_url
        One of registry_url / artifact_bucket_name from the environment's outputs (read from stdin or --outputs),
        checked to be a plain name before a shell uses it.

Where these go (registry, bucket) always comes from the environment's Terraform outputs through platformctl; this
script never decides a target. boto3 honours AWS_ENDPOINT_URL, so the tests run it against moto's server.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import re
import statistics
import sys
from pathlib import Path
from typing import Any

# ECR registry host: ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]; the repository path after it is optional.
ECR_HOST = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?(/|$)")
TARGET_OUTPUTS = ("registry_url", "artifact_bucket_name")
SAFE_VALUE = re.compile(r"^[A-Za-z0-9._:/@+=-]+$")
# Where a model version's baseline lives; platform_cli/core/baseline.py reads the same place.
BASELINE_SUFFIX = ".baselines/"
BASELINE_FORMAT = 1
MIN_BASELINE_ROWS = 30  # fewer held-out rows say nothing about p01/p99
QUANTILES = {"p01": 1, "p05": 5, "p50": 50, "p95": 95, "p99": 99}


class PublishError(Exception):
    pass


def registry_password(registry: str, ecr_client: Any = None) -> str:
    import boto3

    match = ECR_HOST.match(registry)
    if not match:
        raise PublishError(f"{registry!r} is not an ECR registry URL (ACCOUNT.dkr.ecr.REGION.amazonaws.com/...)")
    client = ecr_client or boto3.client("ecr", region_name=match["region"])
    data = client.get_authorization_token(registryIds=[match["account"]])["authorizationData"][0]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    if user != "AWS" or not password:
        raise PublishError("ECR returned an authorization token in an unexpected form")
    return password


def upload_model(bucket: str, key: str, path: Path, s3_client: Any = None) -> dict[str, str]:
    import boto3

    body = path.read_bytes()
    digest = hashlib.sha256(body)
    client = s3_client or boto3.client("s3")
    response = client.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType="application/json",
        # S3 recomputes the checksum and rejects the upload on a mismatch; GetObjectAttributes returns it later.
        ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
        Metadata={"sha256": digest.hexdigest()},
        ServerSideEncryption="aws:kms",  # the artifact store's policy refuses an upload that does not ask for SSE-KMS
    )
    version_id = response.get("VersionId")
    if not version_id or version_id == "null":
        raise PublishError(
            f"s3://{bucket} returned no version id: the artifact store must be versioned "
            "(modules/artifact_store enables it); a release names an exact object version"
        )
    # Read back exactly that version: what the service will load is what was built here.
    echoed = client.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"].read()
    if hashlib.sha256(echoed).hexdigest() != digest.hexdigest():
        raise PublishError(f"s3://{bucket}/{key} version {version_id} does not read back as uploaded")
    return {
        "bucket": bucket,
        "key": key,
        "version_id": version_id,
        "sha256": digest.hexdigest(),
        "model": f"{key}@{version_id}",
    }


def baseline_key(key: str, version_id: str) -> str:
    return f"{key}{BASELINE_SUFFIX}{version_id}.json"


def compute_baseline(predictions: list[float]) -> dict[str, float | int]:
    """count, mean, sample standard deviation, min/max and the quantiles of the model's held-out predictions."""
    if len(predictions) < MIN_BASELINE_ROWS:
        raise PublishError(
            f"a baseline needs at least {MIN_BASELINE_ROWS} held-out rows, got {len(predictions)}: "
            "give a larger --holdout file"
        )
    # method="inclusive": quantiles of the data itself (p01 of 100 values lies between the two smallest).
    cuts = statistics.quantiles(predictions, n=100, method="inclusive")
    return {
        "count": len(predictions),
        "mean": statistics.fmean(predictions),
        "stddev": statistics.stdev(predictions),
        "min": min(predictions),
        "max": max(predictions),
        **{name: cuts[pct - 1] for name, pct in QUANTILES.items()},
    }


def read_holdout(path: Path) -> list[list[float]]:
    try:
        rows = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PublishError(f"cannot read the held-out data {path}: {exc.__class__.__name__}: {exc}") from None
    if not isinstance(rows, list) or not all(
        isinstance(row, list) and row and all(isinstance(x, (int, float)) and math.isfinite(x) for x in row)
        for row in rows
    ):
        raise PublishError(f"{path} must be a JSON list of feature rows: [[x1, x2, ...], ...] of finite numbers")
    return rows


def publish_baseline(bucket: str, key: str, version_id: str, holdout: Path, s3_client: Any = None) -> dict[str, Any]:
    """Load exactly that model version, predict the held-out rows, store the baseline beside the version."""
    import boto3
    from model_server import LinearModel, Refusal

    client = s3_client or boto3.client("s3")
    body = client.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"].read()
    try:
        model = LinearModel.from_json(body)
    except Refusal as exc:
        raise PublishError(str(exc)) from None
    rows = read_holdout(holdout)
    wrong = [len(row) for row in rows if len(row) != len(model.weights)]
    if wrong:
        raise PublishError(f"{holdout}: every row must hold {len(model.weights)} features, one holds {wrong[0]}")
    baseline = {
        "format": BASELINE_FORMAT,
        "model": {"key": key, "version_id": version_id, "sha256": hashlib.sha256(body).hexdigest()},
        "holdout_sha256": hashlib.sha256(holdout.read_bytes()).hexdigest(),
        "predictions": compute_baseline([model.predict(row) for row in rows]),
    }
    client.put_object(
        Bucket=bucket,
        Key=baseline_key(key, version_id),
        Body=json.dumps(baseline, indent=2).encode(),
        ContentType="application/json",
        ServerSideEncryption="aws:kms",  # the artifact store refuses uploads that do not ask for SSE-KMS
    )
    return baseline


def target(outputs: dict[str, Any]) -> dict[str, str]:
    """registry_url and artifact_bucket_name from Terraform outputs (plain or `terraform output -json` shape)."""
    found: dict[str, str] = {}
    for name in TARGET_OUTPUTS:
        value = outputs.get(name)
        if isinstance(value, dict):  # {"value": ..., "type": ..., "sensitive": ...}
            value = value.get("value")
        if not isinstance(value, str) or not SAFE_VALUE.match(value):
            raise PublishError(
                f"output {name} is missing or not a plain name ({value!r}): apply the environment's "
                "foundation first (`platformctl plan ENV` + `platformctl apply ENV`)"
            )
        found[name] = value
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("registry-password", help="ECR password for docker login --password-stdin")
    p.add_argument("--registry", required=True)
    p = sub.add_parser("upload-model", help="upload a model file, print its version id and sha256 as JSON")
    p.add_argument("--bucket", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--file", required=True, type=Path)
    p.add_argument("--holdout", type=Path, help="held-out feature rows: also publish the model's baseline")
    p = sub.add_parser("baseline", help="store a model version's baseline (its predictions on held-out data)")
    p.add_argument("--bucket", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--version-id", required=True)
    p.add_argument("--holdout", required=True, type=Path)
    p = sub.add_parser("target", help="registry or bucket from `platformctl output ENV --json`")
    p.add_argument("--get", required=True, choices=TARGET_OUTPUTS)
    p.add_argument("--outputs", type=Path, help="file with the JSON outputs (default: stdin)")
    args = parser.parse_args(argv)

    try:
        if args.command == "registry-password":
            sys.stdout.write(registry_password(args.registry))
        elif args.command == "upload-model":
            uploaded = upload_model(args.bucket, args.key, args.file)
            if args.holdout:
                published = publish_baseline(args.bucket, args.key, uploaded["version_id"], args.holdout)
                uploaded["baseline"] = published["predictions"]
            print(json.dumps(uploaded))
        elif args.command == "baseline":
            print(json.dumps(publish_baseline(args.bucket, args.key, args.version_id, args.holdout)))
        else:
            text = args.outputs.read_text() if args.outputs else sys.stdin.read()
            print(target(json.loads(text))[args.get])
    except PublishError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # boto3/botocore errors: one line, no traceback, no request details
        print(f"publish {args.command}: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
