"""Is an image in the sandbox's own ECR? The one check App Runner's and ECS's image pulls share."""

from __future__ import annotations

import re

ECR_IMAGE_RE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
    r"(?P<repository>[a-z0-9._/-]+?)(?::(?P<tag>[\w.+=:/@-]+?))?(?:@(?P<digest>[\w:]+))?$"
)


def image_exists(image_identifier: str) -> bool:
    """Whether an ECR image (by tag or digest, no tag meaning `latest`) is in the sandbox's ECR, in the account
    and region its registry host names, as a pull would find it."""
    match = ECR_IMAGE_RE.match(image_identifier)
    if not match:
        return False
    from moto.ecr.models import ecr_backends

    try:
        repository = ecr_backends[match["account"]][match["region"]].repositories.get(match["repository"])
    except KeyError:
        return False
    if repository is None:
        return False
    tag, digest = match["tag"], match["digest"]
    if not tag and not digest:
        tag = "latest"
    return any(
        (not tag or tag in image.image_tags) and (not digest or digest == image.get_image_digest())
        for image in repository.images
    )
