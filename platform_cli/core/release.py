"""A release: what an environment runs. The image by digest (or, deployed outside platformctl, by tag) and, where
the service reads a model from the artifact store, that artifact's exact S3 version (key, version id, sha256).

The environment's state is the one source of truth for what it runs (the stack's service_image and
model_artifact outputs); plan records carry the release they would deploy (their variables). This module is also
the one parser of an image reference (ImageRef): the stack's variable, its output, App Runner's ImageIdentifier and
an ECS container image are all read here. Registry reads and copies live in core.registry_copy, model reads and
copies in core.artifact_copy.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .errors import Refused

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")  # Docker's tag grammar; the stack variable's too
REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(:[0-9]+)?(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")  # [HOST[:PORT]/]PATH
MODEL_SPEC = re.compile(r"^(?P<key>[^@]+)@(?P<version>[A-Za-z0-9._+=-]+)$")
IMAGE_HINT = "give a digest sha256:<64 hex>, a tag, or REGISTRY/REPOSITORY:TAG / REGISTRY/REPOSITORY@sha256:<64 hex>"


@dataclass(frozen=True)
class ImageRef:
    """One image reference: `[REGISTRY/REPOSITORY][:TAG][@sha256:DIGEST]`.

    The stack's service_image variable is a bare tag or digest; its output, App Runner's ImageIdentifier and an ECS
    container's image are full references. A bare word is a tag (never a repository): that is the only bare form
    the stack takes. The tag is what follows the last ':' after the last '/', so a registry port is not a tag."""

    repository: str | None  # REGISTRY/REPOSITORY (the host may carry a port); None for a bare tag or digest
    tag: str | None
    digest: str | None  # sha256:<64 hex>

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        """Read any spelling of an image reference; refuse (one line) anything that is not one."""

        def refuse(why: str) -> Refused:
            return Refused(f"image {text!r} is not an image reference: {why}", hint=IMAGE_HINT)

        if not isinstance(text, str) or not text:
            raise refuse("it is empty")
        name, at, digest = text.partition("@")
        if at and not DIGEST.match(digest):
            raise refuse("what follows '@' is not a digest sha256:<64 lowercase hex>")
        if not at and DIGEST.match(text):
            return cls(repository=None, tag=None, digest=text)
        if not name:
            raise refuse("it names no repository before '@'")
        head, slash, last = name.rpartition("/")
        last, colon, tag = last.partition(":")
        if not slash and not colon and not at:  # a bare word: the stack variable's tag
            last, tag, colon = "", last, ":"
        if not slash and last == "sha256":
            raise refuse("a digest is sha256:<64 lowercase hex>")
        if colon and not TAG.match(tag):
            raise refuse(f"tag {tag!r} is not 1-128 letters, digits, '_', '.', '-' (not starting with '.' or '-')")
        repository = head + slash + last or None
        if repository is not None and not REPOSITORY.match(repository):
            raise refuse(f"repository {repository!r} is malformed")
        if repository is not None and not colon and not at:
            raise refuse("it names no tag or digest")
        return cls(repository=repository, tag=tag if colon else None, digest=digest if at else None)

    @property
    def pinned(self) -> str:
        """What names the image inside its repository: the digest when known, else the tag (the stack variable's
        value, and a release's canonical image)."""
        pinned = self.digest or self.tag
        assert pinned is not None  # parse() refuses a reference with neither
        return pinned

    def same_image(self, expected: ImageRef) -> bool:
        """True when this (what runs) is the image `expected` names: the same digest or tag, from the same
        repository when `expected` names one."""
        if expected.repository is not None and expected.repository != self.repository:
            return False
        return self.pinned == expected.pinned

    def __str__(self) -> str:
        text = self.repository or ""
        if self.tag:
            text += f":{self.tag}" if text else self.tag
        if self.digest:
            text += f"@{self.digest}" if text else self.digest
        return text


def canonical_image(image: str) -> str:
    """Any spelling of an image reference as the one form a release carries (ImageRef.pinned)."""
    return ImageRef.parse(image).pinned


@dataclass(frozen=True)
class Release:
    """An image (canonical: ImageRef.pinned, whatever spelling it was given in) and an optional model version."""

    image: str | None  # sha256:<64 hex>, or a bare tag for an image deployed by tag outside platformctl
    model: dict[str, str] | None = None  # {"key", "version_id", "sha256"}

    def __post_init__(self) -> None:
        # Normalised once here, so every Release -- from a plan's variables, the state's outputs or a log entry --
        # carries the same image string for the same reference, and with it the same id.
        object.__setattr__(self, "image", canonical_image(self.image) if self.image else None)

    @property
    def id(self) -> str:
        """Short, stable name of this exact release: the first 12 hex of the sha256 of {image, model} as JSON.

        The image is canonical (ImageRef.pinned): the digest when the reference carries one, else the bare tag.
        So every spelling of one reference gives one id -- `REGISTRY/REPO:TAG` (the stack's output) and `TAG` (its
        variable); `REGISTRY/REPO@sha256:D`, `REGISTRY/REPO:TAG@sha256:D` and `sha256:D` -- and the id `verify`
        records is the one `promote` and `rollback` look up.

        The id is digest-based once the tag is resolved: `plan --image TAG` plans the digest the registry holds,
        and promote copies by digest, so what platformctl plans always has a digest-based id. A tag deployed
        outside platformctl (`-var service_image=TAG`) keeps a tag-based id: the id is computed from the state and
        the audit log alone, never from a registry call that could fail or answer differently later (this stack's
        tags are immutable, so a tag names one image). A digest's id is the same as before image references were
        canonicalised, so audit logs written earlier still match."""
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()[:12]

    @property
    def by_digest(self) -> bool:
        return self.image is not None and DIGEST.match(self.image) is not None

    def as_dict(self) -> dict[str, Any]:
        return {"image": self.image, "model": self.model}

    def variables(self) -> dict[str, Any]:
        """The stack variables that deploy this release."""
        out: dict[str, Any] = {}
        if self.image:
            out["service_image"] = self.image
        if self.model:
            out["model_artifact"] = dict(self.model)
        return out

    def describe(self) -> str:
        model = f", model {self.model['key']}@{self.model['version_id']}" if self.model else ""
        return f"release {self.id} (image {self.image[:19] if self.image else 'none'}{model})"

    @classmethod
    def from_variables(cls, variables: dict[str, Any]) -> Release:
        return cls(image=variables.get("service_image"), model=variables.get("model_artifact") or None)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Release:
        return cls(image=data.get("image"), model=data.get("model") or None)

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any]) -> Release:
        """From the stack's outputs (service_image is REGISTRY@sha256:... or REGISTRY:TAG)."""
        image = outputs.get("service_image")
        model = outputs.get("model_artifact") or None
        if model:
            model = {k: model[k] for k in ("key", "version_id", "sha256")}
        return cls(image=image if isinstance(image, str) and image else None, model=model)


def parse_model_spec(spec: str) -> tuple[str, str]:
    """KEY@VERSION_ID as given to `plan --model`."""
    match = MODEL_SPEC.match(spec)
    if not match:
        raise Refused(
            f"--model {spec!r} is not KEY@VERSION_ID",
            hint="give the artifact's key in the artifact store and its S3 version id, e.g. "
            "models/churn.json@3HL4kqtJlcpXroDTDmJ",
        )
    return match["key"], match["version"]
