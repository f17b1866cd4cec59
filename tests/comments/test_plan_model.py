"""The one plan model (core.plan_model): every reader of a plan (record, plan output, exit code, comment) agrees.

The moves-only plan is a real one: Terraform plans a `moved` block against a state file written here by hand
(terraform_data is built into Terraform, so no provider, no apply, no sandbox).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.comment_fixtures import PROVENANCE, load_plan

from platform_cli.core.paths import Paths
from platform_cli.core.plan_model import Plan
from platform_cli.core.saved_plan import SavedPlan, summarize
from platform_cli.core.tfconfig import init_lock
from platform_cli.core.tfplan_reader import read_plan_summary
from platform_cli.github.comment import EnvPlan, render_env

MOVED_TF = """
resource "terraform_data" "new" {
  input = "x"
}

moved {
  from = terraform_data.old
  to   = terraform_data.new
}
"""
STATE = {
    "version": 4,
    "terraform_version": "1.10.0",
    "serial": 3,
    "lineage": "0d7a4d4e-1c1e-4a1e-9d1e-5a1e1c1e1c1e",
    "outputs": {},
    "resources": [
        {
            "mode": "managed",
            "type": "terraform_data",
            "name": "old",
            "provider": 'provider["terraform.io/builtin/terraform"]',
            "instances": [
                {
                    "schema_version": 0,
                    "attributes": {
                        "id": "f00d",
                        "input": {"value": "x", "type": "string"},
                        "output": {"value": "x", "type": "string"},
                        "triggers_replace": None,
                    },
                    "sensitive_attributes": [],
                }
            ],
        }
    ],
}


@pytest.fixture(scope="module")
def moves_only(tmp_path_factory, terraform_env) -> tuple[Path, int, str]:
    """(plan file, terraform plan's -detailed-exitcode, show -json) of a plan that only moves one resource."""
    stack = tmp_path_factory.mktemp("moves-only")
    (stack / "main.tf").write_text(MOVED_TF)
    (stack / "terraform.tfstate").write_text(json.dumps(STATE))
    env = terraform_env({})

    def terraform(*args: str, ok=(0,)) -> subprocess.CompletedProcess:
        proc = subprocess.run(["terraform", *args], cwd=stack, env=env, capture_output=True, text=True)
        assert proc.returncode in ok, proc.stderr
        return proc

    with init_lock():
        terraform("init", "-input=false")
    planned = terraform("plan", "-input=false", "-detailed-exitcode", "-out=moved.tfplan", ok=(0, 2))
    shown = terraform("show", "-json", "moved.tfplan").stdout
    return stack / "moved.tfplan", planned.returncode, shown


def saved_plan_of(tmp_path: Path, plan_file: Path) -> SavedPlan:
    saved = SavedPlan(Paths(tmp_path, work_dir_override=tmp_path / "work"), "staging")
    saved.file.parent.mkdir(parents=True)
    saved.file.write_bytes(plan_file.read_bytes())
    return saved


@pytest.mark.parametrize("with_json", [False, True], ids=["from the plan file", "from show -json"])
def test_a_moves_only_plan_says_moved_in_the_record_and_counts_as_changes(moves_only, tmp_path, with_json):
    plan_file, exit_code, shown = moves_only
    assert exit_code == 2, "Terraform itself calls a moves-only plan a change"
    record = saved_plan_of(tmp_path, plan_file).write_record(
        provenance={}, has_changes=False, plan_log=None, show=lambda _: shown, with_json=with_json
    )
    # has_changes=False above stands for a caller that ignored Terraform's exit code: the model alone decides.
    assert record.has_changes
    assert record.counts == {"add": 0, "change": 0, "destroy": 0, "replace": 0, "import": 0, "moved": 1, "forget": 0}
    assert record.changes == [
        {
            "address": "terraform_data.new",
            "action": "moved",
            "actions": ["no-op"],
            "importing": False,
            "previous_address": "terraform_data.old",
        }
    ]
    assert record.summary_line() == "staging: 0 to add, 0 to change, 0 to destroy, 0 to replace, 1 moved"


def test_the_plan_file_reader_decodes_the_previous_address_like_show_json(moves_only):
    plan_file, _, shown = moves_only
    decoded = read_plan_summary(plan_file)
    assert decoded["resource_changes"][0]["previous_address"] == "terraform_data.old"
    assert summarize(decoded) == summarize(json.loads(shown))


def test_the_comment_of_a_moves_only_plan_says_moved(moves_only):
    _, _, shown = moves_only
    comment = render_env(EnvPlan("staging", json.loads(shown), PROVENANCE))
    assert "**Plan: 0 to add, 0 to change, 0 to destroy, 0 to replace, 1 moved.**" in comment
    assert "`terraform_data.new` will be **moved from `terraform_data.old`**" in comment


def test_every_kind_of_change_is_in_the_model():
    plan = Plan.from_json(load_plan("import_moved"))
    imported = next(c for c in plan.changes if c.importing)
    assert imported.labels == ["import", "update"] and imported.import_id == "/mlplatform/staging/audit"
    assert [a.path for a in imported.attributes][0] == "retention_in_days"
    moved = [c for c in plan.changes if c.moved]
    assert len(moved) == 5 and all(c.labels == ["move"] for c in moved)
    assert plan.counts() == {"add": 0, "change": 1, "destroy": 0, "replace": 0, "import": 1, "moved": 5, "forget": 0}
    replaced = Plan.from_json(load_plan("replace"))
    assert {c.kind for c in replaced.changes} == {"replace"} and replaced.changes[0].replace_paths
    forgotten = {"resource_changes": [{"address": "aws_s3_bucket.b", "change": {"actions": ["forget"]}}]}
    assert Plan.from_json(forgotten).counts()["forget"] == 1
    assert Plan.from_json(forgotten).changed_addresses == set()


def test_the_plan_step_keeps_the_scan_and_comment_reads_it_instead_of_scanning_again(moves_only, tmp_path):
    from click.testing import CliRunner

    from platform_cli.cli import cli

    plan_file, exit_code, shown = moves_only
    saved = saved_plan_of(tmp_path, plan_file)
    saved.write_record(provenance={}, has_changes=exit_code == 2, plan_log=None, show=lambda _: shown, with_json=True)
    kept = json.loads(saved.scan_file.read_text())
    # checkov ran over what the plan changes (the moved resource), at plan time.
    assert kept["result"]["framework"] == "terraform_plan" and kept["result"]["scope"] == {"changed": 1, "resources": 1}
    # Plant a finding in the kept result: the comment must show it, so it read the kept scan and ran no new one.
    planted = {"check_id": "CKV_PLANTED_1", "check_name": "kept at plan time", "resource": "terraform_data.new"}
    kept["result"].update(failed=1, failures=[planted])
    saved.scan_file.write_text(json.dumps(kept))
    repo = Path(__file__).resolve().parents[2]
    result = CliRunner().invoke(
        cli,
        ["--no-color", "--root", str(repo), "comment", "staging"],
        env={"PLATFORMCTL_WORK_DIR": str(tmp_path / "work"), "PLATFORMCTL_MASKS": None},
    )
    assert result.exit_code == 0, result.output
    assert "| `CKV_PLANTED_1 kept at plan time` | 1 | `terraform_data.new` |" in result.stdout
    assert "1 moved" in result.stdout
    # A new plan file makes the kept scan stale: it is not reused for a different plan.
    saved.file.write_bytes(plan_file.read_bytes() + b"\0")
    assert saved.policy_scan(lambda: saved.json_file, scanner=lambda _: {"fresh": True}) == {"fresh": True}
