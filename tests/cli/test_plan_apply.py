"""Plans in parallel, the plan record read from the plan file, staleness by state serial, drift, destroy, init."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import boto3

from platform_cli.core.saved_plan import summarize
from platform_cli.core.tfplan_reader import read_plan_summary
from platform_cli.sandbox.images import push_placeholder_image

from .conftest import REGION, STATE_BUCKET, VENV_BIN

EXTRA = """
variable "scratch_enabled" {
  type    = bool
  default = true
}
variable "logs_suffix" {
  type    = string
  default = "logs"
}
resource "aws_s3_bucket" "scratch" {
  count  = var.scratch_enabled ? 1 : 0
  bucket = "${var.project}-${var.environment}-scratch"
}
resource "aws_s3_bucket" "logs" {
  bucket = "${var.project}-${var.environment}-${var.logs_suffix}"
}
"""


def test_plan_all_runs_environments_in_parallel_with_prefixed_output(project):
    result = project.invoke("plan", "--all")
    assert result.exit_code == 2, result.output
    assert "[staging]" in result.stdout and "[prod]   " in result.stdout
    for env in ("staging", "prod"):
        record = json.loads((project.work_dir / "envs" / env / "plan-record.json").read_text())
        assert record["environment"] == env and record["counts"]["add"] == 3
    logs = sorted(p.name for p in (project.work_dir / "envs/staging/logs").iterdir())
    assert any(name.endswith("-plan.log") for name in logs)


def test_plan_summary_from_plan_file_matches_terraform_show_json(project):
    (project.root / "infra/platform/extra.tf").write_text(EXTRA)
    assert project.invoke("plan", "staging").exit_code == 2
    assert project.invoke("apply", "staging").exit_code == 0
    # update (tag via --image), replace (bucket rename), destroy (count -> 0), add (new resource)
    tfvars = project.root / "envs/staging/terraform.tfvars"
    tfvars.write_text(tfvars.read_text() + 'scratch_enabled = false\nlogs_suffix = "logs2"\n')
    (project.root / "infra/platform/more.tf").write_text(
        'resource "aws_s3_bucket" "more" {\n  bucket = "${var.project}-${var.environment}-more"\n}\n'
    )
    digest = push_placeholder_image(f"{project.name}-staging", "v1.2.3", ecr_client=boto3.client("ecr"))
    result = project.invoke("plan", "staging", "--image", "v1.2.3", "--with-json")
    assert result.exit_code == 2, result.output
    work = project.work_dir / "envs/staging"
    shown = json.loads((work / "plan.json").read_text())
    decoded = read_plan_summary(work / "plan.tfplan")
    assert summarize(decoded) == summarize(shown)
    counts, _ = summarize(shown)
    assert counts == {
        "add": 1,
        "change": 1,
        "destroy": 1,
        "replace": 2,
        "import": 0,
        "moved": 0,
        "forget": 0,
    }  # bucket rename, new deploy
    record = json.loads((work / "plan-record.json").read_text())
    # The tag was resolved in the registry: the plan carries the digest, never the mutable tag.
    assert record["provenance"]["variables"] == {"service_image": digest}
    assert "staging: 1 to add, 1 to change, 1 to destroy, 2 to replace" in result.stdout


def test_apply_refuses_a_plan_made_against_an_older_state_serial(project):
    assert project.invoke("plan", "staging").exit_code == 2  # plan A, made before any state exists
    work = project.work_dir / "envs/staging"
    saved = {name: (work / name).read_bytes() for name in ("plan.tfplan", "plan-record.json")}
    assert project.invoke("plan", "staging").exit_code == 2
    assert project.invoke("apply", "staging").exit_code == 0  # someone else moved the state on
    for name, data in saved.items():  # bring back plan A
        (work / name).write_bytes(data)
    result = project.invoke("apply", "staging")
    assert result.exit_code == 1
    assert "refusing to apply a stale plan for staging: state serial changed (None -> " in result.stderr


def test_second_init_of_the_same_env_runs_no_terraform(project):
    first = project.invoke("init", "staging")
    assert first.exit_code == 0 and "staging: initialised" in first.stdout
    logs = project.work_dir / "envs/staging/logs"
    runs = sorted(logs.iterdir())
    second = project.run("init", "staging")
    assert second.returncode == 0 and "already initialised" in second.stdout
    assert sorted(logs.iterdir()) == runs, "a repeat init with nothing changed must not start terraform"


def test_init_runs_again_when_the_backend_changes(project):
    assert project.invoke("init", "staging").exit_code == 0
    backend = project.root / "envs/staging/backend.hcl"
    backend.write_text(backend.read_text().replace("staging.tfstate", "staging-moved.tfstate"))
    assert "staging: initialised" in project.invoke("init", "staging").stdout


def test_ctrl_c_reaches_terraform_which_releases_its_lock(project):
    assert project.invoke("init", "staging").exit_code == 0
    exe = VENV_BIN / "platformctl"
    # As from a terminal: pytest-xdist workers ignore SIGINT, and an ignored signal is inherited across exec.
    proc = subprocess.Popen(
        [str(exe), "--no-color", "--root", str(project.root), "plan", "staging"],
        env=project.full_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    s3 = boto3.client("s3", region_name=REGION)
    lock_key = f"{project.name}/staging.tfstate.tflock"
    deadline = time.monotonic() + 60  # wait until Terraform holds the state lock
    while time.monotonic() < deadline:
        if s3.list_objects_v2(Bucket=STATE_BUCKET, Prefix=lock_key).get("KeyCount"):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        raise AssertionError("terraform never took the lock")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "interrupted" in last and "Traceback" not in err
    assert not s3.list_objects_v2(Bucket=STATE_BUCKET, Prefix=lock_key).get("KeyCount"), "lock left behind"


def test_an_image_tag_is_planned_as_its_digest_and_an_unknown_tag_is_refused(project):
    assert project.invoke("plan", "staging").exit_code == 2
    assert project.invoke("apply", "staging").exit_code == 0
    missing = project.invoke("plan", "staging", "--image", "not-pushed")
    assert missing.exit_code == 1
    assert "image tag 'not-pushed' is not in the registry" in missing.stderr
    digest = push_placeholder_image(f"{project.name}-staging", "latest", ecr_client=boto3.client("ecr"))
    planned = project.invoke("plan", "staging", "--image", "latest", "--json")
    assert planned.exit_code == 2, planned.output
    assert json.loads(planned.stdout)["staging"]["provenance"]["variables"] == {"service_image": digest}
