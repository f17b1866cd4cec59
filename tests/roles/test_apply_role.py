"""deploy.yml's apply job as the role it assumes, on both compute targets: the environment's apply role builds
its environment from nothing (for Fargate the network, load balancer, cluster and service; for App Runner the
service and its roles), rolls out an image, verifies and finds no drift; and it may not touch another
environment's resources or make a role outside the workload boundary."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from support.side_by_side import side_by_side

from platform_cli.sandbox.images import push_placeholder_image

pytestmark = [pytest.mark.real, pytest.mark.xdist_group("bootstrap-roles")]


def _deploy_from_nothing(account, env: str) -> None:
    """deploy.yml's jobs for `env`, as its apply role: foundation, image pushed, service, verify, drift."""
    role = account.apply_role(env)
    account.must("plan", env, credentials=role, codes=(2,))
    account.must("apply", env, credentials=role)
    outputs = json.loads(account.must("output", env, "--json", credentials=role))
    # deploy.yml's publish job pushes the image with the same role.
    digest = push_placeholder_image(outputs["repository_name"], "v1", ecr_client=account.client("ecr", role))
    account.must("plan", env, "--image", digest, credentials=role, codes=(2,))
    account.must("apply", env, credentials=role)
    assert "checks passed" in account.must("verify", env, credentials=role)
    account.must("drift", env, credentials=role)


@pytest.fixture(scope="module")
def from_nothing(account) -> dict[str, str]:
    """Both compute targets deployed from nothing at once, each by its own apply role: the failures by environment."""
    return side_by_side({env: lambda env=env: _deploy_from_nothing(account, env) for env in ("fargate", "staging")})


def test_the_fargate_apply_role_deploys_its_environment_from_nothing(from_nothing):
    assert "fargate" not in from_nothing, from_nothing.get("fargate")


def test_the_app_runner_apply_role_deploys_its_environment_from_nothing(from_nothing):
    assert "staging" not in from_nothing, from_nothing.get("staging")


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
