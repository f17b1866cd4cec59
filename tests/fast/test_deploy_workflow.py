"""The deploy workflow keeps its shape: push to main only, least permissions, pinned actions, the job order
test -> publish -> staging -> promote -> prod, prod behind the protected `production` environment, and every
infrastructure step going through platformctl.

Reads .github/workflows/*.yml with PyYAML only: no network, no subprocess.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS_DIR = Path(__file__).resolve().parents[2] / ".github" / "workflows"
DEPLOY = WORKFLOWS_DIR / "deploy.yml"
SHA_PIN = re.compile(r"^(?P<action>[^@\s]+)@(?P<sha>[0-9a-f]{40})$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+)*\b")
CONFIGURE_AWS = "aws-actions/configure-aws-credentials@"
CHECKOUT = "actions/checkout@"
RAW_TERRAFORM = re.compile(r"(?:^|[\s;&|(`$])terraform(?=\s|$)", re.MULTILINE)
AWS_CLI = re.compile(r"(?:^|[\s;&|(`$])aws\s+\S", re.MULTILINE)
JOB_ORDER = ["test", "publish", "staging", "promote", "prod"]


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return _load(DEPLOY)


@pytest.fixture(scope="module")
def jobs(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return workflow["jobs"]


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps") or []


def _run(step: dict[str, Any]) -> str:
    return step.get("run") or ""


def _uses(step: dict[str, Any]) -> str:
    return step.get("uses") or ""


def _needs(job: dict[str, Any]) -> set[str]:
    needs = job.get("needs") or []
    return {needs} if isinstance(needs, str) else set(needs)


def _environment(job: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    return environment.get("name") if isinstance(environment, dict) else environment


def _configures_aws(job: dict[str, Any]) -> bool:
    return any(_uses(s).startswith(CONFIGURE_AWS) for s in _steps(job))


def _runs(job: dict[str, Any]) -> list[str]:
    return [_run(s) for s in _steps(job) if _run(s)]


def _index(job: dict[str, Any], pattern: str) -> int:
    """Position of the first step whose run: matches pattern (fails when none does)."""
    for i, step in enumerate(_steps(job)):
        if re.search(pattern, _run(step)):
            return i
    raise AssertionError(f"no step runs {pattern!r}")


# ---------------------------------------------------------------------------------------------------------------
# Triggers and concurrency
# ---------------------------------------------------------------------------------------------------------------


def test_runs_only_on_push_to_main(workflow: dict[str, Any]) -> None:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert on == {"push": {"branches": ["main"]}}


def test_one_deploy_per_branch_and_never_cancelled_half_way(workflow: dict[str, Any]) -> None:
    concurrency = workflow["concurrency"]
    assert "github.ref" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is False
    assert all("concurrency" not in job for job in workflow["jobs"].values()), "one group, for the whole run"


# ---------------------------------------------------------------------------------------------------------------
# Permissions and credentials
# ---------------------------------------------------------------------------------------------------------------


def test_top_level_permissions_are_empty(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {}


def test_every_job_asks_only_for_what_it_needs(jobs: dict[str, dict[str, Any]]) -> None:
    for name, job in jobs.items():
        permissions = job["permissions"]
        assert isinstance(permissions, dict), f"job {name}: list its scopes"
        assert permissions.get("contents") == "read", name
        writes = {scope for scope, level in permissions.items() if level == "write"}
        assert writes <= {"id-token"}, f"job {name} writes {sorted(writes)}"
        reads = {scope for scope, level in permissions.items() if level == "read"}
        assert reads <= {"contents", "actions"}, f"job {name} reads {sorted(reads)}"
    assert jobs["prod"]["permissions"].get("actions") == "read", "approve reads the run's approvals"
    assert [n for n, j in jobs.items() if "actions" in j["permissions"]] == ["prod"]


def test_id_token_only_where_aws_credentials_are_configured(jobs: dict[str, dict[str, Any]]) -> None:
    for name, job in jobs.items():
        assert (job["permissions"].get("id-token") == "write") == _configures_aws(job), name
    assert {n for n, j in jobs.items() if _configures_aws(j)} == {"publish", "staging", "promote", "prod"}


def test_credentials_come_from_oidc_roles_in_repository_variables(jobs: dict[str, dict[str, Any]]) -> None:
    expected_roles = {
        "publish": "APPLY_ROLE_ARN_STAGING",
        "staging": "APPLY_ROLE_ARN_STAGING",
        "promote": "PROMOTE_ROLE_ARN_PROD",
        "prod": "APPLY_ROLE_ARN_PROD",
    }
    for name, variable in expected_roles.items():
        (step,) = [s for s in _steps(jobs[name]) if _uses(s).startswith(CONFIGURE_AWS)]
        settings = step["with"]
        assert settings["role-to-assume"] == f"${{{{ vars.{variable} }}}}", name
        assert not {"aws-access-key-id", "aws-secret-access-key"} & set(settings), f"job {name}: OIDC, no keys"
        assert "secrets." not in str(settings), name


def test_jobs_holding_credentials_run_in_the_environment_their_role_trusts(jobs: dict[str, dict[str, Any]]) -> None:
    assert {n: _environment(j) for n, j in jobs.items() if _configures_aws(j)} == {
        "publish": "staging",
        "staging": "staging",
        "promote": "prod-promote",
        "prod": "production",
    }
    assert {n for n, j in jobs.items() if _environment(j) == "production"} == {"prod"}


# ---------------------------------------------------------------------------------------------------------------
# Actions: pinned, and the same pins as the other workflows
# ---------------------------------------------------------------------------------------------------------------


def _pins(path: Path) -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for line in path.read_text().splitlines():
        if m := USES_LINE.match(line):
            pin = SHA_PIN.match(m.group("ref"))
            assert pin, f"{path.name}: {m.group('ref')} is not pinned to a full 40-hex commit SHA"
            assert VERSION_COMMENT.search(m.group("rest")), f"{path.name}: {m.group('ref')} lacks `# vX.Y.Z`"
            pins.setdefault(pin["action"], set()).add(pin["sha"])
    return pins


def test_every_action_is_pinned_with_its_version() -> None:
    assert _pins(DEPLOY)


def test_actions_reuse_the_pins_of_ci_and_plan() -> None:
    known: dict[str, set[str]] = {}
    for name in ("ci.yml", "plan.yml"):
        for action, shas in _pins(WORKFLOWS_DIR / name).items():
            known.setdefault(action, set()).update(shas)
    for action, shas in _pins(DEPLOY).items():
        assert action in known, f"{action} is used nowhere else: reuse an action the other workflows pin"
        assert shas <= known[action], f"{action}: pin the same commit as ci.yml/plan.yml"
        assert len(shas) == 1, f"{action}: one pin per workflow"


def test_checkout_never_persists_credentials(jobs: dict[str, dict[str, Any]]) -> None:
    for name, job in jobs.items():
        checkouts = [s for s in _steps(job) if _uses(s).startswith(CHECKOUT)]
        assert checkouts, f"job {name} has no checkout"
        for step in checkouts:
            assert step["with"]["persist-credentials"] is False, name


def test_run_blocks_take_no_expressions(jobs: dict[str, dict[str, Any]]) -> None:
    for name, job in jobs.items():
        for step in _steps(job):
            assert "${{" not in _run(step), f"job {name}: pass expressions to run: through env:"


def test_nothing_is_uploaded(jobs: dict[str, dict[str, Any]]) -> None:
    """Saved plans can hold sensitive values; the prod job reads the promotion request from prod's state bucket."""
    for name, job in jobs.items():
        assert not any("upload-artifact" in _uses(s) for s in _steps(job)), name


# ---------------------------------------------------------------------------------------------------------------
# Order of jobs and steps
# ---------------------------------------------------------------------------------------------------------------


def test_jobs_run_in_order_test_publish_staging_promote_prod(jobs: dict[str, dict[str, Any]]) -> None:
    assert set(JOB_ORDER) <= set(jobs)
    for earlier, later in zip(JOB_ORDER, JOB_ORDER[1:], strict=False):
        assert earlier in _needs(jobs[later]), f"{later} must need {earlier}"
    assert _needs(jobs["test"]) == set()
    # Every job reachable from `test`: nothing deploys without the tests.
    reached, frontier = {"test"}, ["test"]
    while frontier:
        current = frontier.pop()
        for name, job in jobs.items():
            if current in _needs(job) and name not in reached:
                reached.add(name)
                frontier.append(name)
    assert set(JOB_ORDER) <= reached


def test_the_test_job_runs_make_test_fast(jobs: dict[str, dict[str, Any]]) -> None:
    assert "make test-fast" in _runs(jobs["test"])
    assert any("examples/model_service/tests" in run for run in _runs(jobs["test"]))


def test_the_image_is_built_before_credentials_and_pushed_by_digest(jobs: dict[str, dict[str, Any]]) -> None:
    steps = _steps(jobs["publish"])
    credentials = next(i for i, s in enumerate(steps) if _uses(s).startswith(CONFIGURE_AWS))
    assert _index(jobs["publish"], r"docker build\b") < credentials
    assert _index(jobs["publish"], r"docker push\b") > credentials
    outputs = jobs["publish"]["outputs"]
    assert {"image", "model", "model_sha256"} <= set(outputs)


def test_staging_plans_the_published_release_then_applies_and_verifies(jobs: dict[str, dict[str, Any]]) -> None:
    staging = jobs["staging"]
    plan = _steps(staging)[_index(staging, r"platformctl plan staging")]
    assert re.search(r'platformctl plan staging --image "\$IMAGE" --model "\$MODEL"', plan["run"])
    assert plan["env"] == {"IMAGE": "${{ needs.publish.outputs.image }}", "MODEL": "${{ needs.publish.outputs.model }}"}
    # 0 = no changes and 2 = changes are both a plan; anything else fails the job.
    assert re.search(r"\b0\)", plan["run"]) and re.search(r"\b2\)", plan["run"])
    assert re.search(r'\*\)\s*exit "\$rc"', plan["run"])
    assert (
        _index(staging, r"platformctl plan staging")
        < _index(staging, r"platformctl apply staging")
        < _index(staging, r"platformctl verify staging")
    )


def test_promote_hands_its_request_id_and_plan_sha256_to_the_prod_job(jobs: dict[str, dict[str, Any]]) -> None:
    assert _index(jobs["promote"], r"platformctl promote staging prod --json") >= 0
    assert {"request_id", "plan_sha256"} <= set(jobs["promote"]["outputs"])
    assert "needs.promote.outputs.request_id" in str(jobs["prod"].get("if"))


def test_prod_is_approved_then_applied_in_the_production_environment(jobs: dict[str, dict[str, Any]]) -> None:
    prod = jobs["prod"]
    assert _environment(prod) == "production"
    approve = _steps(prod)[_index(prod, r"platformctl approve prod")]
    assert re.search(r'platformctl approve prod "\$REQUEST_ID" --plan-sha256 "\$PLAN_SHA256"', approve["run"])
    assert approve["env"]["REQUEST_ID"] == "${{ needs.promote.outputs.request_id }}"
    assert approve["env"]["PLAN_SHA256"] == "${{ needs.promote.outputs.plan_sha256 }}"
    assert approve["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    apply = _steps(prod)[_index(prod, r"platformctl apply prod")]
    assert re.search(
        r'apply prod --request "\$REQUEST_ID" --plan-sha256 "\$PLAN_SHA256" \\\s+--watch "\$WATCH_WINDOW"', apply["run"]
    )
    assert apply["env"]["WATCH_WINDOW"] == "${{ vars.PROD_WATCH_WINDOW || '10m' }}"
    assert apply["env"]["PLAN_SHA256"] == "${{ needs.promote.outputs.plan_sha256 }}"
    assert _index(prod, r"platformctl approve prod") < _index(prod, r"platformctl apply prod")


# ---------------------------------------------------------------------------------------------------------------
# Infrastructure only through platformctl
# ---------------------------------------------------------------------------------------------------------------


def test_infrastructure_steps_call_platformctl_never_terraform(jobs: dict[str, dict[str, Any]]) -> None:
    for name, job in jobs.items():
        credentials = False
        for step in _steps(job):
            run = _run(step)
            assert not RAW_TERRAFORM.search(run), f"job {name}: call platformctl, not terraform"
            assert not AWS_CLI.search(run), f"job {name}: call platformctl, not the aws CLI"
            if _uses(step).startswith(CONFIGURE_AWS):
                credentials = True
            elif credentials and run:
                assert "platformctl" in run, f"job {name}: with AWS credentials, every step goes through platformctl"


def test_registry_and_bucket_come_from_platformctl_outputs(jobs: dict[str, dict[str, Any]]) -> None:
    publish = jobs["publish"]
    push = _run(_steps(publish)[_index(publish, r"docker push\b")])
    upload = _run(_steps(publish)[_index(publish, r"upload-model")])
    assert "platformctl output staging --json" in push and "--get registry_url" in push
    assert "platformctl output staging --json" in upload and "--get artifact_bucket_name" in upload
