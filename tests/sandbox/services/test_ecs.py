"""ECS services in the sandbox run like ECS's scheduler (platform_cli/sandbox/services/ecs.py), read with boto3."""

from __future__ import annotations

import uuid

from platform_cli.sandbox.images import push_placeholder_image

from .fargate import REGION, create_service, describe, register_task_definition, steady, wait


def test_a_service_on_an_image_in_ecr_reaches_a_steady_state(sandbox, world):
    """moto leaves runningCount 0 / IN_PROGRESS forever; the provider's wait_for_steady_state timed out (20 min)."""
    ecs, name, task_definition = create_service(sandbox, world, f"{world['uri']}@{world['digest']}")
    service = wait(lambda: describe(ecs, name), steady)
    assert (service["status"], service["runningCount"], service["pendingCount"]) == ("ACTIVE", 2, 0)
    deployment = service["deployments"][0]
    assert (deployment["status"], deployment["rolloutState"]) == ("PRIMARY", "COMPLETED")
    assert deployment["taskDefinition"] == service["taskDefinition"] == task_definition
    assert any("has reached a steady state" in e["message"] for e in service["events"])
    # The create-only settings moto dropped read back as they were sent (no permanent plan diff).
    assert service["healthCheckGracePeriodSeconds"] == 60
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["deploymentConfiguration"]["minimumHealthyPercent"] == 100

    arns = ecs.list_tasks(cluster=name, desiredStatus="RUNNING")["taskArns"]
    tasks = ecs.describe_tasks(cluster=name, tasks=arns)["tasks"]
    assert len(tasks) == 2 and {t["lastStatus"] for t in tasks} == {"RUNNING"}
    assert {t["group"] for t in tasks} == {f"service:{name}"}
    ips = {
        d["value"] for t in tasks for a in t["attachments"] for d in a["details"] if d["name"] == "privateIPv4Address"
    }
    assert all(ip.startswith("10.20.") for ip in ips), ips  # inside the service's subnets

    health = sandbox.client("elbv2", REGION).describe_target_health(TargetGroupArn=world["target_group"])
    healthy = {h["Target"]["Id"] for h in health["TargetHealthDescriptions"] if h["TargetHealth"]["State"] == "healthy"}
    assert ips <= healthy


def test_a_new_task_definition_rolls_the_service_and_replaces_its_tasks(sandbox, world):
    ecs, name, _ = create_service(sandbox, world, f"{world['uri']}:build-1", desired=1)
    wait(lambda: describe(ecs, name), steady)
    old_tasks = set(ecs.list_tasks(cluster=name, desiredStatus="RUNNING")["taskArns"])
    digest = push_placeholder_image(
        world["repository"], f"build-2-{uuid.uuid4().hex[:4]}", ecr_client=sandbox.client("ecr", REGION)
    )
    second = register_task_definition(ecs, name, f"{world['uri']}@{digest}")
    ecs.update_service(cluster=name, service=name, taskDefinition=second)
    rolling = describe(ecs, name)
    assert [d["status"] for d in rolling["deployments"]][:2] == ["PRIMARY", "ACTIVE"]
    service = wait(lambda: describe(ecs, name), steady)
    assert service["taskDefinition"] == service["deployments"][0]["taskDefinition"] == second
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    running = ecs.list_tasks(cluster=name, desiredStatus="RUNNING")["taskArns"]
    assert len(running) == 1 and not old_tasks & set(running)
    stopped = ecs.describe_tasks(cluster=name, tasks=list(old_tasks))["tasks"]
    assert {t["lastStatus"] for t in stopped} == {"STOPPED"}
    assert ecs.describe_tasks(cluster=name, tasks=running)["tasks"][0]["taskDefinitionArn"] == second


def test_an_image_missing_from_ecr_fails_like_ecs(sandbox, world):
    missing = f"{world['uri']}@sha256:{'0' * 64}"
    ecs, name, _ = create_service(sandbox, world, missing, desired=1)
    service = wait(lambda: describe(ecs, name), lambda s: s["deployments"][0]["rolloutState"] != "IN_PROGRESS")
    deployment = service["deployments"][0]
    assert (deployment["rolloutState"], service["runningCount"]) == ("FAILED", 0)
    assert deployment["failedTasks"] >= 3
    assert any("CannotPullContainerError" in e["message"] for e in service["events"])
    stopped = ecs.list_tasks(cluster=name, desiredStatus="STOPPED")["taskArns"]
    reasons = {t["stoppedReason"].split(":")[0] for t in ecs.describe_tasks(cluster=name, tasks=stopped)["tasks"]}
    assert reasons == {"CannotPullContainerError"}


def test_a_bad_image_on_a_running_service_rolls_back_with_the_circuit_breaker(sandbox, world):
    ecs, name, good = create_service(sandbox, world, f"{world['uri']}:build-1", desired=1)
    wait(lambda: describe(ecs, name), steady)
    bad = register_task_definition(ecs, name, f"{world['uri']}:no-such-tag")
    ecs.update_service(cluster=name, service=name, taskDefinition=bad)
    service = wait(lambda: describe(ecs, name), lambda s: s["taskDefinition"] == good and steady(s))
    assert service["taskDefinition"] == good and service["runningCount"] == 1
    assert any("rolling back" in e["message"] for e in service["events"])


def _alarm(sandbox, name: str) -> str:
    sandbox.client("cloudwatch", REGION).put_metric_alarm(
        AlarmName=name,
        Namespace="Test",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
    return name


def test_a_deployment_alarm_in_alarm_during_the_bake_rolls_the_service_back(sandbox, world):
    alarm = _alarm(sandbox, f"errors-{uuid.uuid4().hex[:6]}")
    ecs, name, good = create_service(sandbox, world, f"{world['uri']}:build-1", desired=1, alarms=[alarm])
    wait(lambda: describe(ecs, name), steady)  # the first deployment has nothing to go back to: no bake
    second = register_task_definition(ecs, name, f"{world['uri']}:build-1")
    ecs.update_service(cluster=name, service=name, taskDefinition=second)
    sandbox.client("cloudwatch", REGION).set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test")
    service = wait(lambda: describe(ecs, name), lambda s: s["taskDefinition"] == good and steady(s))
    assert service["runningCount"] == 1 and service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert any(f"alarm(s) detected: {alarm}" in e["message"] for e in service["events"])
    assert any("deployment alarms: rolling back" in e["message"] for e in service["events"])
    running = ecs.list_tasks(cluster=name, desiredStatus="RUNNING")["taskArns"]
    assert [t["taskDefinitionArn"] for t in ecs.describe_tasks(cluster=name, tasks=running)["tasks"]] == [good]


def test_a_quiet_bake_completes_the_deployment(sandbox, world):
    alarm = _alarm(sandbox, f"errors-{uuid.uuid4().hex[:6]}")
    ecs, name, _ = create_service(sandbox, world, f"{world['uri']}:build-1", desired=1, alarms=[alarm])
    wait(lambda: describe(ecs, name), steady)
    second = register_task_definition(ecs, name, f"{world['uri']}:build-1")
    ecs.update_service(cluster=name, service=name, taskDefinition=second)
    baking = wait(lambda: describe(ecs, name), lambda s: "bake time" in s["deployments"][0]["rolloutStateReason"])
    assert [d["status"] for d in baking["deployments"]] == ["PRIMARY", "ACTIVE"]  # the old one kept while baking
    service = wait(lambda: describe(ecs, name), steady)
    assert service["taskDefinition"] == second and service["deployments"][0]["rolloutState"] == "COMPLETED"


def test_delete_stops_the_tasks_and_frees_the_targets(sandbox, world):
    ecs, name, _ = create_service(sandbox, world, f"{world['uri']}:build-1", desired=1)
    wait(lambda: describe(ecs, name), steady)
    ecs.update_service(cluster=name, service=name, desiredCount=0)
    ecs.delete_service(cluster=name, service=name)
    assert describe(ecs, name)["status"] == "INACTIVE"
    assert not ecs.list_tasks(cluster=name, desiredStatus="RUNNING")["taskArns"]
