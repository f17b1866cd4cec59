"""Shared fixtures: a real sandbox (moto + App Runner emulator) per test session, and a Terraform environment.

Two tiers: every test that uses the sandbox (directly or through another fixture) is marked `real`
automatically; `make test-fast` runs the rest (`pytest -m "not real"`), `make test` runs everything.

Imports: pytest imports test files by path (`--import-mode=importlib`, pyproject.toml). Code shared between tests
lives in plain modules under tests/support and tests/fakes, imported absolutely (`from support.cli_project import
REGION`) through pytest's `pythonpath`; conftest.py files hold fixtures only and are never imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.sandbox import Sandbox, started_sandbox

REPO_ROOT = Path(__file__).resolve().parents[1]


REAL_FIXTURES = {"sandbox", "iam_sandbox", "soft_sandbox"}  # iam_*: tests/sandbox/iam


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real: needs the sandbox or a Terraform apply (marked automatically)")


# The long chains of `make test` (xdist groups, minutes each), in the order workers should start them: pytest-xdist
# hands the first unit of work to each worker in turn, a second one to each at once, then the next to whichever
# worker finishes. So the four longest come first, one per worker, then one short test each, then the next two
# chains (picked up by the first workers to finish), then everything else. `make test` runs with
# --no-loadscope-reorder, which would otherwise put the groups with the most tests first, whatever their length.
FIRST_CHAINS = ("bootstrap-deploy", "deployment-staging", "fargate", "deployment-promotion")
NEXT_CHAINS = ("bootstrap-roles", "modules-apply")


def _group(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("xdist_group")
    return str(marker.args[0]) if marker and marker.args else None


def _long_chains_first(items: list[pytest.Item]) -> list[pytest.Item]:
    by_group: dict[str, list[pytest.Item]] = {}
    for item in items:
        group = _group(item)
        if group in FIRST_CHAINS + NEXT_CHAINS:
            by_group.setdefault(str(group), []).append(item)
    rest = [item for item in items if _group(item) not in FIRST_CHAINS + NEXT_CHAINS]
    first = [item for group in FIRST_CHAINS for item in by_group.get(group, [])]
    after = [item for group in NEXT_CHAINS for item in by_group.get(group, [])]
    return first + rest[:4] + after + rest[4:]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if REAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.real)
    items[:] = _long_chains_first(items)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One sandbox for the whole session, on a free port, with its state outside the repository (tests/deployment
    has its own, enforcing IAM)."""
    with started_sandbox(tmp_path_factory, "sandbox-state") as running:
        yield running


@pytest.fixture(scope="session")
def terraform_env() -> Callable[[dict[str, str]], dict[str, str]]:
    """Builds the environment a test's own Terraform runs in: os.environ without the caller's AWS variables,
    plus the given ones and the CLI config platformctl itself resolves (offline mirror + shared plugin cache)."""
    from platform_cli.core import tfconfig
    from platform_cli.core.paths import Paths

    provider_env = tfconfig.resolve(Paths.discover(REPO_ROOT)).env()

    def build(aws_env: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(aws_env)
        env.update(provider_env)
        env.update(TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
        return env

    return build


@pytest.fixture
def tf_env(sandbox: Sandbox, terraform_env) -> dict[str, str]:
    """The Terraform environment targeting the session's sandbox."""
    return terraform_env(sandbox.env)


@pytest.fixture
def fake_github():
    """A real local HTTP server standing in for GitHub's REST API (tests/fakes/fake_github.py); no network."""
    from fakes.fake_github import FakeGitHub

    server = FakeGitHub().start()
    try:
        yield server
    finally:
        server.stop()
