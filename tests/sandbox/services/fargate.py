"""A small Fargate world in the sandbox (VPC, subnets, security groups, target group, an image in ECR) and ECS
services on it: what the ECS, ELBv2, Application Auto Scaling and EC2 tests build on."""

from __future__ import annotations

import time
import uuid

REGION = "eu-west-1"


def wait(read, done, timeout: float = 15.0):
    """Poll like the aws provider does, until done(value); the sandbox settles lazily on reads."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def register_task_definition(ecs, family: str, image: str) -> str:
    return ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "app",
                "image": image,
                "essential": True,
                "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]


def create_service(
    sandbox, world, image: str, desired: int = 2, alarms: list[str] | None = None
) -> tuple[object, str, str]:
    ecs = sandbox.client("ecs", REGION)
    name = f"svc-{uuid.uuid4().hex[:6]}"
    ecs.create_cluster(clusterName=name)
    task_definition = register_task_definition(ecs, name, image)
    ecs.create_service(
        cluster=name,
        serviceName=name,
        taskDefinition=task_definition,
        desiredCount=desired,
        launchType="FARGATE",
        healthCheckGracePeriodSeconds=60,
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            **({"alarms": {"alarmNames": alarms, "enable": True, "rollback": True}} if alarms else {}),
        },
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": world["subnets"],
                "securityGroups": [world["tasks_sg"]],
                "assignPublicIp": "DISABLED",
            }
        },
        loadBalancers=[{"targetGroupArn": world["target_group"], "containerName": "app", "containerPort": 8080}],
    )
    return ecs, name, task_definition


def describe(ecs, name: str) -> dict:
    return ecs.describe_services(cluster=name, services=[name])["services"][0]


def steady(service: dict) -> bool:
    return len(service["deployments"]) == 1 and service["runningCount"] == service["desiredCount"]
