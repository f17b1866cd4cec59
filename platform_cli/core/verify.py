"""Verification: read what is really deployed with boto3 and compare it with what the stack promises.

The stack's outputs say which resources to read (repository, bucket, service, alarms, topic); each check reads one
property and reports ok / FAIL / skip with the observed value, so a failure says exactly what is wrong.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Callable

from .aws import AwsTarget


@dataclass
class Check:
    area: str
    name: str
    status: str  # ok | FAIL | skip
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == "FAIL"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ok(area: str, name: str, cond: bool, detail: str) -> Check:
    return Check(area, name, "ok" if cond else "FAIL", detail)


def _guard(area: str, name: str, fn: Callable[[], list[Check]]) -> list[Check]:
    """Run one group of checks; an API error becomes a failed check naming the error, not a crash."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - every botocore error must become a readable failed check
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
        return [Check(area, name, "FAIL", f"{code or type(exc).__name__}: {exc}")]


def check_registry(target: AwsTarget, region: str, outputs: dict[str, Any]) -> list[Check]:
    name = outputs.get("repository_name")
    if not name:
        return [Check("registry", "repository", "FAIL", "stack output repository_name is missing")]

    def run() -> list[Check]:
        repo = target.client("ecr", region).describe_repositories(repositoryNames=[name])["repositories"][0]
        mutability = repo.get("imageTagMutability")
        scan = repo.get("imageScanningConfiguration", {}).get("scanOnPush", False)
        return [_ok("registry", "tags immutable", mutability == "IMMUTABLE", f"{name}: {mutability}"),
                _ok("registry", "scan on push", bool(scan), f"{name}: scanOnPush={scan}")]

    return _guard("registry", "repository", run)


def _tls_only(policy: dict[str, Any]) -> bool:
    for stmt in policy.get("Statement", []):
        cond = stmt.get("Condition", {})
        secure = {k.lower(): v for k, v in cond.get("Bool", {}).items()}.get("aws:securetransport")
        if stmt.get("Effect") == "Deny" and str(secure).lower() in ("false", "['false']"):
            return True
    return False


def check_bucket(target: AwsTarget, region: str, outputs: dict[str, Any]) -> list[Check]:
    bucket = outputs.get("artifact_bucket_name")
    key_arn = outputs.get("artifact_kms_key_arn")
    if not bucket:
        return [Check("bucket", "bucket", "FAIL", "stack output artifact_bucket_name is missing")]
    s3 = target.client("s3", region)

    def versioning() -> list[Check]:
        status = s3.get_bucket_versioning(Bucket=bucket).get("Status", "Disabled")
        return [_ok("bucket", "versioned", status == "Enabled", f"{bucket}: {status}")]

    def encryption() -> list[Check]:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
        algo, key = default.get("SSEAlgorithm"), default.get("KMSMasterKeyID", "")
        right_key = not key_arn or key == key_arn or key_arn.endswith(key)
        return [_ok("bucket", "SSE-KMS with the stack's key", algo == "aws:kms" and bool(key) and right_key,
                    f"{bucket}: {algo} {key or '(no key)'}")]

    def public_access() -> list[Check]:
        cfg = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        blocked = all(cfg.get(k) for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                           "RestrictPublicBuckets"))
        off = [k for k, v in cfg.items() if not v]
        return [_ok("bucket", "public access blocked", blocked, f"{bucket}: " + ("all four on" if blocked
                                                                             else f"off: {', '.join(off)}"))]

    def policy() -> list[Check]:
        doc = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        tls = _tls_only(doc)
        return [_ok("bucket", "TLS-only policy", tls, f"{bucket}: " + ("denies aws:SecureTransport=false" if tls
                                                                      else "no deny for non-TLS requests"))]

    return (_guard("bucket", "versioned", versioning) + _guard("bucket", "SSE-KMS with the stack's key", encryption)
            + _guard("bucket", "public access blocked", public_access) + _guard("bucket", "TLS-only policy", policy))


def _image_matches(identifier: str, expected: str) -> bool:
    """`expected` is what the stack outputs: a full image reference, a bare digest or a bare tag."""
    if identifier == expected:
        return True
    if "/" in expected:
        return False
    if expected.startswith("sha256:"):
        return identifier.endswith("@" + expected)
    return identifier.endswith(":" + expected)


def check_service(target: AwsTarget, region: str, outputs: dict[str, Any]) -> list[Check]:
    arn, image = outputs.get("service_arn"), outputs.get("service_image")
    if not arn:
        return [Check("service", "App Runner service", "skip",
                      "no service yet (service_image is null; plan with --image to deploy one)")]

    def run() -> list[Check]:
        svc = target.client("apprunner", region).describe_service(ServiceArn=arn)["Service"]
        status = svc.get("Status")
        identifier = svc.get("SourceConfiguration", {}).get("ImageRepository", {}).get("ImageIdentifier", "")
        health = svc.get("HealthCheckConfiguration", {})
        want_path = outputs.get("health_check_path")
        checks = [_ok("service", "RUNNING", status == "RUNNING", f"{svc.get('ServiceName')}: {status}")]
        if image:
            checks.append(_ok("service", "expected image", _image_matches(identifier, image),
                              f"running {identifier or '(none)'}; expected {image}"))
        checks.append(_ok("service", "health check", bool(health) and (not want_path or health.get("Path") == want_path),
                          f"{health.get('Protocol', '?')} {health.get('Path', '(none)')}"
                          + (f"; expected {want_path}" if want_path else "")))
        return checks

    return _guard("service", "App Runner service", run)


def check_alarms(target: AwsTarget, region: str, outputs: dict[str, Any]) -> list[Check]:
    names = outputs.get("alarm_names") or []
    if isinstance(names, dict):
        names = list(names.values())
    topic = outputs.get("alert_topic_arn")
    if not names:
        if not outputs.get("service_arn"):  # the service alarms come with the service
            return [Check("alarms", "alarms", "skip", "no service yet, so no service alarms")]
        return [Check("alarms", "alarms", "FAIL", "stack output alarm_names is empty")]

    def run() -> list[Check]:
        found = {a["AlarmName"]: a for a in
                 target.client("cloudwatch", region).describe_alarms(AlarmNames=list(names))["MetricAlarms"]}
        checks = []
        for name in names:
            alarm = found.get(name)
            if alarm is None:
                checks.append(Check("alarms", name, "FAIL", "alarm not found"))
                continue
            actions = alarm.get("AlarmActions", [])
            checks.append(_ok("alarms", name, bool(topic) and topic in actions,
                              f"actions -> {', '.join(actions) or '(none)'}"))
        return checks

    def topic_exists() -> list[Check]:
        if not topic:
            return [Check("alarms", "alert topic", "FAIL", "stack output alert_topic_arn is missing")]
        target.client("sns", region).get_topic_attributes(TopicArn=topic)
        return [Check("alarms", "alert topic", "ok", topic)]

    return _guard("alarms", "alert topic", topic_exists) + _guard("alarms", "alarms", run)


def verify_environment(target: AwsTarget, region: str, outputs: dict[str, Any]) -> list[Check]:
    return (check_registry(target, region, outputs) + check_bucket(target, region, outputs)
            + check_service(target, region, outputs) + check_alarms(target, region, outputs))
