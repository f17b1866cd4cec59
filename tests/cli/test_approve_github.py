"""`platformctl approve` inside GitHub Actions: the approver is the reviewer of the run's protected environment,
read from the run's approvals API (a local fake GitHub server here), never the person who asked."""

from __future__ import annotations

RUN_ID = 4242


def actions_env(fake_github, actor: str) -> dict[str, str]:
    return {**fake_github.environ(), "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": actor, "GITHUB_RUN_ID": str(RUN_ID)}


def test_the_runs_reviewer_is_recorded_as_the_approver(project, fake_github):
    assert project.invoke("plan", "prod", "--request", env=actions_env(fake_github, "alice")).exit_code == 2
    request = project.history("prod")[-1]
    assert request["requested_by"]["github"] == "alice"
    fake_github.add_run_approval(RUN_ID, "bob", environment="prod")
    approved = project.invoke("approve", "prod", env=actions_env(fake_github, "alice"))
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
