"""IAM enforcement against the real sandbox over HTTP with boto3: who may do what, and how a refusal looks."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .conftest import ACCOUNT, REGION, allow, unique

LOGS_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
ECR_ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository"


def refused(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response


def test_root_credentials_may_do_everything(iam_sandbox):
    name = unique("root-repo")
    iam_sandbox.root("ecr").create_repository(repositoryName=name)
    assert iam_sandbox.root("iam").list_roles()["Roles"] is not None


def test_user_without_a_policy_is_refused_in_awss_json_shape(iam_sandbox):
    user = iam_sandbox.user()
    name = unique("repo")
    response = refused(user.client("ecr").create_repository, repositoryName=name)
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert response["Error"]["Message"] == (
        f"User: {user.arn} is not authorized to perform: ecr:CreateRepository on resource: {ECR_ARN}/{name} "
        "because no identity-based policy allows the ecr:CreateRepository action"
    )


def test_query_ec2_and_s3_refusals_use_each_protocols_error(iam_sandbox):
    client = iam_sandbox.user().client
    assert refused(client("iam").list_roles)["Error"]["Code"] == "AccessDenied"
    assert refused(client("sns").list_topics)["Error"]["Code"] == "AccessDenied"
    ec2 = refused(client("ec2").describe_vpcs)
    assert ec2["Error"]["Code"] == "UnauthorizedOperation"
    assert ec2["Error"]["Message"].startswith("You are not authorized to perform this operation. User: ")
    s3 = refused(client("s3").list_buckets)
    assert (s3["Error"]["Code"], s3["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDenied", 403)


def test_policy_scoped_to_a_resource_arn_allows_that_resource_only(iam_sandbox):
    mine, other = unique("mine"), unique("other")
    for name in (mine, other):
        iam_sandbox.root("ecr").create_repository(repositoryName=name)
    ecr = iam_sandbox.user(allow("ecr:DescribeRepositories", f"{ECR_ARN}/{mine}")).client("ecr")
    assert ecr.describe_repositories(repositoryNames=[mine])["repositories"][0]["repositoryName"] == mine
    assert refused(ecr.describe_repositories, repositoryNames=[other])["Error"]["Code"] == "AccessDeniedException"


def test_assumed_role_is_held_to_the_roles_policy_for_ecs(iam_sandbox):
    session = iam_sandbox.role_session(allow("ecs:CreateCluster", f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/ok-*"))
    assert session.arn.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/")
    ecs = session.client("ecs")
    ecs.create_cluster(clusterName=unique("ok"))
    response = refused(ecs.create_service, cluster="ok-a", serviceName="web", taskDefinition="td")
    assert response["Error"]["Message"] == (
        f"User: {session.arn} is not authorized to perform: ecs:CreateService on resource: "
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/ok-a/web because no identity-based policy allows the "
        "ecs:CreateService action"
    )


def test_wildcard_arns_match_log_groups_by_prefix(iam_sandbox):
    logs = iam_sandbox.user(allow("logs:CreateLogGroup", f"{LOGS_ARN}:team-*")).client("logs")
    logs.create_log_group(logGroupName=unique("team"))
    assert refused(logs.create_log_group, logGroupName=unique("other"))["Error"]["Code"] == "AccessDeniedException"


def test_explicit_deny_wins_over_an_allow(iam_sandbox):
    policy = allow("logs:*")
    policy["Statement"].append({"Effect": "Deny", "Action": "logs:CreateLogGroup", "Resource": f"{LOGS_ARN}:prod-*"})
    logs = iam_sandbox.user(policy).client("logs")
    logs.create_log_group(logGroupName=unique("dev"))
    message = refused(logs.create_log_group, logGroupName=unique("prod"))["Error"]["Message"]
    assert message.endswith("with an explicit deny in an identity-based policy")


def test_permissions_boundary_limits_what_the_role_policy_allows(iam_sandbox):
    iam = iam_sandbox.root("iam")
    boundary = iam.create_policy(PolicyName=unique("boundary"), PolicyDocument=json.dumps(allow("logs:*")))
    session = iam_sandbox.role_session(allow(["logs:*", "ecr:*"]), boundary=boundary["Policy"]["Arn"])
    session.client("logs").create_log_group(logGroupName=unique("in-boundary"))
    message = refused(session.client("ecr").create_repository, repositoryName=unique("r"))["Error"]["Message"]
    assert message.endswith("because no permissions boundary allows the ecr:CreateRepository action")


def test_aws_managed_read_only_access_attaches_and_reads_but_does_not_write(iam_sandbox):
    session = iam_sandbox.role_session(managed=["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    session.client("ecr").describe_repositories()
    assert refused(session.client("ecr").create_repository, repositoryName=unique("r"))["Error"]["Code"] == (
        "AccessDeniedException"
    )


def test_an_action_the_sandbox_cannot_map_to_a_resource_is_refused_naming_it(iam_sandbox):
    # sns:Publish acts on a topic; a publish to a phone number names none the sandbox could check.
    sns = iam_sandbox.user(allow("sns:*")).client("sns")
    message = refused(sns.publish, PhoneNumber="+15555550100", Message="hi")["Error"]["Message"]
    assert "sns:Publish" in message and "cannot map" in message
