"""plan.yml run from its own YAML against the sandbox and a fake GitHub: envs -> plan (staging) -> comment.

The repository is this one (its tracked files), with staging's env.yaml and backend.hcl pointed at the sandbox:
the account the sandbox answers for and a state bucket made there. AWS credentials come only from the plan job's
configure-aws-credentials step: a token for the pull request's OIDC subject (the sandbox issuer when it exists,
else an unsigned token moto accepts) exchanged for the plan role; when the sandbox refuses the role, the run's
explicit root_fallback is used and the step notes it.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from fakes.fake_github import REPOSITORY, TOKEN
from moto.core import DEFAULT_ACCOUNT_ID
from support.deployment import copy_tracked_files

from harness import Event, WorkflowRun, first_available, sandbox_issuer, unsigned

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
PR = 7


def copy_repository(root: Path, bucket: str, key: str) -> None:
    """This repository's tracked files (as the working tree has them), staging aimed at the sandbox, committed."""
    copy_tracked_files(root)
    staging = root / "envs" / "staging"
    policy = (staging / "env.yaml").read_text()
    (staging / "env.yaml").write_text(
        policy.replace('account_id: "111111111111"', f'account_id: "{DEFAULT_ACCOUNT_ID}"')
    )
    (staging / "backend.hcl").write_text(
        f'bucket = "{bucket}"\nkey = "{key}"\nregion = "{REGION}"\nencrypt = true\nuse_lockfile = true\n'
        "use_path_style = true\n"
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "pr"], check=True
    )


def test_plan_workflow_plans_staging_and_comments_on_the_pull_request(sandbox, fake_github, tmp_path):
    from platform_cli.core import tfconfig
    from platform_cli.core.paths import Paths

    bucket, key = f"harness-{uuid.uuid4().hex[:8]}", "platform/staging.tfstate"
    sandbox.client("s3", REGION).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    repo = tmp_path / "repo"
    copy_repository(repo, bucket, key)
    fake_github.add_pull_request(PR)

    runner_env = {  # the machine's "cloud": the sandbox's endpoint and the offline provider mirror; no AWS keys
        "AWS_ENDPOINT_URL": sandbox.endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_COLOR": "1",
        **tfconfig.resolve(Paths.discover(REPO)).env(),
    }
    issuer_env = {**runner_env, "PLATFORMCTL_SANDBOX_DIR": sandbox.info.state_dir, "PATH": "/usr/bin:/bin"}
    role = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/platform-plan"
    run = WorkflowRun(
        repo / ".github" / "workflows" / "plan.yml",
        repo,
        Event.pull_request(PR, REPOSITORY),
        tmp_path / "run",
        repository=REPOSITORY,
        vars={f"PLAN_ROLE_ARN_{DEFAULT_ACCOUNT_ID}": role},
        token=TOKEN,
        api_url=fake_github.base_url,
        runner_env=runner_env,
        token_source=first_available(sandbox_issuer(Path(sys.prefix) / "bin" / "platformctl", issuer_env), unsigned),
        root_fallback={k: sandbox.env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")},
    )

    envs = run.job("envs").expect("success")
    staging = next(leg for leg in run.matrix_legs("plan") if leg["env"] == "staging")
    assert staging == {"env": "staging", "account_id": DEFAULT_ACCOUNT_ID, "region": REGION, "plan_role_arn": role}
    assert int(envs.outputs["count"]) == len(run.matrix_legs("plan"))

    plan = run.job("plan", matrix={"env": "staging"}).expect("success")
    credentials = plan.step("AWS credentials (read-only plan role, via OIDC)")
    assert credentials.outputs["aws-account-id"] == DEFAULT_ACCOUNT_ID
    assert plan.step("plan").outputs == {"changes": "true"}
    saved = run.artifacts_dir / "plan-staging"
    assert sorted(p.name for p in saved.iterdir()) == [
        "plan-record.json",
        "plan-scan.json",
        "plan.json",
        "plan.json.source",
        "plan.tfplan",
    ]

    comment = run.job("comment", matrix={"env": "staging"})
    assert comment.step("download").outcome == "success"
    assert comment.step("platformctl comment").outcome == "success", comment.log
    posted = fake_github.comments_on(PR)
    assert len(posted) == 1 and "staging" in posted[0]["body"]
    assert f"{run.server_url}/{REPOSITORY}/actions/runs/{run.run_id}#artifacts" in posted[0]["body"]
    # The plan's scan, made once at plan time, honours the stack's reasoned checkov:skip comments (the harness
    # found it did not: every pull request's comment listed them as failures).
    assert ":white_check_mark:" in posted[0]["body"] and " 0 failed, " in posted[0]["body"], posted[0]["body"]
    comment.expect("success")
