"""Application Auto Scaling: tags on scalable targets (model patches on moto's responses).

moto has no ListTagsForResource / TagResource / UntagResource and ignores RegisterScalableTarget's Tags. An unknown
action is a NotImplementedError, i.e. HTTP 500, which the SDK retries (~25 times with backoff): creating or
refreshing an aws_appautoscaling_target took over 8 minutes and then failed. Here each scalable target keeps its
tags (from the register call and Tag/UntagResource), ListTagsForResource answers with them,
ResourceNotFoundException for an unknown ARN, and DeregisterScalableTarget forgets them.
"""

from __future__ import annotations

import json
from typing import Any

from ..patching import install_once


def _autoscaling_tags(backend: Any) -> dict[str, dict[str, str]]:
    if not hasattr(backend, "_sandbox_tags"):
        backend._sandbox_tags = {}
    return backend._sandbox_tags


def _scalable_target_by_arn(backend: Any, arn: str) -> Any:
    for by_resource in backend.targets.values():
        for target in by_resource.values():
            if target.arn == arn:
                return target
    return None


def _autoscaling_not_found(arn: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError("ResourceNotFoundException", f"No scalable target found for ResourceARN: {arn}")


@install_once
def install() -> None:
    """Patch moto's Application Auto Scaling responses in this process: tags on scalable targets."""
    from moto.applicationautoscaling.responses import (
        ApplicationAutoScalingResponse as Response,
    )

    register, deregister = Response.register_scalable_target, Response.deregister_scalable_target

    def register_scalable_target(self: Any) -> str:
        body = register(self)
        tags = self._get_param("Tags")
        if tags:
            arn = json.loads(body)["ScalableTargetARN"]
            _autoscaling_tags(self.applicationautoscaling_backend).setdefault(arn, {}).update(tags)
        return body

    def deregister_scalable_target(self: Any) -> str:
        backend = self.applicationautoscaling_backend
        dimension, resource = self._get_param("ScalableDimension"), self._get_param("ResourceId")
        target = backend.targets.get(dimension, {}).get(resource)
        body = deregister(self)
        if target is not None:
            _autoscaling_tags(backend).pop(target.arn, None)
        return body

    def _target_arn(self: Any) -> str:
        arn = self._get_param("ResourceARN")
        if _scalable_target_by_arn(self.applicationautoscaling_backend, arn) is None:
            raise _autoscaling_not_found(arn)
        return arn

    def list_tags_for_resource(self: Any) -> str:
        arn = _target_arn(self)
        return json.dumps({"Tags": dict(_autoscaling_tags(self.applicationautoscaling_backend).get(arn, {}))})

    def tag_resource(self: Any) -> str:
        arn = _target_arn(self)
        _autoscaling_tags(self.applicationautoscaling_backend).setdefault(arn, {}).update(self._get_param("Tags") or {})
        return "{}"

    def untag_resource(self: Any) -> str:
        arn = _target_arn(self)
        tags = _autoscaling_tags(self.applicationautoscaling_backend).setdefault(arn, {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return "{}"

    Response.register_scalable_target = register_scalable_target
    Response.deregister_scalable_target = deregister_scalable_target
    Response.list_tags_for_resource = list_tags_for_resource
    Response.tag_resource = tag_resource
    Response.untag_resource = untag_resource
