"""Soft mode (allow, but log what would be refused) and the least-privilege report built from the decision log."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from platform_cli.cli import cli
from platform_cli.core.paths import SANDBOX_DIR_ENVVAR
from platform_cli.sandbox.iam.report import read_decisions

from .conftest import ACCOUNT, REGION, unique


def test_soft_mode_allows_and_logs_what_it_would_refuse(soft_sandbox):
    user = soft_sandbox.user()
    name = unique("soft")
    user.client("ecr").create_repository(repositoryName=name)  # no policy at all, yet allowed

    resource = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"
    entries = [e for e in read_decisions(soft_sandbox.info.iam_decision_log) if e["resource"] == resource]
    assert [(e["principal"], e["action"], e["allowed"], e["enforced"]) for e in entries] == [
        (user.arn, "ecr:CreateRepository", False, False)
    ]
    assert entries[0]["reason"] == "because no identity-based policy allows the ecr:CreateRepository action"
    assert f"would refuse: User: {user.arn} is not authorized to perform: ecr:CreateRepository" in (
        soft_sandbox.info.log_file.read_text()
    )


def test_iam_report_prints_the_least_privilege_policy_of_a_principal(soft_sandbox, monkeypatch):
    session = soft_sandbox.role_session()
    repository, group = unique("report"), unique("report")
    session.client("ecr").create_repository(repositoryName=repository)
    session.client("ecr").describe_repositories(repositoryNames=[repository])
    session.client("logs").create_log_group(logGroupName=group)

    monkeypatch.setenv(SANDBOX_DIR_ENVVAR, soft_sandbox.info.state_dir)
    result = CliRunner().invoke(cli, ["sandbox", "iam-report", session.role_name])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["ecr:CreateRepository", "ecr:DescribeRepositories"],
                "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repository}",
            },
            {
                "Effect": "Allow",
                "Action": "logs:CreateLogGroup",
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}",
            },
        ],
    }


def test_iam_report_names_the_principals_it_saw_when_asked_for_another(soft_sandbox, monkeypatch):
    soft_sandbox.user().client("sns").list_topics()
    monkeypatch.setenv(SANDBOX_DIR_ENVVAR, soft_sandbox.info.state_dir)
    result = CliRunner().invoke(cli, ["sandbox", "iam-report", "nobody-by-this-name"])
    assert result.exit_code == 1
    assert "no calls by 'nobody-by-this-name'" in result.output and ":user/user-" in result.output


@pytest.mark.real  # starts a sandbox of its own
def test_sandbox_start_enforce_iam_flag_turns_enforcement_on(tmp_path, monkeypatch):
    from platform_cli.sandbox import manager

    monkeypatch.setenv(SANDBOX_DIR_ENVVAR, str(tmp_path))
    monkeypatch.setenv("PLATFORMCTL_SANDBOX_PORT", str(manager.free_port()))
    try:
        started = CliRunner().invoke(cli, ["sandbox", "start", "--enforce-iam"])
        assert started.exit_code == 0, started.output
        assert "IAM enforcement: hard" in started.output
        status = json.loads(CliRunner().invoke(cli, ["sandbox", "status", "--json"]).output)
        assert status["enforce_iam"] == "hard"
    finally:
        manager.stop(tmp_path)
    bad = CliRunner().invoke(cli, ["sandbox", "start", "--enforce-iam=maybe"])
    assert bad.exit_code != 0 and "maybe" in bad.output
