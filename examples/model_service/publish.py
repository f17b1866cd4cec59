"""What .github/workflows/deploy.yml does with AWS between `docker build` and `platformctl plan`, with boto3.

    python publish.py registry-password --registry 111111111111.dkr.ecr.eu-west-1.amazonaws.com/REPO
        ECR's password for `docker login --username AWS --password-stdin REGISTRY_HOST` on stdout (the job pipes
        it straight into docker; it is never printed to the log).

    python publish.py upload-model --bucket BUCKET --key KEY --file model.json
        PutObject with S3's own SHA-256 checksum (S3 rejects a body that does not match it), then reads that exact
        version back and checks its sha256. Prints {"bucket", "key", "version_id", "sha256", "model": "KEY@VERSION"}.

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
import re
import sys
from pathlib import Path
from typing import Any

# ECR registry host: ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]; the repository path after it is optional.
ECR_HOST = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?(/|$)")
TARGET_OUTPUTS = ("registry_url", "artifact_bucket_name")
SAFE_VALUE = re.compile(r"^[A-Za-z0-9._:/@+=-]+$")


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
    p = sub.add_parser("target", help="registry or bucket from `platformctl output ENV --json`")
    p.add_argument("--get", required=True, choices=TARGET_OUTPUTS)
    p.add_argument("--outputs", type=Path, help="file with the JSON outputs (default: stdin)")
    args = parser.parse_args(argv)

    try:
        if args.command == "registry-password":
            sys.stdout.write(registry_password(args.registry))
        elif args.command == "upload-model":
            print(json.dumps(upload_model(args.bucket, args.key, args.file)))
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
