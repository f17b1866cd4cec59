"""A workflow file run from its YAML (tests/harness) against an enforcing sandbox with bootstrap applied: every AWS
credential comes from the job's configure-aws-credentials step (a token from the sandbox's issuer for the job's
subject, exchanged at its STS; no fallback), GitHub is the fake GitHub server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from fakes.fake_github import OIDC_REQUEST_TOKEN, REPOSITORY, TOKEN
from harness import Event, JobResult, WorkflowRun, sandbox_issuer

from platform_cli.core import tfconfig
from platform_cli.core.paths import Paths

REPO = Path(__file__).resolve().parents[2]


def run_workflow(
    account: Any, fake_github: Any, workflow: str, event: Event, base: Path, **options: Any
) -> WorkflowRun:
    runner_env = {  # the machine's "cloud": the enforcing sandbox's endpoint and the offline provider mirror
        "AWS_ENDPOINT_URL": account.info.endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_COLOR": "1",
        # GitHub's OIDC keys, for platformctl's check of the login in a job's own token (github/oidc.py)
        "PLATFORMCTL_GITHUB_OIDC_JWKS_URL": f"{fake_github.base_url}/_oidc/jwks",
        **tfconfig.resolve(Paths.discover(REPO)).env(),
    }
    issuer_env = {**runner_env, "PLATFORMCTL_SANDBOX_DIR": account.info.state_dir, "PATH": "/usr/bin:/bin"}
    return WorkflowRun(
        account.root / ".github" / "workflows" / workflow,
        account.root,
        event,
        base,
        repository=REPOSITORY,
        vars={**account.plan_role_vars(), **options.pop("vars", {})},
        token=TOKEN,
        api_url=fake_github.base_url,
        runner_env=runner_env,
        token_source=sandbox_issuer(Path(sys.prefix) / "bin" / "platformctl", issuer_env),
        # A job's own OIDC token (the login platformctl records) from the fake GitHub's token service.
        id_token_request=(f"{fake_github.base_url}/_oidc/token?actor={event.actor}&run_id=4242", OIDC_REQUEST_TOKEN),
        **options,
    )


def assumed(job: JobResult) -> str:
    """The account the job's credentials step assumed its role in (the role itself: no fallback)."""
    step = next(s for s in job.steps if s.label.startswith("AWS credentials"))
    assert step.outcome == "success" and not step.notes, job.log  # the role itself, no fallback
    return step.outputs["aws-account-id"]
