"""The Fargate stack's services answer as AWS does (platform_cli/sandbox/fidelity_fargate.py), read with boto3."""

from __future__ import annotations

import time
import uuid

import pytest
from botocore.exceptions import ClientError

from platform_cli.sandbox.images import push_placeholder_image

REGION = "eu-west-1"
ACCOUNT = "123456789012"


def _wait(read, done, timeout: float = 15.0):
    """Poll like the aws provider does, until done(value); the sandbox settles lazily on reads."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


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


def _task_definition(ecs, family: str, image: str) -> str:
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


def _service(sandbox, world, image: str, desired: int = 2) -> tuple[object, str, str]:
    ecs = sandbox.client("ecs", REGION)
    name = f"svc-{uuid.uuid4().hex[:6]}"
    ecs.create_cluster(clusterName=name)
    task_definition = _task_definition(ecs, name, image)
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


def _describe(ecs, name: str) -> dict:
    return ecs.describe_services(cluster=name, services=[name])["services"][0]


def _steady(service: dict) -> bool:
    return len(service["deployments"]) == 1 and service["runningCount"] == service["desiredCount"]


# --- ECS ----------------------------------------------------------------------------------------------------------


def test_a_service_on_an_image_in_ecr_reaches_a_steady_state(sandbox, world):
    """moto leaves runningCount 0 / IN_PROGRESS forever; the provider's wait_for_steady_state timed out (20 min)."""
    ecs, name, task_definition = _service(sandbox, world, f"{world['uri']}@{world['digest']}")
    service = _wait(lambda: _describe(ecs, name), _steady)
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
    ecs, name, _ = _service(sandbox, world, f"{world['uri']}:build-1", desired=1)
    _wait(lambda: _describe(ecs, name), _steady)
    old_tasks = set(ecs.list_tasks(cluster=name, desiredStatus="RUNNING")["taskArns"])
    digest = push_placeholder_image(
        world["repository"], f"build-2-{uuid.uuid4().hex[:4]}", ecr_client=sandbox.client("ecr", REGION)
    )
    second = _task_definition(ecs, name, f"{world['uri']}@{digest}")
    ecs.update_service(cluster=name, service=name, taskDefinition=second)
    rolling = _describe(ecs, name)
    assert [d["status"] for d in rolling["deployments"]][:2] == ["PRIMARY", "ACTIVE"]
    service = _wait(lambda: _describe(ecs, name), _steady)
    assert service["taskDefinition"] == service["deployments"][0]["taskDefinition"] == second
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    running = ecs.list_tasks(cluster=name, desiredStatus="RUNNING")["taskArns"]
    assert len(running) == 1 and not old_tasks & set(running)
    stopped = ecs.describe_tasks(cluster=name, tasks=list(old_tasks))["tasks"]
    assert {t["lastStatus"] for t in stopped} == {"STOPPED"}
    assert ecs.describe_tasks(cluster=name, tasks=running)["tasks"][0]["taskDefinitionArn"] == second


def test_an_image_missing_from_ecr_fails_like_ecs(sandbox, world):
    missing = f"{world['uri']}@sha256:{'0' * 64}"
    ecs, name, _ = _service(sandbox, world, missing, desired=1)
    service = _wait(lambda: _describe(ecs, name), lambda s: s["deployments"][0]["rolloutState"] != "IN_PROGRESS")
    deployment = service["deployments"][0]
    assert (deployment["rolloutState"], service["runningCount"]) == ("FAILED", 0)
    assert deployment["failedTasks"] >= 3
    assert any("CannotPullContainerError" in e["message"] for e in service["events"])
    stopped = ecs.list_tasks(cluster=name, desiredStatus="STOPPED")["taskArns"]
    reasons = {t["stoppedReason"].split(":")[0] for t in ecs.describe_tasks(cluster=name, tasks=stopped)["tasks"]}
    assert reasons == {"CannotPullContainerError"}


def test_a_bad_image_on_a_running_service_rolls_back_with_the_circuit_breaker(sandbox, world):
    ecs, name, good = _service(sandbox, world, f"{world['uri']}:build-1", desired=1)
    _wait(lambda: _describe(ecs, name), _steady)
    bad = _task_definition(ecs, name, f"{world['uri']}:no-such-tag")
    ecs.update_service(cluster=name, service=name, taskDefinition=bad)
    service = _wait(lambda: _describe(ecs, name), lambda s: s["taskDefinition"] == good and _steady(s))
    assert service["taskDefinition"] == good and service["runningCount"] == 1
    assert any("rolling back" in e["message"] for e in service["events"])


def test_delete_stops_the_tasks_and_frees_the_targets(sandbox, world):
    ecs, name, _ = _service(sandbox, world, f"{world['uri']}:build-1", desired=1)
    _wait(lambda: _describe(ecs, name), _steady)
    ecs.update_service(cluster=name, service=name, desiredCount=0)
    ecs.delete_service(cluster=name, service=name)
    assert _describe(ecs, name)["status"] == "INACTIVE"
    assert not ecs.list_tasks(cluster=name, desiredStatus="RUNNING")["taskArns"]


# --- Application Auto Scaling -------------------------------------------------------------------------------------


def test_scalable_target_tags_round_trip(sandbox, world):
    """moto answered ListTagsForResource with HTTP 500; the SDK retried ~25 times (8+ minutes per target)."""
    _, name, _ = _service(sandbox, world, f"{world['uri']}:build-1", desired=1)
    autoscaling = sandbox.client("application-autoscaling", REGION)
    arn = autoscaling.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=f"service/{name}/{name}",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=3,
        Tags={"env": "fargate"},
    )["ScalableTargetARN"]
    assert autoscaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"env": "fargate"}
    autoscaling.tag_resource(ResourceARN=arn, Tags={"team": "ml"})
    autoscaling.untag_resource(ResourceARN=arn, TagKeys=["env"])
    assert autoscaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"team": "ml"}
    autoscaling.deregister_scalable_target(
        ServiceNamespace="ecs", ResourceId=f"service/{name}/{name}", ScalableDimension="ecs:service:DesiredCount"
    )
    with pytest.raises(ClientError) as error:
        autoscaling.list_tags_for_resource(ResourceARN=arn)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- EC2 ----------------------------------------------------------------------------------------------------------


def test_a_rule_referencing_a_security_group_keeps_its_description(sandbox, world):
    """moto dropped it from the authorize answer and DescribeSecurityGroupRules; every plan showed `+ description`."""
    ec2 = sandbox.client("ec2", REGION)
    created = ec2.authorize_security_group_ingress(
        GroupId=world["tasks_sg"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "UserIdGroupPairs": [
                    {"GroupId": world["alb_sg"], "Description": "Container port from the load balancer"}
                ],
            }
        ],
    )["SecurityGroupRules"][0]
    assert created["Description"] == "Container port from the load balancer"
    rules = ec2.describe_security_group_rules(SecurityGroupRuleIds=[created["SecurityGroupRuleId"]])
    assert rules["SecurityGroupRules"][0]["Description"] == "Container port from the load balancer"
    assert rules["SecurityGroupRules"][0]["ReferencedGroupInfo"]["GroupId"] == world["alb_sg"]


def test_revoking_a_rule_id_the_group_does_not_hold_answers_as_aws_does(sandbox, world):
    """The aws provider skips a rule that is already gone only on AWS's InvalidSecurityGroupRuleId.NotFound."""
    ec2 = sandbox.client("ec2", REGION)
    group = ec2.create_security_group(
        GroupName=f"revoke-{uuid.uuid4().hex[:6]}", Description="revoke", VpcId=world["vpc"]
    )["GroupId"]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])
    egress = [r["SecurityGroupRuleId"] for r in rules["SecurityGroupRules"] if r["IsEgress"]]
    assert egress, "a new group has AWS's default allow-all egress rule"
    ec2.revoke_security_group_egress(GroupId=group, SecurityGroupRuleIds=egress)
    for revoke in (ec2.revoke_security_group_egress, ec2.revoke_security_group_ingress):
        with pytest.raises(ClientError) as gone:
            revoke(GroupId=group, SecurityGroupRuleIds=egress)
        assert gone.value.response["Error"]["Code"] == "InvalidSecurityGroupRuleId.NotFound"
