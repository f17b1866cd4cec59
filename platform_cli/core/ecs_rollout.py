"""Whether ECS rolled back the deployment an apply started: its deployment alarms or circuit breaker sent the
service back to the last completed deployment. Terraform reports such an apply as a success (the service resource
was updated; ECS undid it afterwards), so platformctl asks ECS what runs.

With wait_for_steady_state (the default) Terraform returns once the deployment settled, so one look is enough;
without it a rollback that happens later is not seen here (verify and drift see it).
"""

from __future__ import annotations

from typing import Any

from .aws import AwsTarget


def rolled_back(target: AwsTarget, region: str, outputs: dict[str, Any]) -> str | None:
    """Why ECS runs another task definition than the one the apply gave the service, or None when it runs it."""
    applied = outputs.get("task_definition_arn")
    if outputs.get("compute") != "ecs_fargate" or not applied or not outputs.get("service_arn"):
        return None
    ecs = target.client("ecs", region)
    found = ecs.describe_services(cluster=outputs["cluster_name"], services=[outputs["service_arn"]])["services"]
    if not found or found[0]["taskDefinition"] == applied:
        return None
    service = found[0]
    failed = next((e["message"] for e in service.get("events", []) if "failed" in e["message"]), None)
    running = service["taskDefinition"].rsplit("/", 1)[-1]
    return f"the service runs {running} again, not {applied.rsplit('/', 1)[-1]}" + (f" ({failed})" if failed else "")
