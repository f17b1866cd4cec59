"""`platformctl sandbox ...`: run the local AWS sandbox (moto + App Runner emulator) in the background."""

from __future__ import annotations

import json
import shlex
import sys

import click

from platform_cli.sandbox import manager

EXIT_NOT_RUNNING = 3


def _fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error))


@click.group("sandbox")
def sandbox() -> None:
    """The local AWS sandbox: every AWS API the kit uses, on 127.0.0.1, no account needed."""


@sandbox.command("start")
@click.option("--port", type=click.IntRange(1, 65535), default=None, envvar="PLATFORMCTL_SANDBOX_PORT",
              help=f"Loopback port to listen on (default {manager.DEFAULT_PORT}).")
def start(port: int | None) -> None:
    """Start the sandbox in the background and print its endpoint."""
    try:
        info = manager.start(port)
    except manager.SandboxError as error:
        raise _fail(error) from error
    click.echo(f"Sandbox running at {info.endpoint} (pid {info.pid}).")
    click.echo("Point tools at it with:  eval \"$(platformctl sandbox env)\"")


@sandbox.command("stop")
def stop() -> None:
    """Stop the sandbox (its AWS resources and Terraform state go with it). Stopping twice is fine."""
    stopped = manager.stop()
    if stopped is None:
        click.echo("No sandbox is running; nothing to stop.")
    else:
        click.echo(f"Sandbox at {stopped.endpoint} (pid {stopped.pid}) stopped.")


@sandbox.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(as_json: bool) -> None:
    """Say whether the sandbox runs (exit 0) or not (exit 3)."""
    info = manager.status()
    if as_json:
        payload = {"running": info is not None}
        if info:
            payload.update(endpoint=info.endpoint, pid=info.pid, port=info.port, state_dir=info.state_dir)
        click.echo(json.dumps(payload))
    elif info:
        click.echo(f"Sandbox running at {info.endpoint} (pid {info.pid}, state in {info.state_dir}).")
    else:
        click.echo("No sandbox is running. Start one with `platformctl sandbox start`.")
    if info is None:
        sys.exit(EXIT_NOT_RUNNING)


@sandbox.command("env")
def env() -> None:
    """Print `export` lines that point AWS tools and Terraform at the running sandbox."""
    info = manager.status()
    if info is None:
        raise click.ClickException("No sandbox is running; start one with `platformctl sandbox start`.")
    for name, value in info.env.items():
        click.echo(f"export {name}={shlex.quote(value)}")


@sandbox.command("push-image")
@click.argument("repository")
@click.option("--tag", default="latest", show_default=True, help="Tag to push the placeholder image under.")
@click.option("--region", envvar="AWS_REGION",
              help="Region of the repository (default: the region in a registry URL, else the sandbox's).")
def push_image(repository: str, tag: str, region: str | None) -> None:
    """Push a placeholder image into a sandbox ECR REPOSITORY (a name, or a registry URL such as a stack's
    registry_url output) as `docker push` would, and print its digest."""
    import boto3

    from platform_cli.sandbox.images import parse_repository, push_placeholder_image

    info = manager.status()
    if info is None:
        raise click.ClickException("No sandbox is running; start one with `platformctl sandbox start`.")
    name, url_region = parse_repository(repository)
    ecr = boto3.client("ecr", endpoint_url=info.endpoint, region_name=url_region or region or info.env["AWS_REGION"],
                       aws_access_key_id=info.env["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=info.env["AWS_SECRET_ACCESS_KEY"])
    try:
        digest = push_placeholder_image(name, tag, ecr_client=ecr)
    except Exception as error:  # botocore ClientError: one line, e.g. RepositoryNotFoundException
        message = getattr(error, "response", {}).get("Error", {}).get("Message") or str(error)
        raise click.ClickException(f"Could not push to repository {repository!r}: {message} "
                                   f"(check the name and --region)") from error
    click.echo(digest)
