"""`platformctl sandbox ...`: run the local AWS sandbox (moto + App Runner emulator) in the background."""

from __future__ import annotations

import json
import shlex

import click

from platform_cli.core.errors import PlatformError

from ._common import AppContext, json_option, pass_app
from ._context import SANDBOX_PORT_ENVVAR, SandboxUnavailable, sandbox_errors

EXIT_NOT_RUNNING = 3


def _running(app: AppContext):
    from platform_cli.sandbox import manager

    info = manager.status(app.paths.sandbox_dir)
    if info is None:
        raise SandboxUnavailable("no sandbox is running", hint="start one with `platformctl sandbox start`")
    return info


@click.group("sandbox")
def sandbox() -> None:
    """The local AWS sandbox: every AWS API the kit uses, on 127.0.0.1, no account needed."""


@sandbox.command("start")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    envvar=SANDBOX_PORT_ENVVAR,
    help="Loopback port to listen on (default 4566 when free, else any free port).",
)
@click.option(
    "--enforce-iam",
    "enforce_iam",
    is_flag=False,
    flag_value="hard",
    default=None,
    type=click.Choice(["hard", "soft", "off"]),
    help="Hold every caller but the account's root to its IAM policies as AWS does; =soft allows but logs what "
    "it would refuse (default: PLATFORMCTL_SANDBOX_ENFORCE_IAM, else off).",
)
@click.option(
    "--faults",
    "faults",
    metavar="RATE",
    default=None,
    help="Answer this share of AWS calls (0 to 0.5, e.g. 0.05) with AWS's throttling and 5xx errors, some after the "
    "write was stored, to try retries (default: PLATFORMCTL_SANDBOX_FAULTS, else none).",
)
@pass_app
def start(app: AppContext, port: int | None, enforce_iam: str | None, faults: str | None) -> None:
    """Start the sandbox in the background and print its endpoint."""
    from platform_cli.sandbox import manager

    with sandbox_errors():
        info = manager.start(port, state_dir=app.paths.sandbox_dir, enforce_iam=enforce_iam, faults=faults)
    note = (
        ""
        if port is not None or info.port == manager.DEFAULT_PORT
        else f" (port {manager.DEFAULT_PORT} is taken, so it took free port {info.port})"
    )
    app.console.print(f"Sandbox running at {info.endpoint} (pid {info.pid}){note}.", "green")
    if info.enforce_iam != "off":
        app.console.info(f"IAM enforcement: {info.enforce_iam}; decisions in {info.iam_decision_log}")
    if info.faults:
        app.console.info(f"faults: {info.faults:.0%} of AWS calls fail as AWS's do (each one in server.log)")
    app.console.info('Point tools at it with:  eval "$(platformctl sandbox env)"')


@sandbox.command("stop")
@pass_app
def stop(app: AppContext) -> None:
    """Stop the sandbox (its AWS resources and Terraform state go with it). Stopping twice is fine."""
    from platform_cli.sandbox import manager

    stopped = manager.stop(app.paths.sandbox_dir)
    if stopped is None:
        app.console.print("No sandbox is running; nothing to stop.")
    else:
        app.console.print(f"Sandbox at {stopped.endpoint} (pid {stopped.pid}) stopped.")


@sandbox.command("status")
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Say whether the sandbox runs (exit 0) or not (exit 3)."""
    from platform_cli.sandbox import manager

    info = manager.status(app.paths.sandbox_dir)
    if as_json:
        payload = {"running": info is not None, "state_dir": str(app.paths.sandbox_dir)}
        if info:
            payload.update(endpoint=info.endpoint, pid=info.pid, port=info.port, enforce_iam=info.enforce_iam)
        app.console.json(payload)
    elif info:
        app.console.print(f"Sandbox running at {info.endpoint} (pid {info.pid}, state in {info.state_dir}).")
    else:
        app.console.print("No sandbox is running. Start one with `platformctl sandbox start`.")
    if info is None:
        raise click.exceptions.Exit(EXIT_NOT_RUNNING)


@sandbox.command("env")
@click.option(
    "--account",
    default=None,
    metavar="ACCOUNT_ID",
    help="Print the root keys of this account (12 digits; each account is its own world) instead of the default one.",
)
@pass_app
def env(app: AppContext, account: str | None) -> None:
    """Print `export` lines that point AWS tools and Terraform at the running sandbox."""
    from platform_cli.sandbox import accounts

    keys = {}
    if account is not None:
        try:
            keys = accounts.root_credentials(account)
        except ValueError as exc:
            raise click.BadParameter(f"{exc}: give one such as 111111111111", param_hint="--account") from None
    values = {**_running(app).env, **keys}
    for name, value in values.items():
        app.console.print(f"export {name}={shlex.quote(value)}")


@sandbox.command("push-image")
@click.argument("repository")
@click.option("--tag", default="latest", show_default=True, help="Tag to push the placeholder image under.")
@click.option(
    "--region",
    envvar="AWS_REGION",
    help="Region of the repository (default: the region in a registry URL, else the sandbox's).",
)
@pass_app
def push_image(app: AppContext, repository: str, tag: str, region: str | None) -> None:
    """Push a placeholder image into a sandbox ECR REPOSITORY (a name, or a registry URL such as a stack's
    registry_url output, which also names the account it goes to) as `docker push` would, and print its digest."""
    import boto3

    from platform_cli.sandbox.accounts import root_credentials
    from platform_cli.sandbox.images import parse_repository, push_placeholder_image

    info = _running(app)
    name, url_region, url_account = parse_repository(repository)
    # A registry URL names its account: the push goes there, as the account's root (docker push to that registry).
    keys = root_credentials(url_account) if url_account else info.env
    ecr = boto3.client(
        "ecr",
        endpoint_url=info.endpoint,
        region_name=url_region or region or info.env["AWS_REGION"],
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
    )
    try:
        digest = push_placeholder_image(name, tag, ecr_client=ecr)
    except Exception as error:  # botocore ClientError: one line, e.g. RepositoryNotFoundException
        message = getattr(error, "response", {}).get("Error", {}).get("Message") or str(error)
        raise PlatformError(
            f"could not push to repository {repository!r}: {message}", hint="check the name and --region"
        ) from None
    app.console.print(digest)


@sandbox.command("oidc-token")
@click.option("--repo", "repository", required=True, metavar="OWNER/NAME", help="Repository the workflow runs in.")
@click.option("--ref", metavar="REF", help="Git ref of a push/scheduled run: refs/heads/BRANCH or refs/tags/TAG.")
@click.option("--pull-request", type=click.IntRange(min=1), metavar="N", help="Run for pull request N.")
@click.option("--environment", metavar="NAME", help="The job runs in this GitHub environment.")
@click.option("--owner-id", metavar="N", help="Numeric ID of the repository owner (claim repository_owner_id).")
@click.option("--repository-id", metavar="N", help="Numeric ID of the repository (claim repository_id).")
@click.option(
    "--immutable-sub",
    is_flag=True,
    help="The repository sends immutable subjects (repo:OWNER@OWNER_ID/NAME@REPO_ID:...), as repositories created "
    "or renamed after GitHub's cut-over or opted in do; needs --owner-id and --repository-id.",
)
@click.option("--actor", default="octocat", show_default=True, help="GitHub login that triggered the run.")
@click.option("--run-id", metavar="N", help="Workflow run ID (default: derived from the time).")
@click.option("--event", "event_name", help="Triggering event (default: pull_request with --pull-request, else push).")
@click.option("--workflow", default=".github/workflows/deploy.yml", show_default=True, help="Workflow file.")
@click.option("--audience", default="sts.amazonaws.com", show_default=True, help="The token's aud claim.")
@json_option
@pass_app
def oidc_token(app: AppContext, as_json: bool, **options) -> None:
    """Print a token the sandbox signs as GitHub Actions' OIDC issuer would for a job of --repo (the token is the
    last line), for the sandbox's STS AssumeRoleWithWebIdentity; the signing key never leaves the sandbox."""
    from platform_cli.sandbox.oidc.claims import InvalidRun, WorkflowRun
    from platform_cli.sandbox.oidc.client import TokenRequestError, request_token

    options["immutable_subject"] = options.pop("immutable_sub")
    try:
        run = WorkflowRun(**options)
    except InvalidRun as error:
        raise click.UsageError(str(error)) from None
    info = _running(app)
    try:
        minted = request_token(info.endpoint, run)
    except TokenRequestError as error:
        raise PlatformError(f"the sandbox did not issue a token: {error}") from None
    if as_json:
        app.console.json(minted)
        return
    claims = minted["claims"]
    app.console.info(f"sub {claims['sub']}, aud {claims['aud']}, valid for {claims['exp'] - claims['iat']} s")
    app.console.print(minted["token"])


@sandbox.command("iam-report")
@click.argument("principal")
@pass_app
def iam_report(app: AppContext, principal: str) -> None:
    """Print the least-privilege policy for what PRINCIPAL did in the sandbox (with --enforce-iam on): the
    actions and resources it used, allowed or refused. PRINCIPAL is an ARN, a role or a user name."""
    from platform_cli.sandbox.iam import DECISION_LOG
    from platform_cli.sandbox.iam.report import least_privilege_policy, principals_in, read_decisions

    log = app.paths.sandbox_dir / DECISION_LOG
    entries = read_decisions(log)
    if not entries:
        raise PlatformError(
            f"no IAM decisions recorded in {log}",
            hint="start the sandbox with `platformctl sandbox start --enforce-iam=soft` and run the workload first",
        )
    policy = least_privilege_policy(entries, principal)
    if not policy["Statement"]:
        seen = ", ".join(p for p in principals_in(entries) if not p.endswith(":root")) or "none but root"
        raise PlatformError(f"no calls by {principal!r} in {log}", hint=f"principals seen: {seen}")
    app.console.print(json.dumps(policy, indent=2))
