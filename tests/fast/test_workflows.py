"""The GitHub Actions workflows keep their security shape: triggers, least permissions, pinned actions,
concurrency, short-lived plan artifacts, and infrastructure touched only through platformctl.

Reads .github/workflows/*.yml with PyYAML only: no network, no subprocess.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS_DIR = Path(__file__).resolve().parents[2] / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS_DIR.glob("*.y*ml"))
INFRA_PATHS = {"infra/**", "modules/**", "envs/**"}
SHA_PIN = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
# `uses: owner/action@<sha>  # v1.2.3`: the comment names the release the SHA belongs to.
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+)*\b")
CONFIGURE_AWS = "aws-actions/configure-aws-credentials@"
UPLOAD_ARTIFACT = "actions/upload-artifact@"
CHECKOUT = "actions/checkout@"
# A command word `terraform` (not setup-terraform, terraform_version, a path such as modules/terraform...).
RAW_TERRAFORM = re.compile(r"(?:^|[\s;&|(`$])terraform(?=\s|$)", re.MULTILINE)


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def _on(workflow: dict[str, Any]) -> dict[str, Any]:
    """The `on:` block (YAML 1.1 reads a bare `on` key as boolean True), normalised to a mapping."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {event: None for event in on}
    return on or {}


def _jobs(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return workflow.get("jobs") or {}


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps") or []


def _uses(step: dict[str, Any]) -> str:
    return step.get("uses") or ""


def _run(step: dict[str, Any]) -> str:
    return step.get("run") or ""


def _write_scopes(permissions: Any) -> set[str]:
    if permissions in (None, {}, "read-all"):
        return set()
    assert permissions != "write-all", "write-all is never least privilege"
    assert isinstance(permissions, dict), f"unexpected permissions value {permissions!r}"
    return {scope for scope, level in permissions.items() if level == "write"}


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict[str, Any]]:
    return {path.name: _load(path) for path in WORKFLOW_FILES}


def test_the_three_workflows_exist() -> None:
    assert {"ci.yml", "plan.yml", "drift.yml"} <= {p.name for p in WORKFLOW_FILES}


# ---------------------------------------------------------------------------------------------------------------
# Triggers
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_workflow_runs_untrusted_code_with_secrets(path: Path) -> None:
    on = _on(_load(path))
    assert "pull_request_target" not in on, "pull_request_target runs PR code with the base repository's secrets"
    assert "workflow_run" not in on


def test_ci_runs_on_pull_requests_and_pushes_to_main(workflows: dict[str, dict[str, Any]]) -> None:
    on = _on(workflows["ci.yml"])
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    commands = [_run(s) for job in _jobs(workflows["ci.yml"]).values() for s in _steps(job)]
    assert "make test-fast" in commands and "make test" in commands


def test_plan_runs_on_pull_requests_touching_infrastructure(workflows: dict[str, dict[str, Any]]) -> None:
    on = _on(workflows["plan.yml"])
    assert set(on) == {"pull_request"}
    assert set(on["pull_request"]["paths"]) == INFRA_PATHS


def test_drift_is_scheduled_and_manual(workflows: dict[str, dict[str, Any]]) -> None:
    on = _on(workflows["drift.yml"])
    assert set(on) == {"schedule", "workflow_dispatch"}
    assert on["schedule"] and all(entry.get("cron") for entry in on["schedule"])


# ---------------------------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_top_level_permissions_grant_nothing_to_write(path: Path) -> None:
    workflow = _load(path)
    assert "permissions" in workflow, "set top-level permissions: {} and grant per job"
    assert _write_scopes(workflow["permissions"]) == set()


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_job_declares_its_own_permissions(path: Path) -> None:
    for name, job in _jobs(_load(path)).items():
        assert "permissions" in job, f"job {name} inherits permissions instead of declaring them"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_id_token_only_where_aws_credentials_are_configured(path: Path) -> None:
    for name, job in _jobs(_load(path)).items():
        configures_aws = any(_uses(s).startswith(CONFIGURE_AWS) for s in _steps(job))
        has_id_token = "id-token" in _write_scopes(job.get("permissions"))
        assert has_id_token == configures_aws, f"job {name}: id-token: write iff it configures AWS credentials"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_pull_request_and_issue_writes_only_where_platformctl_posts(path: Path) -> None:
    for name, job in _jobs(_load(path)).items():
        runs = "\n".join(_run(s) for s in _steps(job))
        scopes = _write_scopes(job.get("permissions"))
        assert ("pull-requests" in scopes) == bool(re.search(r"platformctl comment .*--post", runs)), name
        assert ("issues" in scopes) == bool(re.search(r"platformctl drift .*--github-issue", runs)), name
        assert scopes <= {"id-token", "pull-requests", "issues"}, f"job {name} writes {sorted(scopes)}"


def test_the_job_holding_aws_credentials_cannot_write_to_pull_requests(workflows: dict[str, dict[str, Any]]) -> None:
    for name, job in _jobs(workflows["plan.yml"]).items():
        assert _write_scopes(job.get("permissions")) != {"id-token", "pull-requests"}, name


# ---------------------------------------------------------------------------------------------------------------
# Actions and steps
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_sha_with_its_version(path: Path) -> None:
    uses_lines = [m for line in path.read_text().splitlines() if (m := USES_LINE.match(line))]
    assert uses_lines or path.name != "plan.yml"
    for m in uses_lines:
        ref = m.group("ref")
        if ref.startswith("./"):
            continue  # an action of this repository, pinned by the checkout itself
        assert SHA_PIN.match(ref), f"{ref} is not pinned to a full 40-hex commit SHA"
        assert VERSION_COMMENT.search(m.group("rest")), f"{ref} lacks a `# vX.Y.Z` comment"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_checkout_never_persists_credentials(path: Path) -> None:
    for name, job in _jobs(_load(path)).items():
        for step in _steps(job):
            if _uses(step).startswith(CHECKOUT):
                assert (step.get("with") or {}).get("persist-credentials") is False, name


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_run_blocks_take_no_expressions(path: Path) -> None:
    """Values reach shell scripts through env:, never as `${{ }}` pasted into the script (injection)."""
    for name, job in _jobs(_load(path)).items():
        for step in _steps(job):
            assert "${{" not in _run(step), f"job {name}: pass expressions to run: through env:"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_secrets_are_never_put_on_the_command_line(path: Path) -> None:
    for name, job in _jobs(_load(path)).items():
        for step in _steps(job):
            assert not re.search(r"echo .*(TOKEN|SECRET|AWS_SECRET)", _run(step)), name
            assert "secrets" not in str(step.get("with") or {}), f"job {name}: OIDC, not stored secrets"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_concurrency_is_set(path: Path) -> None:
    workflow = _load(path)
    jobs = _jobs(workflow)
    assert workflow.get("concurrency") or all(job.get("concurrency") for job in jobs.values()), (
        "set a concurrency group so runs of the same change do not pile up"
    )


def test_one_plan_run_per_pull_request(workflows: dict[str, dict[str, Any]]) -> None:
    concurrency = workflows["plan.yml"]["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_artifacts_are_short_lived(path: Path) -> None:
    for name, job in _jobs(_load(path)).items():
        for step in _steps(job):
            if _uses(step).startswith(UPLOAD_ARTIFACT):
                days = (step.get("with") or {}).get("retention-days")
                assert isinstance(days, int) and 1 <= days <= 3, f"job {name}: plan files can hold secrets"


def test_plan_uploads_the_saved_plan_and_its_json(workflows: dict[str, dict[str, Any]]) -> None:
    uploads = [
        s for job in _jobs(workflows["plan.yml"]).values() for s in _steps(job) if _uses(s).startswith(UPLOAD_ARTIFACT)
    ]
    assert uploads
    paths = "\n".join(s["with"]["path"] for s in uploads)
    assert "plan.tfplan" in paths and "plan.json" in paths and "plan-scan.json" in paths


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_infrastructure_is_touched_only_through_platformctl(path: Path) -> None:
    for name, job in _jobs(_load(path)).items():
        credentials = False
        for step in _steps(job):
            run = _run(step)
            assert not RAW_TERRAFORM.search(run), f"job {name}: call platformctl, not terraform"
            assert not re.search(r"(?:^|\s)aws\s+\S", run), f"job {name}: call platformctl, not the aws CLI"
            if _uses(step).startswith(CONFIGURE_AWS):
                credentials = True
            elif credentials and run:
                assert "platformctl" in run, f"job {name}: with AWS credentials, run only platformctl"


def test_plan_and_drift_call_the_platformctl_commands(workflows: dict[str, dict[str, Any]]) -> None:
    plan = "\n".join(_run(s) for job in _jobs(workflows["plan.yml"]).values() for s in _steps(job))
    drift = "\n".join(_run(s) for job in _jobs(workflows["drift.yml"]).values() for s in _steps(job))
    for text in (plan, drift):
        assert "platformctl envs --json" in text
    assert re.search(r'platformctl plan "\$ENV_NAME" --with-json', plan)
    assert re.search(r'platformctl comment "\$ENV_NAME" --post', plan) and "--full-plan-url" in plan
    # The plan step keeps the scan beside the saved plan; the comment job reads it and never scans again.
    assert "platformctl scan" not in plan
    assert re.search(r'platformctl drift "\$ENV_NAME" --github-issue', drift)


@pytest.mark.parametrize("workflow_name", ["plan.yml", "drift.yml"])
def test_environments_come_from_the_envs_job(workflows: dict[str, dict[str, Any]], workflow_name: str) -> None:
    for name, job in _jobs(workflows[workflow_name]).items():
        matrix = (job.get("strategy") or {}).get("matrix")
        if matrix is not None:
            assert matrix == "${{ fromJSON(needs.envs.outputs.matrix) }}", name
            assert "envs" in (job.get("needs") or []), name


def test_fork_pull_requests_skip_the_credentialed_jobs(workflows: dict[str, dict[str, Any]]) -> None:
    jobs = _jobs(workflows["plan.yml"])
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    for name, job in jobs.items():
        scopes = _write_scopes(job.get("permissions"))
        if scopes & {"id-token", "pull-requests"}:
            assert same_repo in " ".join(str(job.get("if", "")).split()), f"job {name} must skip fork PRs"
    assert any(
        "!=" in str(job.get("if", "")) and "head.repo.full_name" in str(job.get("if", "")) for job in jobs.values()
    ), "a fork PR gets a job that explains why nothing was planned"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_job_has_a_timeout(path: Path) -> None:
    for name, job in _jobs(_load(path)).items():
        assert isinstance(job.get("timeout-minutes"), int), name
