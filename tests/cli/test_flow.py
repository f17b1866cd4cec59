"""The main job end to end on the fixture stack: plan -> apply -> output -> drift -> destroy."""

from __future__ import annotations

import json

import boto3

from .conftest import REGION


def test_plan_saves_plan_json_and_record_and_exits_2_on_changes(project):
    result = project.invoke("plan", "staging")
    assert result.exit_code == 2, result.output
    assert "staging: 1 to add, 0 to change, 0 to destroy, 0 to replace" in result.output
    work = project.work_dir / "envs" / "staging"
    record = json.loads((work / "plan-record.json").read_text())
    assert record["counts"] == {"add": 1, "change": 0, "destroy": 0, "replace": 0, "import": 0}
    assert record["changes"][0]["address"] == "aws_s3_bucket.this"
    prov = record["provenance"]
    assert len(prov["git_commit"]) == 40 and prov["terraform_version"] == "1.11.4"
    assert prov["providers"]["registry.terraform.io/hashicorp/aws"] == "5.100.0"
    assert (work / "plan.tfplan").is_file()
    assert list((work / "logs").glob("*-plan.log"))


def test_apply_applies_the_saved_plan_then_plan_shows_no_changes(project):
    assert project.invoke("plan", "staging").exit_code == 2
    result = project.invoke("apply", "staging")
    assert result.exit_code == 0, result.output
    s3 = boto3.client("s3", region_name=REGION)
    assert s3.head_bucket(Bucket=f"{project.name}-staging-artifacts")
    again = project.invoke("plan", "staging")
    assert again.exit_code == 0, again.output
    assert "staging: no changes" in again.output
    out = project.invoke("output", "staging", "--json")
    assert json.loads(out.stdout)["artifact_bucket_name"] == f"{project.name}-staging-artifacts"
