"""A small GitHub client: one plan comment per pull request and environment, one drift issue per environment.

Built on PyGithub 2.x. Configuration comes from what GitHub Actions provides:

    GITHUB_TOKEN        the token (never logged; never part of an error message)
    GITHUB_REPOSITORY   owner/name
    GITHUB_API_URL      https://api.github.com by default; https://HOST/api/v3 on GitHub Enterprise Server
    GITHUB_EVENT_PATH   the event JSON; the pull request number is `pull_request.number` (or `number`)

An explicit pull request number overrides the event. Every expected failure is a GitHubError (a PlatformError):
one line saying what was refused and a hint saying what to do.

Retries (urllib3 Retry under PyGithub, `RateLimitRetry` below): 5xx, 429 and GitHub's secondary rate limit (403
with Retry-After, or a rate-limit message) are retried with Retry-After honoured; a wait longer than
`max_wait_s` fails with one line instead of hanging a CI job. A POST that got a 5xx is not retried by urllib3:
GitHub may have created the comment anyway, so `upsert_comment` looks for its marker again before creating once
more (a stale duplicate plan comment would mislead a reviewer).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import github
import requests
from github import Auth, GithubException, GithubRetry
from github.Repository import Repository

from platform_cli.core.errors import PlatformError

DEFAULT_API_URL = "https://api.github.com"
DRIFT_LABEL = "platformctl-drift"
DEFAULT_MAX_WAIT_S = 300.0  # longest Retry-After we sit through; a CI job should fail rather than hang
DEFAULT_RETRIES = 5
DEFAULT_TIMEOUT_S = 30
# PyGithub spaces requests (0.25 s) and writes (1 s) as GitHub's best practices ask; tests turn it off.
DEFAULT_SECONDS_BETWEEN_REQUESTS = 0.25
DEFAULT_SECONDS_BETWEEN_WRITES = 1.0


class GitHubError(PlatformError):
    """Talking to GitHub failed in a way the user can act on."""


class GitHubConfigError(GitHubError):
    """GITHUB_TOKEN, GITHUB_REPOSITORY or the pull request number is missing or malformed."""


class GitHubAuthError(GitHubError):
    """HTTP 401: the token is missing, expired or revoked."""


class GitHubPermissionError(GitHubError):
    """HTTP 403 (not a rate limit): the token lacks a permission."""


class GitHubNotFound(GitHubError):
    """HTTP 404: repository, pull request or issue not found (or not visible to the token)."""


@dataclass(frozen=True)
class GitHubConfig:
    token: str = field(repr=False)
    repository: str
    api_url: str = DEFAULT_API_URL
    pr_number: int | None = None

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, *, pr: int | None = None, need_pr: bool = True
    ) -> GitHubConfig:
        environ = os.environ if environ is None else environ
        token = environ.get("GITHUB_TOKEN", "").strip()
        if not token:
            raise GitHubConfigError(
                "GITHUB_TOKEN is not set: cannot talk to GitHub",
                hint="in a workflow add `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` to the "
                "step; locally export a token that may write pull requests and issues",
            )
        repository = environ.get("GITHUB_REPOSITORY", "").strip()
        if not repository:
            raise GitHubConfigError(
                "GITHUB_REPOSITORY is not set: which repository should be used?",
                hint="export GITHUB_REPOSITORY=owner/name (GitHub Actions sets it)",
            )
        if repository.count("/") != 1 or not all(repository.split("/")):
            raise GitHubConfigError(
                f"GITHUB_REPOSITORY must be owner/name, not {repository!r}", hint="export GITHUB_REPOSITORY=owner/name"
            )
        api_url = (environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        number = pr if pr is not None else _event_pr_number(environ.get("GITHUB_EVENT_PATH"))
        if need_pr and number is None:
            raise GitHubConfigError(
                "no pull request number: not given and not found in the GitHub event",
                hint="pass --pr N, or run in a workflow triggered by pull_request",
            )
        return cls(token=token, repository=repository, api_url=api_url, pr_number=number)


def _event_pr_number(event_path: str | None) -> int | None:
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GitHubConfigError(
            f"cannot read the GitHub event at GITHUB_EVENT_PATH ({exc.__class__.__name__})", hint="pass --pr N"
        ) from None
    if not isinstance(event, dict):
        return None
    for candidate in ((event.get("pull_request") or {}).get("number"), event.get("number")):
        if isinstance(candidate, int) and candidate > 0:
            return candidate
    return None


class RateLimitRetry(GithubRetry):
    """GithubRetry (5xx, secondary rate limits) plus: 429 retried, Retry-After capped at `max_wait_s`, no urllib3
    retry of a POST after a 5xx, and an injectable `sleep` (tests record waits instead of waiting)."""

    def __init__(
        self, *, max_wait_s: float = DEFAULT_MAX_WAIT_S, sleep: Callable[[float], None] | None = None, **kwargs: Any
    ):
        self.max_wait_s = max_wait_s
        self.sleeper = sleep or time.sleep
        kwargs.setdefault("status_forcelist", [429, *range(500, 600)])
        kwargs.setdefault("backoff_factor", 1.0)
        kwargs.setdefault("backoff_max", 30.0)
        kwargs.setdefault("max_rate_limit_wait", max_wait_s)
        kwargs.setdefault("secondary_rate_wait", 60.0)
        kwargs.setdefault("raise_on_status", False)
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> RateLimitRetry:
        retry = super().new(**kw)
        retry.max_wait_s, retry.sleeper = self.max_wait_s, self.sleeper
        return retry

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST" and status_code >= 500:
            return False
        return super().is_retry(method, status_code, has_retry_after)

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        if seconds is not None and seconds > self.max_wait_s:
            raise GitHubError(
                f"GitHub asked us to wait {seconds:.0f} s (Retry-After) before retrying: longer than "
                f"the {self.max_wait_s:.0f} s we wait",
                hint="GitHub is rate limiting this token; run the step again later",
            )
        return seconds

    def sleep_for_retry(self, response: Any) -> bool:
        seconds = self.get_retry_after(response)
        if seconds:
            self.sleeper(seconds)
            return True
        return False

    def _sleep_backoff(self) -> None:
        backoff = self.get_backoff_time()
        if backoff > 0:
            self.sleeper(backoff)


@contextmanager
def _translated(what: str, *, repository: str, permission: str, target: str) -> Iterator[None]:
    """Turn PyGithub/requests failures into one-line GitHubErrors. `what` reads "update the plan comment"."""
    try:
        yield
    except GitHubError:
        raise
    except GithubException as exc:
        raise _error(exc, what, repository=repository, permission=permission, target=target) from None
    except requests.exceptions.RetryError as exc:
        raise GitHubError(
            f"GitHub kept failing while trying to {what} on {repository}, retries exhausted ({_retry_reason(exc)})",
            hint="GitHub may be having an outage (https://www.githubstatus.com); run the step again",
        ) from None
    except requests.exceptions.RequestException as exc:
        raise GitHubError(
            f"cannot reach GitHub to {what} on {repository} ({exc.__class__.__name__})",
            hint="check GITHUB_API_URL and the network",
        ) from None


def _retry_reason(exc: Exception) -> str:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return str(reason or "too many error responses").split(":")[0][:120]


def _message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or "").strip()
    return message.splitlines()[0][:200] if message else ""


def _error(exc: GithubException, what: str, *, repository: str, permission: str, target: str) -> GitHubError:
    status, message = exc.status, _message(exc)
    detail = f"HTTP {status}" + (f": {message}" if message else "")
    if status == 401:
        return GitHubAuthError(
            f"GitHub rejected the token ({detail})",
            hint="GITHUB_TOKEN is missing, expired or revoked: pass a valid token",
        )
    if status == 403 and "rate limit" not in message.lower():
        return GitHubPermissionError(
            f"GitHub refused to {what} on {repository} ({detail})",
            hint=f"the token lacks `{permission}`: add `permissions: {permission}` to the "
            f"workflow job (or use a token with that scope)",
        )
    if status == 403 or status == 429:
        return GitHubError(
            f"GitHub rate limit hit while trying to {what} on {repository} ({detail})",
            hint="wait a few minutes and run the step again",
        )
    if status == 404:
        return GitHubNotFound(
            f"{target} not found on {repository} ({detail})",
            hint="check GITHUB_REPOSITORY, GITHUB_API_URL and the number; a token without access "
            "to a private repository also gets 404",
        )
    return GitHubError(
        f"GitHub refused to {what} on {repository} ({detail})",
        hint="see the message above; run the step again if GitHub was having trouble",
    )


class GitHubClient:
    def __init__(
        self,
        config: GitHubConfig,
        *,
        retry: RateLimitRetry | None = None,
        per_page: int = 100,
        seconds_between_requests: float | None = DEFAULT_SECONDS_BETWEEN_REQUESTS,
        seconds_between_writes: float | None = DEFAULT_SECONDS_BETWEEN_WRITES,
        timeout_s: int = DEFAULT_TIMEOUT_S,
    ):
        self.config = config
        self._gh = github.Github(
            base_url=config.api_url,
            auth=Auth.Token(config.token),
            retry=retry or RateLimitRetry(total=DEFAULT_RETRIES),
            per_page=per_page,
            timeout=timeout_s,
            lazy=True,
            seconds_between_requests=seconds_between_requests,
            seconds_between_writes=seconds_between_writes,
        )

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, *, pr: int | None = None, need_pr: bool = True, **kwargs: Any
    ) -> GitHubClient:
        return cls(GitHubConfig.from_environ(environ, pr=pr, need_pr=need_pr), **kwargs)

    def _repo(self, repo: str | None) -> Repository:
        return self._gh.get_repo(repo or self.config.repository)

    # ----------------------------------------------------------------------------------------------------------
    # Pull-request comments
    # ----------------------------------------------------------------------------------------------------------

    def upsert_comment(self, repo: str | None, pr_number: int | None, marker: str, body: str) -> tuple[str, str]:
        """Create or update THE comment on the pull request whose body starts with `marker`.

        Returns (action, url) with action "created", "updated" or "unchanged"."""
        repo = repo or self.config.repository
        number = pr_number if pr_number is not None else self.config.pr_number
        if number is None:
            raise GitHubConfigError("no pull request number to comment on", hint="pass --pr N")
        if not body.startswith(marker):
            body = f"{marker}\n{body}"
        ctx = dict(repository=repo, permission="pull-requests: write", target=f"pull request #{number}")
        issue = self._repo(repo).get_issue(number)
        with _translated(f"read the comments of pull request #{number}", **ctx):
            existing = _find_comment(issue.get_comments(), marker)
        if existing is not None:
            if existing.body == body:
                return "unchanged", existing.html_url
            with _translated(f"update the plan comment on pull request #{number}", **ctx):
                existing.edit(body)
            return "updated", existing.html_url
        with _translated(f"comment on pull request #{number}", **ctx):
            try:
                return "created", issue.create_comment(body).html_url
            except GithubException as exc:
                if exc.status < 500:
                    raise
            # A 5xx on create: GitHub may have stored the comment anyway. Look again before creating once more.
            existing = _find_comment(issue.get_comments(), marker)
            if existing is None:
                return "created", issue.create_comment(body).html_url
            if existing.body != body:
                existing.edit(body)
            return "created", existing.html_url

    # ----------------------------------------------------------------------------------------------------------
    # Drift issues
    # ----------------------------------------------------------------------------------------------------------

    def sync_drift_issue(
        self,
        repo: str | None,
        env: str,
        drifting: bool,
        body: str,
        *,
        marker: str | None = None,
        label: str = DRIFT_LABEL,
        title: str | None = None,
    ) -> tuple[str, str | None]:
        """Keep one open issue per drifting environment: open it when drift appears, update it while drift lasts,
        close it (with `body` as a last comment) when drift is gone.

        Returns (action, url): "opened", "updated", "unchanged", "closed" or "none" (no drift, no issue)."""
        from .markdown import drift_marker

        repo = repo or self.config.repository
        marker = marker or drift_marker(env)
        title = title or f"Drift detected in {env}"
        ctx = dict(repository=repo, permission="issues: write", target="drift issue")
        repository = self._repo(repo)
        with _translated(f"list issues labelled {label}", **ctx):
            issue = next(
                (
                    i
                    for i in repository.get_issues(state="open", labels=[label])
                    if i.pull_request is None and ((i.body or "").startswith(marker) or i.title == title)
                ),
                None,
            )
        if not body.startswith(marker):
            body = f"{marker}\n{body}"
        if drifting:
            if issue is None:
                with _translated(f"open a drift issue for {env}", **ctx):
                    created = repository.create_issue(title=title, body=body, labels=[label])
                return "opened", created.html_url
            if issue.body == body:
                return "unchanged", issue.html_url
            with _translated(f"update the drift issue for {env}", **ctx):
                issue.edit(body=body)
            return "updated", issue.html_url
        if issue is None:
            return "none", None
        with _translated(f"close the drift issue for {env}", **ctx):
            issue.create_comment(body)
            issue.edit(state="closed", state_reason="completed")
        return "closed", issue.html_url

    # ----------------------------------------------------------------------------------------------------------
    # Environment approvals of a workflow run
    # ----------------------------------------------------------------------------------------------------------

    def run_approvers(self, run_id: int, environment: str, repo: str | None = None) -> list[str]:
        """Logins that approved this workflow run's deployment to `environment` (GitHub's environment protection
        is the gate; this reads who passed it): GET /repos/{repo}/actions/runs/{run_id}/approvals."""
        repo = repo or self.config.repository
        ctx = dict(repository=repo, permission="actions: read", target=f"workflow run {run_id}")
        with _translated(f"read the approvals of workflow run {run_id}", **ctx):
            _, data = self._gh.requester.requestJsonAndCheck("GET", f"/repos/{repo}/actions/runs/{run_id}/approvals")
        return [
            a["user"]["login"]
            for a in data or []
            if a.get("state") == "approved" and any(e.get("name") == environment for e in a.get("environments", []))
        ]


def _find_comment(comments: Any, marker: str) -> Any | None:
    """First comment whose body starts with the marker (PaginatedList: every page is read until found)."""
    for comment in comments:
        if (comment.body or "").lstrip().startswith(marker):
            return comment
    return None
