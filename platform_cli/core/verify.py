"""Verification: read what is really deployed with boto3 and compare it with what the stack promises.

The stack's outputs say which resources to read (repository, bucket, service, alarms, topic); each check reads one
property and reports ok / FAIL / skip with the observed value, so a failure says exactly what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, cast

from .aws import AwsTarget, error_code
from .errors import Refused
from .release import ImageRef


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
        return [Check(area, name, "FAIL", f"{error_code(exc) or type(exc).__name__}: {exc}")]


def check_registry(target: AwsTarget, region: str, outputs: dict[str, Any]) -> list[Check]:
    name = outputs.get("repository_name")
    if not name:
        return [Check("registry", "repository", "FAIL", "stack output repository_name is missing")]

    def run() -> list[Check]:
        repo = target.client("ecr", region).describe_repositories(repositoryNames=[name])["repositories"][0]
        mutability = repo.get("imageTagMutability")
        scan = repo.get("imageScanningConfiguration", {}).get("scanOnPush", False)
        return [
            _ok("registry", "tags immutable", mutability == "IMMUTABLE", f"{name}: {mutability}"),
            _ok("registry", "scan on push", bool(scan), f"{name}: scanOnPush={scan}"),
        ]

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
        return [
            _ok(
                "bucket",
                "SSE-KMS with the stack's key",
                algo == "aws:kms" and bool(key) and right_key,
                f"{bucket}: {algo} {key or '(no key)'}",
            )
        ]

    def public_access() -> list[Check]:
        cfg = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        blocked = all(
            cfg.get(k) for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        )
        off = [k for k, v in cfg.items() if not v]
        return [
            _ok(
                "bucket",
                "public access blocked",
                blocked,
                f"{bucket}: " + ("all four on" if blocked else f"off: {', '.join(off)}"),
            )
        ]

    def policy() -> list[Check]:
        doc = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        tls = _tls_only(doc)
        return [
            _ok(
                "bucket",
                "TLS-only policy",
                tls,
                f"{bucket}: " + ("denies aws:SecureTransport=false" if tls else "no deny for non-TLS requests"),
            )
        ]

    return (
        _guard("bucket", "versioned", versioning)
        + _guard("bucket", "SSE-KMS with the stack's key", encryption)
        + _guard("bucket", "public access blocked", public_access)
        + _guard("bucket", "TLS-only policy", policy)
    )


def _image_matches(identifier: str, expected: str) -> bool:
    """`identifier` is what runs (App Runner's ImageIdentifier, an ECS container's image); `expected` is what the
    stack outputs: a full image reference, a bare digest or a bare tag. Both are read by the one parser."""
    try:
        return ImageRef.parse(identifier).same_image(ImageRef.parse(expected))
    except Refused:  # what runs is no image reference at all (e.g. empty): not the expected image
        return False


def check_service(target: AwsTarget, region: str, outputs: dict[str, Any]) -> list[Check]:
    if outputs.get("compute") == "ecs_fargate":
        return check_ecs_service(target, region, outputs)
    arn, image = outputs.get("service_arn"), outputs.get("service_image")
    if not arn:
        return [
            Check(
                "service",
                "App Runner service",
                "skip",
                "no service yet (service_image is null; plan with --image to deploy one)",
            )
        ]

    def run() -> list[Check]:
        svc = target.client("apprunner", region).describe_service(ServiceArn=arn)["Service"]
        status = svc.get("Status")
        identifier = svc.get("SourceConfiguration", {}).get("ImageRepository", {}).get("ImageIdentifier", "")
        health = svc.get("HealthCheckConfiguration", {})
        want_path = outputs.get("health_check_path")
        checks = [_ok("service", "RUNNING", status == "RUNNING", f"{svc.get('ServiceName')}: {status}")]
        if image:
            checks.append(
                _ok(
                    "service",
                    "expected image",
                    _image_matches(identifier, image),
                    f"running {identifier or '(none)'}; expected {image}",
                )
            )
        checks.append(
            _ok(
                "service",
                "health check",
                bool(health) and (not want_path or health.get("Path") == want_path),
                f"{health.get('Protocol', '?')} {health.get('Path', '(none)')}"
                + (f"; expected {want_path}" if want_path else ""),
            )
        )
        return checks

    return _guard("service", "App Runner service", run)


def _task_ips(task: dict[str, Any]) -> set[str]:
    return {
        d["value"]
        for a in task.get("attachments", [])
        for d in a.get("details", [])
        if d.get("name") == "privateIPv4Address"
    }


def check_ecs_service(target: AwsTarget, region: str, outputs: dict[str, Any]) -> list[Check]:
    """ECS Fargate behind an ALB: the service, its tasks and image, the targets, the listeners, the log group."""
    arn, image, cluster = outputs.get("service_arn"), outputs.get("service_image"), outputs.get("cluster_name")
    if not arn:
        return [
            Check(
                "service",
                "ECS service",
                "skip",
                "no service yet (service_image is null; plan with --image to deploy one)",
            )
        ]
    if not cluster:
        return [Check("service", "ECS service", "FAIL", "stack output cluster_name is missing")]
    ecs, elbv2 = target.client("ecs", region), target.client("elbv2", region)
    state: dict[str, Any] = {}

    def service() -> list[Check]:
        found = ecs.describe_services(cluster=cluster, services=[arn])
        if not found.get("services"):
            reason = (found.get("failures") or [{}])[0].get("reason", "not found")
            return [Check("service", "ACTIVE", "FAIL", f"{arn}: {reason}")]
        svc = state["service"] = found["services"][0]
        name, status = svc.get("serviceName"), svc.get("status")
        running, desired = svc.get("runningCount", 0), svc.get("desiredCount", 0)
        deployments = svc.get("deployments", [])
        rollout = ", ".join(f"{d.get('status')} {d.get('rolloutState', '?')}" for d in deployments) or "(none)"
        checks = [
            _ok("service", "ACTIVE", status == "ACTIVE", f"{name}: {status}"),
            _ok(
                "service",
                "running == desired",
                desired > 0 and running == desired and len(deployments) == 1,
                f"{name}: {running} running of {desired} desired; deployments: {rollout}",
            ),
        ]
        task_definition = svc.get("taskDefinition", "")
        containers = ecs.describe_task_definition(taskDefinition=task_definition)["taskDefinition"].get(
            "containerDefinitions", []
        )
        images = [c.get("image", "") for c in containers if c.get("essential", True)]
        arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="RUNNING").get("taskArns", [])
        tasks = ecs.describe_tasks(cluster=cluster, tasks=arns).get("tasks", []) if arns else []
        tasks = [t for t in tasks if t.get("group") in (None, f"service:{name}") and t.get("lastStatus") == "RUNNING"]
        state["tasks"] = tasks
        on_revision = [t for t in tasks if t.get("taskDefinitionArn") == task_definition]
        revision = task_definition.rsplit("/", 1)[-1]
        if image:
            right = bool(images) and all(_image_matches(i, image) for i in images)
            checks.append(
                _ok(
                    "service",
                    "expected image",
                    right and len(on_revision) == len(tasks) > 0,
                    f"{revision} runs {', '.join(images) or '(none)'} on {len(on_revision)} of "
                    f"{len(tasks)} running tasks; expected {image}",
                )
            )
        return checks

    def targets() -> list[Check]:
        svc = state.get("service")
        if svc is None:
            return []
        groups = [lb["targetGroupArn"] for lb in svc.get("loadBalancers", []) if lb.get("targetGroupArn")]
        if not groups:
            return [Check("service", "targets healthy", "FAIL", "the service has no target group")]
        group = elbv2.describe_target_groups(TargetGroupArns=groups[:1])["TargetGroups"][0]
        want_path = outputs.get("health_check_path")
        suffix = outputs.get("target_group_arn_suffix")
        path = group.get("HealthCheckPath")
        checks = [
            _ok(
                "service",
                "health check",
                bool(group.get("HealthCheckEnabled", True))
                and (not want_path or path == want_path)
                and (not suffix or group["TargetGroupArn"].endswith(suffix)),
                f"{group.get('HealthCheckProtocol', '?')} {path or '(none)'}"
                + (f"; expected {want_path}" if want_path else ""),
            )
        ]
        health = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]
        states = {h["Target"]["Id"]: h.get("TargetHealth", {}).get("State") for h in health}
        task_ips = set().union(*(_task_ips(t) for t in state.get("tasks", []))) if state.get("tasks") else set()
        healthy = {ip for ip, st in states.items() if st == "healthy"}
        unhealthy = {ip: st for ip, st in states.items() if st != "healthy"}
        ok = bool(task_ips) and task_ips <= healthy and not unhealthy
        detail = (
            f"{group.get('TargetGroupName')}: {len(healthy)} healthy of {len(states)} registered, "
            f"{len(task_ips)} running task IPs"
        )
        if unhealthy:
            detail += "; " + ", ".join(f"{ip} {st}" for ip, st in sorted(unhealthy.items()))
        missing = task_ips - healthy
        if missing:
            detail += "; not healthy in the target group: " + ", ".join(sorted(missing))
        checks.append(_ok("service", "targets healthy", ok, detail))
        return checks

    def listeners() -> list[Check]:
        alb = outputs.get("alb_arn")
        if not alb:
            return [Check("service", "listeners", "FAIL", "stack output alb_arn is missing")]
        https = str(outputs.get("service_url") or "").startswith("https://")
        found = elbv2.describe_listeners(LoadBalancerArn=alb)["Listeners"]
        by_port = {(lst.get("Port"), lst.get("Protocol")): lst for lst in found}
        seen = ", ".join(f"{proto}:{port}" for port, proto in sorted(by_port, key=lambda k: k[0] or 0)) or "(none)"

        def action(listener: dict[str, Any] | None) -> dict[str, Any]:
            return cast(dict[str, Any], ((listener or {}).get("DefaultActions") or [{}])[0])

        if https:
            forward, redirect = by_port.get((443, "HTTPS")), by_port.get((80, "HTTP"))
            to = action(redirect).get("RedirectConfig", {})
            ok = (
                forward is not None
                and action(forward).get("Type") == "forward"
                and action(redirect).get("Type") == "redirect"
                and to.get("Protocol") == "HTTPS"
                and str(to.get("Port")) == "443"
                and len(found) == 2
            )
            return [
                _ok("service", "listeners", ok, f"expected HTTPS:443 forward + HTTP:80 redirect to HTTPS; found {seen}")
            ]
        forward = by_port.get((80, "HTTP"))
        ok = forward is not None and action(forward).get("Type") == "forward" and len(found) == 1
        return [_ok("service", "listeners", ok, f"expected HTTP:80 forward (no certificate configured); found {seen}")]

    def log_group() -> list[Check]:
        name = outputs.get("log_group_name")
        if not name:
            return [Check("service", "log group KMS-encrypted", "FAIL", "stack output log_group_name is missing")]
        groups = target.client("logs", region).describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        group = next((g for g in groups if g.get("logGroupName") == name), None)
        if group is None:
            return [Check("service", "log group KMS-encrypted", "FAIL", f"{name}: not found")]
        key = group.get("kmsKeyId")
        return [_ok("service", "log group KMS-encrypted", bool(key), f"{name}: {key or 'no KMS key'}")]

    return (
        _guard("service", "ACTIVE", service)
        + _guard("service", "targets healthy", targets)
        + _guard("service", "listeners", listeners)
        + _guard("service", "log group KMS-encrypted", log_group)
    )


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
        found = {
            a["AlarmName"]: a
            for a in target.client("cloudwatch", region).describe_alarms(AlarmNames=list(names))["MetricAlarms"]
        }
        checks = []
        for name in names:
            alarm = found.get(name)
            if alarm is None:
                checks.append(Check("alarms", name, "FAIL", "alarm not found"))
                continue
            actions = alarm.get("AlarmActions", [])
            checks.append(
                _ok("alarms", name, bool(topic) and topic in actions, f"actions -> {', '.join(actions) or '(none)'}")
            )
        return checks

    def topic_exists() -> list[Check]:
        if not topic:
            return [Check("alarms", "alert topic", "FAIL", "stack output alert_topic_arn is missing")]
        target.client("sns", region).get_topic_attributes(TopicArn=topic)
        return [Check("alarms", "alert topic", "ok", topic)]

    return _guard("alarms", "alert topic", topic_exists) + _guard("alarms", "alarms", run)


def verify_environment(target: AwsTarget, region: str, outputs: dict[str, Any]) -> list[Check]:
    return (
        check_registry(target, region, outputs)
        + check_bucket(target, region, outputs)
        + check_service(target, region, outputs)
        + check_alarms(target, region, outputs)
    )
