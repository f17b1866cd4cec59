"""The resource side of a decision: who owns a resource, its resource-based policy and its tags.

Resource policies the kit relies on: S3 bucket policies, KMS key policies, ECR repository policies. Tags
(aws:ResourceTag/...) are read for KMS keys, ECR repositories, S3 buckets, IAM roles and users, SNS topics, log
groups and EC2 resources (VPCs, subnets, security groups, route tables, gateways, endpoints); other resources have
none as far as conditions go (see the sandbox README).
"""

from __future__ import annotations

import json
from typing import Any

from .evaluation import ResourceFacts

PARTITION = "aws"


def _json(text: Any) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        return json.loads(text.decode() if isinstance(text, bytes) else text)
    except ValueError:
        return None


def _safe(read: Any, default: Any) -> Any:
    try:
        return read()
    except Exception:  # the resource does not exist (yet): nothing to read
        return default


def describe(arn: str, region: str, request_account: str) -> ResourceFacts:
    """Owner, policy and tags of the resource an ARN names (the request's account for `*`)."""
    if arn == "*":
        return ResourceFacts(arn=arn, owner=request_account)
    parts = arn.split(":", 5)
    service, arn_region, owner, rest = parts[2], parts[3] or region, parts[4], parts[5]
    if service == "s3":
        return _s3(arn, rest, request_account)
    owner = owner or request_account
    if service == "kms" and rest.startswith("key/"):
        return _kms_key(arn, owner, arn_region, rest.split("/", 1)[1])
    if service == "ecr" and rest.startswith("repository/"):
        return _ecr_repository(arn, owner, arn_region, rest.split("/", 1)[1])
    return ResourceFacts(arn=arn, owner=owner, tags=_tags(service, arn, owner, arn_region, rest))


def _s3(arn: str, rest: str, request_account: str) -> ResourceFacts:
    from moto.s3.models import s3_backends

    bucket_name = rest.split("/", 1)[0]
    location = s3_backends.bucket_accounts.get(bucket_name)
    if location is None:
        return ResourceFacts(arn=arn, owner=request_account)
    owner = location[1]
    bucket = _safe(lambda: s3_backends[owner][PARTITION].get_bucket(bucket_name), None)
    if bucket is None:
        return ResourceFacts(arn=arn, owner=owner)
    tags = _safe(lambda: s3_backends[owner][PARTITION].get_bucket_tagging(bucket_name)["Tags"], [])
    return ResourceFacts(
        arn=arn,
        owner=owner,
        policy=_json(bucket.policy),
        policy_name=f"the bucket policy of {bucket_name}",
        tags={t["Key"]: t["Value"] for t in tags or []},
    )


def _kms_key(arn: str, owner: str, region: str, key_id: str) -> ResourceFacts:
    from moto.kms.models import kms_backends

    backend = kms_backends[owner][region]
    key = backend.keys.get(key_id)
    if key is None:
        return ResourceFacts(arn=arn, owner=owner)
    tags = _safe(lambda: backend.list_resource_tags(key_id)["Tags"], [])
    return ResourceFacts(
        arn=arn,
        owner=owner,
        policy=_json(key.policy),
        policy_name=f"the key policy of {key_id}",
        key_policy=True,
        tags={t["TagKey"]: t["TagValue"] for t in tags},
    )


def _ecr_repository(arn: str, owner: str, region: str, name: str) -> ResourceFacts:
    from moto.ecr.models import ecr_backends

    backend = ecr_backends[owner][region]
    repository = backend.repositories.get(name)
    if repository is None:
        return ResourceFacts(arn=arn, owner=owner)
    tags = _safe(lambda: backend.list_tags_for_resource(arn)["tags"], [])
    return ResourceFacts(
        arn=arn,
        owner=owner,
        policy=_json(repository.policy),
        policy_name=f"the repository policy of {name}",
        tags={t["Key"]: t["Value"] for t in tags},
    )


def _tags(service: str, arn: str, owner: str, region: str, rest: str) -> dict[str, str]:
    if service == "iam":
        from moto.iam.models import iam_backends

        backend = iam_backends[owner][PARTITION]
        kind, _, name = rest.partition("/")
        name = name.rsplit("/", 1)[-1]
        if kind == "role":
            role = _safe(lambda: backend.get_role(name), None)
            return {t["Key"]: t["Value"] for t in (role.tags if role else [])}
        return {}
    if service == "sns":
        from moto.sns.models import sns_backends

        topic = sns_backends[owner][region].topics.get(arn)
        return dict(getattr(topic, "_tags", {}) or {}) if topic else {}
    if service == "ec2" and "/" in rest:
        from moto.ec2.models import ec2_backends

        resource_id = rest.split("/", 1)[1]
        return dict(ec2_backends[owner][region].tags.get(resource_id, {}))
    if service == "logs" and rest.startswith("log-group:"):
        from moto.logs.models import logs_backends

        name = rest.split(":", 1)[1].removesuffix(":*")
        group = logs_backends[owner][region].groups.get(name)
        return dict(getattr(group, "tags", {}) or {}) if group else {}
    return {}
