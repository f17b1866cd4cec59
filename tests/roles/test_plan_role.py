"""plan.yml's plan job as the role it assumes: the read-only plan role plans every environment, prod included,
and writes nothing to the state bucket but lock files that are gone again; asking for approval is refused by the
role's policy (AWS's AccessDenied), not only by platformctl."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.real, pytest.mark.xdist_group("bootstrap-roles")]


def test_the_plan_role_plans_prod_and_leaves_the_state_bucket_as_it_was(account):
    before = account.state_objects()
    planned = account.run("plan", "prod", credentials=account.plan_role())
    assert planned.exit_code == 2, planned.output
    assert account.state_objects() == before  # the lock came and went; no request, no plan bytes


def test_the_plan_role_cannot_make_a_request(account):
    before = account.state_objects()
    refused = account.run("plan", "prod", "--request", credentials=account.plan_role())
    assert refused.exit_code == 1, refused.output
    errors = [line for line in refused.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "AccessDenied" in errors[0], refused.stderr
    assert account.state_objects() == before
