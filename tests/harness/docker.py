"""A stand-in for the `docker` CLI of a hosted runner: this machine has the docker client but no engine, so nothing
here can build or run a container. Only what deploy.yml's publish job does is answered, each command checked the way
docker would check it; anything else exits 1 naming the command, so a workflow change cannot pass unnoticed.

  build ... --tag NAME CONTEXT         CONTEXT must hold a Dockerfile; NAME now names a local image
  login --username AWS --password-stdin HOST
                                       the password must be an ECR authorization token of HOST's registry
                                       (GetAuthorizationToken with the job's credentials); HOST is then logged in
  tag SOURCE TARGET                    TARGET names the same local image
  push REGISTRY/REPO:TAG               needs a login to REGISTRY; pushes a placeholder image under TAG with the job's
                                       AWS credentials through ECR's layer and image API (what docker's registry
                                       calls authorise as: ecr:InitiateLayerUpload ... ecr:PutImage)
  logout HOST
  image inspect --format '{{join .RepoDigests "\n"}}' REF

State lives in $RUNNER_TEMP/docker-standin.json (one job's "engine"). Run as `python docker.py ARGS...` (the
harness writes a `docker` wrapper onto the job's PATH).
"""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO_DIGESTS_FORMAT = '{{join .RepoDigests "\\n"}}'


class Refused(Exception):
    pass


def _state_file() -> Path:
    return Path(os.environ["RUNNER_TEMP"]) / "docker-standin.json"


def _load() -> dict[str, Any]:
    path = _state_file()
    return json.loads(path.read_text()) if path.is_file() else {"images": {}, "logins": []}


def _save(state: dict[str, Any]) -> None:
    _state_file().write_text(json.dumps(state))


def _ecr(region: str) -> Any:
    import boto3

    return boto3.client("ecr", region_name=region)


def _split(reference: str) -> tuple[str, str, str]:
    """REGISTRY/REPO:TAG -> (registry host, repository, tag)."""
    name, _, tag = reference.rpartition(":")
    if "/" not in name or not tag or "/" in tag:
        raise Refused(f"invalid reference format: {reference!r} (expected REGISTRY/REPOSITORY:TAG)")
    host, _, repository = name.partition("/")
    return host, repository, tag


def _region_of(host: str) -> str:
    parts = host.split(".")
    if len(parts) < 6 or parts[1:3] != ["dkr", "ecr"]:
        raise Refused(f"{host} is not an ECR registry host")
    return parts[3]


def build(args: list[str], state: dict[str, Any]) -> str:
    tag = args[args.index("--tag") + 1] if "--tag" in args else None
    context = Path(args[-1])
    if tag is None or not (context / "Dockerfile").is_file():
        raise Refused(f"build needs --tag and a context with a Dockerfile, got {args}")
    state["images"][tag] = {"context": str(context.resolve()), "repo_digests": []}
    return f"naming to {tag} done"


def login(args: list[str], state: dict[str, Any]) -> str:
    if args[:3] != ["--username", "AWS", "--password-stdin"] or len(args) != 4:
        raise Refused(f"login: expected --username AWS --password-stdin HOST, got {args}")
    host = args[3]
    password = sys.stdin.read().strip()
    account = host.split(".")[0]
    data = _ecr(_region_of(host)).get_authorization_token(registryIds=[account])["authorizationData"][0]
    expected = base64.b64decode(data["authorizationToken"]).decode().partition(":")[2]
    if password != expected:
        raise Refused(f"login to {host}: unauthorized: incorrect username or password")
    state["logins"] = sorted({*state["logins"], host})
    return "Login Succeeded"


def tag(args: list[str], state: dict[str, Any]) -> str:
    source, target = args
    if source not in state["images"]:
        raise Refused(f"No such image: {source}")
    state["images"][target] = dict(state["images"][source])
    return ""


def push(args: list[str], state: dict[str, Any]) -> str:
    from platform_cli.sandbox.images import push_placeholder_image

    (reference,) = args
    host, repository, image_tag = _split(reference)
    if reference not in state["images"]:
        raise Refused(f"An image does not exist locally with the tag: {reference}")
    if host not in state["logins"]:
        raise Refused(f"push {reference}: no basic auth credentials (docker login {host} first)")
    digest = push_placeholder_image(repository, image_tag, ecr_client=_ecr(_region_of(host)))
    for image in state["images"].values():
        if image["context"] == state["images"][reference]["context"]:
            image["repo_digests"] = sorted({*image["repo_digests"], f"{host}/{repository}@{digest}"})
    return f"{image_tag}: digest: {digest}"


def logout(args: list[str], state: dict[str, Any]) -> str:
    (host,) = args
    state["logins"] = [h for h in state["logins"] if h != host]
    return f"Removing login credentials for {host}"


def image(args: list[str], state: dict[str, Any]) -> str:
    if args[:3] != ["inspect", "--format", REPO_DIGESTS_FORMAT] or len(args) != 4:
        raise Refused(f"image: only `inspect --format {REPO_DIGESTS_FORMAT!r} REF` is answered here, got {args}")
    if args[3] not in state["images"]:
        raise Refused(f"No such image: {args[3]}")
    return "\n".join(state["images"][args[3]]["repo_digests"])


def install(directory: Path) -> Path:
    """Write a `docker` command into `directory` that runs this stand-in with this interpreter; put it on PATH."""
    directory.mkdir(parents=True, exist_ok=True)
    wrapper = directory / "docker"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).resolve()}" "$@"\n')
    wrapper.chmod(0o755)
    return directory


COMMANDS = {"build": build, "login": login, "tag": tag, "push": push, "logout": logout, "image": image}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(
            f"docker stand-in: `docker {' '.join(argv)}` is not answered here (tests/harness/docker.py)",
            file=sys.stderr,
        )
        return 1
    state = _load()
    try:
        out = COMMANDS[argv[0]](argv[1:], state)
    except Refused as refused:
        print(f"Error response from daemon: {refused}", file=sys.stderr)
        return 1
    _save(state)
    if out:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
