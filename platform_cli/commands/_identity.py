"""Who is running this command: the AWS caller in a terminal, the environment's reviewer in GitHub Actions."""

from __future__ import annotations

import os

from platform_cli.core.deploy import identity
from platform_cli.core.errors import Refused
from platform_cli.core.promotion import Requester
from platform_cli.core.stack import EnvStack


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def requester(stack: EnvStack) -> Requester:
    """The AWS caller; in GitHub Actions also the login in the job's verified OIDC token (never GITHUB_ACTOR)."""
    me = identity(stack)
    if not in_github_actions():
        return me
    from platform_cli.github.oidc import proven_login

    return Requester(aws=me.aws, github=proven_login())


def approver(stack: EnvStack) -> Requester:
    """In GitHub Actions: the reviewer who approved this run's protected environment (read from the run's approvals
    API; GitHub's environment protection is the gate, platformctl records who passed it). Elsewhere: the AWS caller."""
    me = identity(stack)
    if not in_github_actions():
        return me
    from platform_cli.github.client import GitHubClient

    run_id = os.environ.get("GITHUB_RUN_ID", "")
    if not run_id.isdigit():
        raise Refused(
            "GITHUB_RUN_ID is not set: cannot find who approved this run",
            hint="run `platformctl approve` in the workflow job that deploys to the protected environment",
        )
    environment = stack.settings.github_environment
    approvers = GitHubClient.from_environ(need_pr=False).run_approvers(int(run_id), environment)
    if not approvers:
        raise Refused(
            f"workflow run {run_id} has no approval for the GitHub environment {environment!r}",
            hint=f"give the {environment!r} environment required reviewers; a reviewer approves the run",
        )
    return Requester(aws=me.aws, github=approvers[-1])
