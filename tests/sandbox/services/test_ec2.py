"""EC2 security-group rules answer as AWS does (platform_cli/sandbox/services/ec2.py)."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from .fargate import REGION


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
