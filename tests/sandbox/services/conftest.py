"""Fixtures the service tests share."""

from __future__ import annotations

import uuid

import pytest

from platform_cli.sandbox.images import push_placeholder_image

from .fargate import REGION


@pytest.fixture(scope="module")
def world(sandbox):
    """A VPC with two subnets, the ALB and tasks security groups, a target group and an ECR image."""
    suffix = uuid.uuid4().hex[:8]
    ec2, elbv2, ecr = (sandbox.client(s, REGION) for s in ("ec2", "elbv2", "ecr"))
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
        for i, z in ((1, "a"), (2, "b"))
    ]
    alb_sg = ec2.create_security_group(GroupName=f"alb-{suffix}", Description="alb", VpcId=vpc)["GroupId"]
    tasks_sg = ec2.create_security_group(GroupName=f"tasks-{suffix}", Description="tasks", VpcId=vpc)["GroupId"]
    group = elbv2.create_target_group(Name=f"tg-{suffix}", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    repository = f"model-{suffix}"
    uri = ecr.create_repository(repositoryName=repository)["repository"]["repositoryUri"]
    digest = push_placeholder_image(repository, "build-1", ecr_client=ecr)
    return {
        "vpc": vpc,
        "subnets": subnets,
        "alb_sg": alb_sg,
        "tasks_sg": tasks_sg,
        "target_group": group,
        "repository": repository,
        "uri": uri,
        "digest": digest,
        "suffix": suffix,
    }
