"""ELBv2's target health shows the ECS tasks that run (platform_cli/sandbox/services/elbv2.py)."""

from __future__ import annotations

from .fargate import REGION, create_service, wait


def test_target_health_alone_settles_the_ecs_service_behind_it(sandbox, world):
    """The sandbox starts ECS tasks lazily, on a read; DescribeTargetHealth is one, so a caller that only watches
    the target group (the provider, `platformctl verify`) sees the service's tasks healthy without reading ECS."""
    ecs, name, _ = create_service(sandbox, world, f"{world['uri']}:build-1", desired=1)
    elbv2 = sandbox.client("elbv2", REGION)

    def healthy_ips() -> set[str]:
        health = elbv2.describe_target_health(TargetGroupArn=world["target_group"])["TargetHealthDescriptions"]
        return {h["Target"]["Id"] for h in health if h["TargetHealth"]["State"] == "healthy"}

    ips = wait(healthy_ips, bool)
    assert len(ips) == 1
    tasks = ecs.describe_tasks(cluster=name, tasks=ecs.list_tasks(cluster=name)["taskArns"])["tasks"]
    task_ips = {
        d["value"] for t in tasks for a in t["attachments"] for d in a["details"] if d["name"] == "privateIPv4Address"
    }
    assert ips == task_ips
