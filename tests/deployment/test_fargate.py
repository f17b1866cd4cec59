"""The `fargate` environment (ECS Fargate behind an ALB) deployed end to end on the sandbox through platformctl.

From empty: the foundation (network, registry, artifact store, monitoring), a placeholder image pushed, the service
on that digest; then verify, re-plan, drift, a new build rolled out, destroy. The tests run in file order on one
deployment, so one xdist worker runs them all.
"""

from __future__ import annotations

import json
import uuid

import pytest
from support.deployment import Deployment, copy_repository

pytestmark = pytest.mark.xdist_group("fargate")

ENV = "fargate"


@pytest.fixture(scope="module")
def fargate(sandbox, terraform_env, tmp_path_factory) -> Deployment:
    base = tmp_path_factory.mktemp("fargate")
    root = base / "repo"
    copy_repository(root, "fg" + uuid.uuid4().hex[:6])
    env = dict(terraform_env({}))
    env.update(PLATFORMCTL_SANDBOX_DIR=sandbox.info.state_dir, PLATFORMCTL_WORK_DIR=str(base / "work"), NO_COLOR="1")
    deployment = Deployment(root=root, work_dir=base / "work", env=env, sandbox=sandbox)
    deployment.must("plan", ENV, codes=(2,))
    deployment.must("apply", ENV)
    deployment.drift_after_foundation = deployment.run("drift", ENV, "--json")
    deployment.outputs = json.loads(deployment.must("output", ENV, "--json").stdout)
    assert deployment.outputs["compute"] == "ecs_fargate" and deployment.outputs.get("service_arn") is None
    deployment.digest = deployment.push_image("build-1")
    deployment.must("plan", ENV, "--image", deployment.digest, codes=(2,))
    deployment.must("apply", ENV)
    deployment.outputs = json.loads(deployment.must("output", ENV, "--json").stdout)
    return deployment


def _service(fargate: Deployment) -> dict:
    out = fargate.outputs
    return fargate.client("ecs").describe_services(cluster=out["cluster_name"], services=[out["service_arn"]])[
        "services"
    ][0]


def test_verify_passes_every_check(fargate):
    report = json.loads(fargate.must("verify", ENV, "--json").stdout)
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert report["ok"] and set(statuses.values()) == {"ok"}, statuses
    for name in (
        "ACTIVE",
        "running == desired",
        "expected image",
        "health check",
        "targets healthy",
        "listeners",
        "log group KMS-encrypted",
        "alert topic",
    ):
        assert statuses[name] == "ok", name


def test_the_service_runs_its_digest_behind_the_load_balancer(fargate):
    out, ecs, elbv2 = fargate.outputs, fargate.client("ecs"), fargate.client("elbv2")
    service = _service(fargate)
    assert (service["status"], service["runningCount"], service["desiredCount"]) == ("ACTIVE", 1, 1)
    assert [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"]
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    container = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"][
        "containerDefinitions"
    ][0]
    assert container["image"] == f"{out['registry_url']}@{fargate.digest}" == out["service_image"]

    tasks = ecs.list_tasks(cluster=out["cluster_name"], desiredStatus="RUNNING")["taskArns"]
    ips = {
        d["value"]
        for t in ecs.describe_tasks(cluster=out["cluster_name"], tasks=tasks)["tasks"]
        for a in t["attachments"]
        for d in a["details"]
        if d["name"] == "privateIPv4Address"
    }
    group = service["loadBalancers"][0]["targetGroupArn"]
    assert group.endswith(out["target_group_arn_suffix"])
    health = elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    assert {h["Target"]["Id"] for h in health if h["TargetHealth"]["State"] == "healthy"} == ips and len(ips) == 1
    listeners = elbv2.describe_listeners(LoadBalancerArn=out["alb_arn"])["Listeners"]
    assert [(lst["Port"], lst["Protocol"]) for lst in listeners] == [(80, "HTTP")]  # no certificate in envs/fargate
    assert out["service_url"] == f"http://{out['alb_dns_name']}"

    logs = fargate.client("logs").describe_log_groups(logGroupNamePrefix=out["log_group_name"])["logGroups"]
    assert logs[0]["kmsKeyId"]
    alarms = fargate.client("cloudwatch").describe_alarms(AlarmNames=out["alarm_names"])["MetricAlarms"]
    assert alarms and all(a["AlarmActions"] == [out["alert_topic_arn"]] for a in alarms)
    autoscaling = fargate.client("application-autoscaling")
    target = autoscaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    resource = f"service/{out['cluster_name']}/{service['serviceName']}"
    assert [(t["MinCapacity"], t["MaxCapacity"]) for t in target if t["ResourceId"] == resource] == [(1, 3)]


def test_plan_again_right_after_the_create_shows_no_changes(fargate):
    """Every attribute the service apply created reads back as configured (no permanent diff)."""
    replanned = fargate.run("plan", ENV)
    assert replanned.exit_code == 0, replanned.output
    assert f"{ENV}: no changes" in replanned.stdout


def test_drift_right_after_the_create_reports_nothing(fargate):
    """No state is written after an apply; the aws provider's read-back of resources created in that same apply (a
    bucket's copies of its separately managed configuration, security groups' copies of their rules, ...) is told
    apart from a real change by core/drift.py."""
    drift = fargate.run("drift", ENV, "--json")
    assert drift.exit_code == 0, drift.output
    assert json.loads(drift.stdout)["drifted"] == []


def test_drift_right_after_a_one_step_apply_reports_nothing(fargate):
    """The foundation went in with one plan + apply and nothing refreshed its state before this drift ran: the alert
    topic's policy and the public route are owned by the topic and the route table themselves, so their read-back
    matches the state the apply wrote."""
    drift = fargate.drift_after_foundation
    assert drift.exit_code == 0, drift.output
    assert json.loads(drift.stdout)["drifted"] == []


def test_a_new_build_rolls_the_service_onto_a_new_task_definition(fargate):
    before = _service(fargate)
    digest = fargate.push_image("build-2")
    fargate.must("plan", ENV, "--image", digest, codes=(2,))
    fargate.must("apply", ENV)
    after = _service(fargate)
    old_revision = int(before["taskDefinition"].rsplit(":", 1)[1])
    assert int(after["taskDefinition"].rsplit(":", 1)[1]) == old_revision + 1
    assert after["runningCount"] == after["desiredCount"] == 1
    assert [(d["taskDefinition"], d["rolloutState"]) for d in after["deployments"]] == [
        (after["taskDefinition"], "COMPLETED")
    ]
    ecs, cluster = fargate.client("ecs"), fargate.outputs["cluster_name"]
    running = ecs.describe_tasks(
        cluster=cluster, tasks=ecs.list_tasks(cluster=cluster, desiredStatus="RUNNING")["taskArns"]
    )["tasks"]
    assert [t["taskDefinitionArn"] for t in running] == [after["taskDefinition"]]
    image = ecs.describe_task_definition(taskDefinition=after["taskDefinition"])["taskDefinition"][
        "containerDefinitions"
    ][0]["image"]
    assert image.endswith(f"@{digest}")
    fargate.digest = digest
    fargate.outputs = json.loads(fargate.must("output", ENV, "--json").stdout)
    report = json.loads(fargate.must("verify", ENV, "--json").stdout)
    assert report["ok"], report


def test_ecs_rolls_back_a_release_its_deployment_alarm_catches_and_the_log_says_so(fargate):
    """The 5xx alarm is one of the service's deployment alarms: in ALARM during the bake, ECS goes back to the
    last completed deployment by itself, and platformctl records the apply as rolled back, not applied."""
    before = _service(fargate)
    cloudwatch = fargate.client("cloudwatch")
    alarm = next(name for name in fargate.outputs["alarm_names"] if name.endswith("-5xx") and "alb" not in name)
    digest = fargate.push_image("build-3")
    fargate.must("plan", ENV, "--image", digest, codes=(2,))
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test: 5xx burst on the new tasks")
    try:
        applied = fargate.run("apply", ENV)
    finally:
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="test: over")
    assert applied.exit_code == 1, applied.output
    assert "ECS rolled the deployment back" in applied.output and alarm in applied.output
    assert _service(fargate)["taskDefinition"] == before["taskDefinition"]
    outcome = [e for e in fargate.history(ENV) if e["kind"] == "apply-outcome"][-1]
    assert outcome["outcome"] == "rolled-back" and alarm in outcome["detail"]


def test_destroy_leaves_nothing_behind(fargate):
    out = fargate.outputs
    fargate.must("destroy", ENV, "--yes")
    ecs, elbv2, ec2 = fargate.client("ecs"), fargate.client("elbv2"), fargate.client("ec2")
    assert _service(fargate)["status"] == "INACTIVE"
    clusters = ecs.describe_clusters(clusters=[out["cluster_name"]])["clusters"]
    assert all(c["status"] == "INACTIVE" for c in clusters)
    assert out["alb_arn"] not in [lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    assert out["vpc_id"] not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    assert not ecs.list_tasks(cluster=out["cluster_name"], desiredStatus="RUNNING")["taskArns"]
    assert fargate.run("output", ENV, "--json").stdout.strip() in ("{}", "")


# --- verify's listener check with a certificate (no sandbox: stub clients) ---------------------------------------


class _Stub:
    def __init__(self, **answers):
        self.answers = answers

    def __getattr__(self, name):
        return lambda **_: self.answers[name]


def _listener_checks(listeners: list[dict]) -> dict[str, str]:
    from platform_cli.core.verify import check_ecs_service

    clients = {
        "ecs": _Stub(describe_services={"services": []}),
        "elbv2": _Stub(describe_listeners={"Listeners": listeners}),
        "logs": _Stub(describe_log_groups={"logGroups": [{"logGroupName": "/ecs/x", "kmsKeyId": "arn:key"}]}),
    }
    target = _Stub()
    target.client = lambda service, region: clients[service]
    outputs = {
        "compute": "ecs_fargate",
        "service_arn": "arn:svc",
        "cluster_name": "x",
        "alb_arn": "arn:alb",
        "service_url": "https://x.elb.amazonaws.com",
        "log_group_name": "/ecs/x",
    }
    return {c.name: c.status for c in check_ecs_service(target, "eu-west-1", outputs)}


def test_verify_expects_https_and_a_redirect_when_a_certificate_is_configured():
    forward = {"Port": 443, "Protocol": "HTTPS", "DefaultActions": [{"Type": "forward"}]}
    redirect = {
        "Port": 80,
        "Protocol": "HTTP",
        "DefaultActions": [
            {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
        ],
    }
    plain = {"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward"}]}
    assert _listener_checks([forward, redirect])["listeners"] == "ok"
    assert _listener_checks([forward, plain])["listeners"] == "FAIL"
    assert _listener_checks([plain])["listeners"] == "FAIL"
    checks = _listener_checks([forward, redirect])
    assert checks["ACTIVE"] == "FAIL" and checks["log group KMS-encrypted"] == "ok"
