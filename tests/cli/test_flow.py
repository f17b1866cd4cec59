"""The main job end to end on the fixture stack: plan -> apply -> output -> drift -> destroy."""

from __future__ import annotations

import json
import re

import boto3

from platform_cli.core.terraform import binary_version, find_binary

from .conftest import REGION


def test_plan_as_a_subprocess_streams_terraform_saves_plan_and_record_and_exits_2(project):
    result = project.run("plan", "staging")
    assert result.returncode == 2, result.stderr
    assert "Terraform will perform the following actions" in result.stdout  # Terraform's own output, streamed
    assert "staging: 3 to add, 0 to change, 0 to destroy, 0 to replace" in result.stdout
    work = project.work_dir / "envs" / "staging"
    record = json.loads((work / "plan-record.json").read_text())
    assert record["counts"] == {"add": 3, "change": 0, "destroy": 0, "replace": 0, "import": 0, "moved": 0, "forget": 0}
    assert [c["address"] for c in record["changes"]] == [
        "aws_ecr_repository.this",
        "aws_s3_bucket.this",
        "terraform_data.deploy",
    ]
    prov = record["provenance"]
    assert len(prov["git_commit"]) == 40
    assert prov["terraform_version"] == binary_version(find_binary())  # what the tool itself says
    lock = (project.root / "infra/platform/.terraform.lock.hcl").read_text()
    locked = re.search(r'provider "registry.terraform.io/hashicorp/aws" \{\s*version\s*=\s*"([^"]+)"', lock)
    assert prov["providers"]["registry.terraform.io/hashicorp/aws"] == locked.group(1)
    assert (work / "plan.tfplan").is_file()
    assert list((work / "logs").glob("*-plan.log"))


def test_plan_apply_output_drift_destroy_on_one_environment(project):
    """One lifecycle, so the suite pays for one apply: each step checks what it promises."""
    assert project.invoke("plan", "staging").exit_code == 2
    result = project.invoke("apply", "staging")
    assert result.exit_code == 0, result.output
    assert "staging: applied plan" in result.stdout
    s3 = boto3.client("s3", region_name=REGION)
    bucket = f"{project.name}-staging-artifacts"
    assert s3.head_bucket(Bucket=bucket)

    twice = project.invoke("apply", "staging")
    assert twice.exit_code == 1 and "the saved plan for staging was already applied" in twice.stderr

    again = project.invoke("plan", "staging")
    assert again.exit_code == 0, again.output
    assert "staging: no changes" in again.stdout
    record = json.loads((project.work_dir / "envs/staging/plan-record.json").read_text())
    assert record["provenance"]["state_serial"] >= 1 and record["provenance"]["state_lineage"]

    out = project.invoke("output", "staging", "--json")
    assert json.loads(out.stdout)["artifact_bucket_name"] == bucket

    clean = project.invoke("drift", "staging")
    assert clean.exit_code == 0 and "staging: no drift" in clean.stdout
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "image", "Value": "edited-by-hand"}]})
    drifted = project.invoke("drift", "staging", "--json")
    assert drifted.exit_code == 2
    (item,) = json.loads(drifted.stdout)["drifted"]
    assert (item["address"], item["actions"]) == ("aws_s3_bucket.this", ["update"])
    assert "tags" in item["attributes"]
    assert "aws_s3_bucket.this (tags" in project.invoke("drift", "staging").stdout

    destroyed = project.invoke("destroy", "staging", "--yes")
    assert destroyed.exit_code == 0, destroyed.output
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
