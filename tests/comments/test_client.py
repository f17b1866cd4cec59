"""The GitHub client against a local fake GitHub API: one comment per PR and environment, drift issues, retries,
rate limits and the one-line errors a user sees. Waits are recorded, never slept or timed."""

from __future__ import annotations

import json
import logging

import pytest
from fakes.fake_github import TOKEN

from platform_cli.core.errors import PlatformError
from platform_cli.github.client import (
    GitHubAuthError,
    GitHubClient,
    GitHubConfig,
    GitHubConfigError,
    GitHubError,
    GitHubNotFound,
    GitHubPermissionError,
)
from platform_cli.github.comment import marker


def body(env: str, text: str) -> str:
    return f"{marker(env)}\n{text}"


def test_upsert_twice_leaves_one_comment_updated(fake_github, make_client):
    fake_github.add_pull_request(7)
    client = make_client()
    action, url = client.upsert_comment(None, None, marker("staging"), body("staging", "first"))
    assert action == "created" and "#issuecomment-" in url
    action2, url2 = client.upsert_comment(None, None, marker("staging"), body("staging", "second"))
    assert (action2, url2) == ("updated", url)
    comments = fake_github.comments_on(7)
    assert len(comments) == 1 and comments[0]["body"].endswith("second")
    assert len(fake_github.calls("POST", "/comments$")) == 1
    assert len(fake_github.calls("PATCH", "/issues/comments/")) == 1


def test_same_body_again_is_left_alone(fake_github, make_client):
    fake_github.add_pull_request(7)
    client = make_client()
    client.upsert_comment(None, None, marker("staging"), body("staging", "same"))
    assert client.upsert_comment(None, None, marker("staging"), body("staging", "same"))[0] == "unchanged"
    assert not fake_github.calls("PATCH")


def test_each_environment_gets_its_own_comment(fake_github, make_client):
    fake_github.add_pull_request(7)
    client = make_client()
    for env in ("staging", "prod", "staging"):
        client.upsert_comment(None, None, marker(env), body(env, f"plan of {env}"))
    assert sorted(c["body"].splitlines()[0] for c in fake_github.comments_on(7)) == [marker("prod"), marker("staging")]


def test_marker_on_page_three_is_found_and_updated(fake_github, make_client):
    fake_github.add_pull_request(7)
    for n in range(5):
        fake_github.add_comment(7, f"a human comment {n}")
    fake_github.add_comment(7, f"> quoting {marker('staging')} does not count")
    existing = fake_github.add_comment(7, body("staging", "old plan"))
    client = make_client(per_page=3)
    action, _ = client.upsert_comment(None, None, marker("staging"), body("staging", "new plan"))
    assert action == "updated"
    assert fake_github.comments[existing["id"]]["body"].endswith("new plan")
    pages = [r.query.get("page", "1") for r in fake_github.calls("GET", "/issues/7/comments$")]
    assert pages == ["1", "2", "3"]
    assert all(r.query["per_page"] == "3" for r in fake_github.calls("GET", "/comments$"))
    assert len(fake_github.comments_on(7)) == 7


def test_server_errors_are_retried_then_succeed(fake_github, make_client, slept):
    fake_github.add_pull_request(7)
    fake_github.fail(502, times=2, method="GET", path_regex="/comments$")
    action, _ = make_client().upsert_comment(None, None, marker("staging"), body("staging", "x"))
    assert action == "created"
    assert len(fake_github.calls("GET", "/comments$")) == 3
    assert len(fake_github.comments_on(7)) == 1


def test_server_error_on_create_does_not_duplicate_the_comment(fake_github, make_client):
    """GitHub may store a comment and still answer 5xx: look for the marker before creating again."""
    fake_github.add_pull_request(7)
    original = fake_github.handle

    def stored_then_502(method, path, query, headers, payload):
        status, data, extra = original(method, path, query, headers, payload)
        if method == "POST" and len(fake_github.calls("POST")) == 1:
            return 502, {"message": "Server Error"}, {}
        return status, data, extra

    fake_github.handle = stored_then_502
    action, _ = make_client().upsert_comment(None, None, marker("staging"), body("staging", "x"))
    assert action == "created"
    assert len(fake_github.comments_on(7)) == 1
    assert len(fake_github.calls("POST")) == 1


def test_server_errors_that_persist_give_one_line(fake_github, make_client):
    fake_github.add_pull_request(7)
    fake_github.fail(503, times=10)
    with pytest.raises(GitHubError) as info:
        make_client(total=2).upsert_comment(None, None, marker("staging"), body("staging", "x"))
    assert "HTTP 503" in info.value.one_line() and "\n" not in info.value.one_line()
    assert len(fake_github.calls("GET")) == 3  # first try + 2 retries


@pytest.mark.parametrize("status", [403, 429])
def test_rate_limit_retry_after_is_honoured(fake_github, make_client, slept, status):
    fake_github.add_pull_request(7)
    fake_github.rate_limit(status=status, retry_after=7, method="POST")
    action, _ = make_client().upsert_comment(None, None, marker("staging"), body("staging", "x"))
    assert action == "created"
    posts = fake_github.calls("POST", "/comments$")
    assert len(posts) == 2 and posts[0].body == posts[1].body
    assert slept == [7]
    assert len(fake_github.comments_on(7)) == 1


def test_secondary_rate_limit_without_retry_after_waits_a_minute(fake_github, make_client, slept):
    fake_github.add_pull_request(7)
    fake_github.fail(403, "You have exceeded a secondary rate limit. Please wait a few minutes.", method="GET")
    assert make_client().upsert_comment(None, None, marker("staging"), body("staging", "x"))[0] == "created"
    assert len(fake_github.calls("GET", "/comments$")) == 2
    assert slept == [60]


def test_rate_limit_longer_than_we_wait_fails_in_one_line(fake_github, make_client):
    fake_github.add_pull_request(7)
    fake_github.rate_limit(retry_after=3600)
    with pytest.raises(GitHubError) as info:
        make_client().upsert_comment(None, None, marker("staging"), body("staging", "x"))
    assert "3600 s" in info.value.message and "Retry-After" in info.value.message


def test_401_says_the_token_is_bad(fake_github, make_client):
    fake_github.add_pull_request(7)
    fake_github.fail(401)
    with pytest.raises(GitHubAuthError) as info:
        make_client().upsert_comment(None, None, marker("staging"), body("staging", "x"))
    line = info.value.one_line()
    assert "GitHub rejected the token (HTTP 401: Bad credentials)" in line and "GITHUB_TOKEN" in line
    assert TOKEN not in line


def test_wrong_token_is_a_401_too(fake_github, make_client):
    fake_github.add_pull_request(7)
    with pytest.raises(GitHubAuthError):
        make_client(GITHUB_TOKEN="ghs_wrong").upsert_comment(None, None, marker("s"), body("s", "x"))


def test_403_says_which_permission_is_missing(fake_github, make_client):
    fake_github.add_pull_request(7)
    fake_github.fail(403, method="POST")
    with pytest.raises(GitHubPermissionError) as info:
        make_client().upsert_comment(None, None, marker("staging"), body("staging", "x"))
    assert "pull-requests: write" in info.value.one_line()
    assert "comment on pull request #7 on octo/platform" in info.value.message


def test_403_on_drift_issue_names_issues_write(fake_github, make_client):
    fake_github.fail(403, method="POST")
    with pytest.raises(GitHubPermissionError) as info:
        make_client().sync_drift_issue(None, "prod", True, "drift!")
    assert "issues: write" in info.value.one_line()


def test_404_says_what_was_not_found(fake_github, make_client):
    with pytest.raises(GitHubNotFound) as info:
        make_client(pr=99).upsert_comment(None, None, marker("staging"), body("staging", "x"))
    assert info.value.message.startswith("pull request #99 not found on octo/platform (HTTP 404")
    with pytest.raises(GitHubNotFound):
        make_client(GITHUB_REPOSITORY="octo/missing").upsert_comment(None, None, marker("s"), body("s", "x"))


def test_errors_are_platform_errors_with_hints(fake_github, make_client):
    fake_github.fail(401)
    with pytest.raises(PlatformError) as info:
        make_client().sync_drift_issue(None, "prod", True, "x")
    assert info.value.hint


def test_token_never_logged(fake_github, make_client, caplog):
    fake_github.add_pull_request(7)
    with caplog.at_level(logging.DEBUG):
        make_client().upsert_comment(None, None, marker("staging"), body("staging", "x"))
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(GitHubConfig.from_environ(fake_github.environ(), pr=1))


def test_drift_issue_opens_updates_and_closes(fake_github, make_client):
    client = make_client()
    assert client.sync_drift_issue(None, "prod", False, "clean") == ("none", None)
    action, url = client.sync_drift_issue(None, "prod", True, "2 resources drifted")
    assert action == "opened" and url.endswith("/issues/1")
    issue = fake_github.issues[1]
    assert issue["labels"] == ["platformctl-drift"] and issue["state"] == "open" and "prod" in issue["title"]
    assert client.sync_drift_issue(None, "prod", True, "2 resources drifted")[0] == "unchanged"
    assert client.sync_drift_issue(None, "prod", True, "3 resources drifted") == ("updated", url)
    assert issue["body"].endswith("3 resources drifted")
    assert client.sync_drift_issue(None, "staging", True, "other env")[0] == "opened"
    assert client.sync_drift_issue(None, "prod", False, "drift is gone") == ("closed", url)
    assert issue["state"] == "closed"
    assert fake_github.comments_on(1)[-1]["body"].endswith("drift is gone")
    assert fake_github.issues[2]["state"] == "open"
    assert client.sync_drift_issue(None, "prod", True, "back again")[0] == "opened"
    assert len(fake_github.issues) == 3


def test_drift_issue_search_pages_through_labelled_issues(fake_github, make_client):
    client = make_client(per_page=2)
    for env in ("a1", "a2", "a3", "a4", "a5"):
        client.sync_drift_issue(None, env, True, "drift")
    fake_github.requests.clear()
    assert client.sync_drift_issue(None, "a1", True, "more drift")[0] == "updated"
    listed = fake_github.calls("GET", "/issues$")
    assert [r.query.get("page", "1") for r in listed] == ["1", "2", "3"]
    assert all(r.query["labels"] == "platformctl-drift" and r.query["state"] == "open" for r in listed)


# -- configuration ---------------------------------------------------------------------------------------------


def test_config_reads_the_github_actions_environment(tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 42}}))
    config = GitHubConfig.from_environ(
        {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_PATH": str(event)}
    )
    assert (config.repository, config.api_url, config.pr_number) == ("o/r", "https://api.github.com", 42)
    event.write_text(json.dumps({"number": 5}))
    enterprise = GitHubConfig.from_environ(
        {
            "GITHUB_TOKEN": "t",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_API_URL": "https://ghe.example/api/v3/",
            "GITHUB_EVENT_PATH": str(event),
        },
        pr=9,
    )
    assert (enterprise.api_url, enterprise.pr_number) == ("https://ghe.example/api/v3", 9)


@pytest.mark.parametrize(
    "environ, words",
    [
        ({"GITHUB_REPOSITORY": "o/r"}, "GITHUB_TOKEN is not set"),
        ({"GITHUB_TOKEN": "t"}, "GITHUB_REPOSITORY is not set"),
        ({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "just-a-name"}, "owner/name"),
        ({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "o/r"}, "no pull request number"),
    ],
)
def test_missing_configuration_is_one_line_with_a_hint(environ, words):
    with pytest.raises(GitHubConfigError) as info:
        GitHubConfig.from_environ(environ)
    assert words in info.value.message and info.value.hint and "\n" not in info.value.one_line()


def test_event_without_a_pull_request_needs_pr(tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main"}))
    with pytest.raises(GitHubConfigError) as info:
        GitHubConfig.from_environ({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_PATH": str(event)})
    assert "--pr" in info.value.one_line()


def test_client_from_environ(fake_github):
    client = GitHubClient.from_environ(fake_github.environ(), pr=3)
    assert client.config.pr_number == 3 and client.config.api_url == fake_github.base_url
