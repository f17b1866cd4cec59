"""The OIDC subject a job's token carries, and the pluggable token sources."""

from __future__ import annotations

import base64
import json

import pytest

from harness import Subject, TokenUnavailable, first_available, unsigned


@pytest.mark.parametrize(
    ("subject", "sub"),
    [
        (Subject("octo/platform", "pull_request", "refs/pull/7/merge", 7), "repo:octo/platform:pull_request"),
        (Subject("octo/platform", "schedule", "refs/heads/main"), "repo:octo/platform:ref:refs/heads/main"),
        (
            Subject("octo/platform", "push", "refs/heads/main", environment="production"),
            "repo:octo/platform:environment:production",
        ),
    ],
)
def test_the_subject_is_environment_else_pull_request_else_ref(subject, sub):
    assert subject.sub == sub


def test_an_unsigned_token_carries_the_subject_and_audience():
    token = unsigned(Subject("octo/platform", "pull_request", "refs/pull/7/merge", 7))
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["sub"] == "repo:octo/platform:pull_request" and claims["aud"] == "sts.amazonaws.com"


def test_first_available_moves_past_a_source_that_cannot_mint_here():
    def missing(subject):
        raise TokenUnavailable("no issuer")

    subject = Subject("octo/platform", "push", "refs/heads/main")
    assert first_available(missing, lambda s: "tok")(subject) == "tok"
    with pytest.raises(TokenUnavailable, match="no issuer"):
        first_available(missing)(subject)
