"""The aws provider reports a sandbox refusal as it would AWS's: AccessDeniedException with AWS's message."""

from __future__ import annotations

import subprocess

from platform_cli.core.tfconfig import init_lock

from .conftest import unique

CONFIG = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

resource "aws_cloudwatch_log_group" "this" {
  name = "%s"
}
"""


def test_terraform_apply_as_a_user_without_permission_fails_with_access_denied(iam_sandbox, terraform_env, tmp_path):
    user = iam_sandbox.user()
    name = unique("tf-denied")
    (tmp_path / "main.tf").write_text(CONFIG % name)
    env = terraform_env(
        {
            "AWS_ENDPOINT_URL": iam_sandbox.endpoint,
            "AWS_ACCESS_KEY_ID": user.key,
            "AWS_SECRET_ACCESS_KEY": user.secret,
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
        }
    )
    with init_lock():
        init = subprocess.run(["terraform", "init", "-no-color"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stdout + init.stderr
    apply = subprocess.run(
        ["terraform", "apply", "-auto-approve", "-no-color"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert apply.returncode == 1
    assert "AccessDeniedException" in apply.stderr
    assert f"{user.arn} is not authorized to perform: logs:CreateLogGroup" in " ".join(apply.stderr.split())
