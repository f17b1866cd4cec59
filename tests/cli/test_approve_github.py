"""`platformctl approve` inside GitHub Actions: the approver is the reviewer of the run's protected environment,
read from the run's approvals API (a local fake GitHub server here), never the person who asked."""

from __future__ import annotations

import boto3
from support.cli_project import REGION

RUN_ID = 4242


def actions_env(fake_github, actor: str, *, id_token: bool = True) -> dict[str, str]:
    return fake_github.actions_environ(actor, RUN_ID, id_token=id_token)


def test_the_runs_reviewer_is_recorded_as_the_approver(project, fake_github):
    assert project.invoke("plan", "prod", "--request", env=actions_env(fake_github, "alice")).exit_code == 2
    request = project.history("prod")[-1]
    assert request["requested_by"]["github"] == "alice"
    fake_github.add_run_approval(RUN_ID, "bob", environment="prod")
    # The prod job runs as prod's apply role, another AWS principal than the job that asked (the promote role).
    apply_role = project.person("prod-apply-role")
    approved = project.invoke("approve", "prod", env={**actions_env(fake_github, "alice"), **apply_role})
    assert approved.exit_code == 0, approved.output
    approval = project.history("prod")[-1]
    assert approval["kind"] == "approval" and approval["approved_by"]["github"] == "bob"
    assert approval["plan_sha256"] == request["plan_sha256"]
    assert fake_github.calls("GET", rf"/actions/runs/{RUN_ID}/approvals")


def test_a_run_approved_by_the_requester_is_refused(project, fake_github):
    assert project.invoke("plan", "prod", "--request", env=actions_env(fake_github, "alice")).exit_code == 2
    fake_github.add_run_approval(RUN_ID, "alice", environment="prod")
    refused = project.invoke("approve", "prod", env=actions_env(fake_github, "carol"))
    assert refused.exit_code == 1
    assert "alice (GitHub) asked for request" in refused.stderr and "may not approve it" in refused.stderr
    assert [e["kind"] for e in project.history("prod")] == ["request"]


def test_a_run_nobody_approved_for_this_environment_is_refused(project, fake_github):
    assert project.invoke("plan", "prod", "--request", env=actions_env(fake_github, "alice")).exit_code == 2
    fake_github.add_run_approval(RUN_ID, "bob", environment="staging")
    refused = project.invoke("approve", "prod", env=actions_env(fake_github, "alice"))
    assert refused.exit_code == 1
    assert f"workflow run {RUN_ID} has no approval for the GitHub environment 'prod'" in refused.stderr


def test_a_github_login_is_only_what_github_proves_never_github_actor(project, fake_github):
    """A terminal that sets GITHUB_ACTIONS and GITHUB_ACTOR=bob does not become bob: no OIDC token, no login."""
    borrowed = actions_env(fake_github, "bob", id_token=False)
    assert project.invoke("plan", "prod", "--request", env=borrowed).exit_code == 2
    assert project.history("prod")[-1]["requested_by"]["github"] is None


def test_a_request_made_with_a_borrowed_login_cannot_be_approved_by_its_maker(project, fake_github):
    """alice asks from her terminal posing as bob, then approves the run as the environment's reviewer: env.yaml's
    `people` says her AWS user and her GitHub login are one person, so the approval is refused."""
    alice = project.person("alice")
    arn = boto3.client(
        "sts",
        region_name=REGION,
        aws_access_key_id=alice["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=alice["AWS_SECRET_ACCESS_KEY"],
    ).get_caller_identity()["Arn"]
    people = f'people:\n  alice:\n    github: alice\n    aws: ["{arn}"]\n'
    project.write_env("prod", protected=True, approvals=1, extra=people)
    project.commit("people")
    borrowed = {**actions_env(fake_github, "bob", id_token=False), **alice}
    assert project.invoke("plan", "prod", "--request", env=borrowed).exit_code == 2
    fake_github.add_run_approval(RUN_ID, "alice", environment="prod")
    refused = project.invoke("approve", "prod", env=actions_env(fake_github, "carol"))
    assert refused.exit_code == 1
    assert "alice (GitHub) asked for request" in refused.stderr and "may not approve it" in refused.stderr
    assert [e["kind"] for e in project.history("prod")] == ["request"]


def test_a_token_that_does_not_verify_is_refused(project, fake_github):
    forged = {
        **actions_env(fake_github, "alice"),
        "PLATFORMCTL_GITHUB_OIDC_JWKS_URL": f"{fake_github.base_url}/nothing",
    }
    refused = project.invoke("plan", "prod", "--request", env=forged)
    assert refused.exit_code == 1
    assert "OIDC token" in refused.stderr
    assert project.history("prod") == []
