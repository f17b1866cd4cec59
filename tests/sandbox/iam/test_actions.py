"""From a request to what IAM authorizes (no sandbox needed): the resources of EC2 and Elastic Load Balancing
requests as AWS builds them, and the tags a request sets."""

from __future__ import annotations

import pytest

from platform_cli.sandbox.iam.actions import build_resources, request_tags

EC2 = "arn:aws:ec2:eu-west-1:123456789012"


@pytest.mark.parametrize(
    ("action", "params", "resources"),
    [
        # Optional resource types count only when the request names them (no IPAM pool asked for here).
        ("CreateVpc", {"CidrBlock": "10.0.0.0/16"}, [f"{EC2}:vpc/*"]),
        ("CreateSubnet", {"VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}, [f"{EC2}:subnet/*", f"{EC2}:vpc/vpc-1"]),
        # EC2 ids say what they are, whatever the parameter is called; a group only referenced in a rule is not acted on.
        (
            "AuthorizeSecurityGroupIngress",
            {"GroupId": "sg-1", "IpPermissions.1.Groups.1.GroupId": "sg-2"},
            [f"{EC2}:security-group/sg-1"],
        ),
        ("CreateTags", {"ResourceId": ["vpc-1", "sg-2"]}, [f"{EC2}:security-group/sg-2", f"{EC2}:vpc/vpc-1"]),
        ("CreateRoute", {"RouteTableId": "rtb-1", "GatewayId": "igw-1"}, [f"{EC2}:route-table/rtb-1"]),
        (
            "AssociateRouteTable",
            {"RouteTableId": "rtb-1", "SubnetId": "subnet-1"},
            [f"{EC2}:route-table/rtb-1", f"{EC2}:subnet/subnet-1"],
        ),
    ],
)
def test_ec2_requests_are_authorized_on_the_resources_they_name(action, params, resources):
    built, why = build_resources("ec2", action, params, "eu-west-1", "123456789012")
    assert why is None and sorted(built) == sorted(resources)


def test_a_load_balancer_is_created_under_its_name_and_type():
    elb = "arn:aws:elasticloadbalancing:eu-west-1:1"
    assert build_resources("elasticloadbalancing", "CreateLoadBalancer", {"Name": "p-e"}, "eu-west-1", "1") == (
        [f"{elb}:loadbalancer/app/p-e/*"],
        None,
    )
    network = build_resources(
        "elasticloadbalancing", "CreateLoadBalancer", {"Name": "n", "Type": "network"}, "eu-west-1", "1"
    )
    assert network == ([f"{elb}:loadbalancer/net/n/*"], None)
    assert build_resources("elasticloadbalancing", "CreateTargetGroup", {"Name": "p-e"}, "eu-west-1", "1") == (
        [f"{elb}:targetgroup/p-e/*"],
        None,
    )


def test_a_request_naming_no_required_resource_is_unmappable_not_allowed():
    built, why = build_resources("ec2", "AuthorizeSecurityGroupIngress", {"IpProtocol": "tcp"}, "eu-west-1", "1")
    assert built == [] and "security-group" in why


def test_ec2_create_tags_sets_request_tags():
    query = {"Action": ["CreateTags"], "ResourceId.1": ["sg-1"], "Tag.1.Key": ["environment"], "Tag.1.Value": ["prod"]}
    assert request_tags({}, query) == {"environment": "prod"}
