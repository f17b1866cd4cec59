"""Application Auto Scaling keeps scalable targets' tags (platform_cli/sandbox/services/applicationautoscaling.py)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .fargate import REGION, create_service


def test_scalable_target_tags_round_trip(sandbox, world):
    """moto answered ListTagsForResource with HTTP 500; the SDK retried ~25 times (8+ minutes per target)."""
    _, name, _ = create_service(sandbox, world, f"{world['uri']}:build-1", desired=1)
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
