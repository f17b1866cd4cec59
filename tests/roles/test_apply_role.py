"""What an apply role may not do: touch another environment's resources, or make a role outside the workload
boundary. What it may do, build its environment from nothing on either compute target (for Fargate the network,
load balancer, cluster and service; for App Runner the service and its roles), roll out an image and verify it, is
deploy.yml's run as those roles (test_deploy_workflow.py: staging on App Runner, prod on Fargate)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

pytestmark = [pytest.mark.real, pytest.mark.xdist_group("bootstrap-roles")]


def test_an_apply_role_cannot_create_another_environments_resources(account):
    ecr = account.client("ecr", account.apply_role("fargate"))
    with pytest.raises(ClientError) as refused:
        ecr.create_repository(repositoryName=f"{account.project}-staging")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert f"repository/{account.project}-staging" in refused.value.response["Error"]["Message"]


def test_an_apply_role_creates_roles_only_inside_the_workload_boundary(account):
    iam = account.client("iam", account.apply_role("fargate"))
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    name = f"{account.project}-fargate-ecs-escalate"
    with pytest.raises(ClientError) as unbounded:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    assert unbounded.value.response["Error"]["Code"] == "AccessDenied"
    boundary = account.outputs["workload_boundary_arns"]["fargate"]
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    for call in (
        lambda: iam.attach_role_policy(RoleName=name, PolicyArn=admin),
        lambda: iam.delete_role_permissions_boundary(RoleName=name),
        lambda: iam.create_role(
            RoleName=f"{account.project}-staging-ecs-x", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary
        ),
    ):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
