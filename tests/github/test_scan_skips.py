"""A plan's scan skips what the scan of the code skips: the inline `checkov:skip` comments (each with its reason)
reach the saved plan's scan through checkov's plan enrichment. Found by the workflow harness: without it, every
pull request's plan comment listed the artifact store's reasoned skips as failures."""

from __future__ import annotations

import json

import pytest
from comment_fixtures import FIXTURES

from platform_cli.core.paths import Paths
from platform_cli.core.scan import scan_plan_changes

pytestmark = pytest.mark.real  # runs checkov (seconds): not for the fast tier


def test_a_plan_scan_honours_the_skip_comments_in_the_stack_code() -> None:
    shown = json.loads((FIXTURES / "large.json").read_text())
    stack_dir = Paths.discover().stack_dir

    without_code = scan_plan_changes(shown, "prod")
    with_code = scan_plan_changes(shown, "prod", code_root=stack_dir)

    assert without_code.failures, "the fixture no longer exercises a skipped check"
    assert with_code.failures == []
    assert with_code.skipped >= len({f["check_id"] for f in without_code.failures})
