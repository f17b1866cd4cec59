"""Fixtures for the comment tests (rendering, the GitHub client): a client pointed at the local fake GitHub server.

This folder is not named `github`: on the import path that name would shadow PyGithub's `github` package."""

from __future__ import annotations

import pytest
from fakes.fake_github import FakeGitHub

from platform_cli.github.client import GitHubClient, RateLimitRetry


@pytest.fixture
def slept() -> list[float]:
    """Waits the client asked for (recorded instead of slept, so tests never wait or time anything)."""
    return []


@pytest.fixture
def make_client(fake_github: FakeGitHub, slept: list[float]):
    def make(pr: int | None = 7, per_page: int = 100, total: int = 4, **environ: str) -> GitHubClient:
        return GitHubClient.from_environ(
            fake_github.environ(**environ),
            pr=pr,
            need_pr=False,
            per_page=per_page,
            retry=RateLimitRetry(total=total, sleep=slept.append),
            seconds_between_requests=None,
            seconds_between_writes=None,
        )

    return make
