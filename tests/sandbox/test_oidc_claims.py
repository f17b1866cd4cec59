"""Fast tests: the claims of a GitHub Actions job token, the trust-policy conditions, the issuer's signatures."""

from __future__ import annotations

import jwt
import pytest

from platform_cli.sandbox.iam.conditions import evaluate_condition_block
from platform_cli.sandbox.oidc.claims import InvalidRun, WorkflowRun, build_claims, subject
from platform_cli.sandbox.oidc.issuer import Issuer, UnverifiableToken

ISSUED_AT = 1_800_000_000
HOST = "token.actions.githubusercontent.com"


# -- subject -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (WorkflowRun("octo-org/octo-repo", ref="refs/heads/main"), "repo:octo-org/octo-repo:ref:refs/heads/main"),
        (WorkflowRun("octo-org/octo-repo"), "repo:octo-org/octo-repo:ref:refs/heads/main"),
        (WorkflowRun("octo-org/octo-repo", ref="refs/tags/v1.2"), "repo:octo-org/octo-repo:ref:refs/tags/v1.2"),
        (WorkflowRun("octo-org/octo-repo", pull_request=7), "repo:octo-org/octo-repo:pull_request"),
        (WorkflowRun("octo-org/octo-repo", environment="prod"), "repo:octo-org/octo-repo:environment:prod"),
        # A job in an environment names the environment, whatever triggered it.
        (
            WorkflowRun("octo-org/octo-repo", pull_request=7, environment="prod"),
            "repo:octo-org/octo-repo:environment:prod",
        ),
        (
            WorkflowRun(
                "octocat/my-repo",
                ref="refs/heads/main",
                owner_id="123456",
                repository_id="456789",
                immutable_subject=True,
            ),
            "repo:octocat@123456/my-repo@456789:ref:refs/heads/main",
        ),
        (
            WorkflowRun(
                "octocat/my-repo", environment="production", owner_id="1", repository_id="2", immutable_subject=True
            ),
            "repo:octocat@1/my-repo@2:environment:production",
        ),
    ],
)
def test_subject_has_githubs_default_form(run, expected):
    assert subject(run) == expected


def test_ids_alone_keep_the_classic_subject_but_fill_the_id_claims():
    run = WorkflowRun("octocat/my-repo", owner_id="123456", repository_id="456789")
    claims = build_claims(run, ISSUED_AT)
    assert claims["sub"] == "repo:octocat/my-repo:ref:refs/heads/main"
    assert (claims["repository_owner_id"], claims["repository_id"]) == ("123456", "456789")


# -- the claim set -----------------------------------------------------------------------------------------------


def test_environment_run_carries_githubs_claims_as_strings():
    run = WorkflowRun("octo-org/octo-repo", environment="prod", actor="mona", run_id="42", run_attempt=2)
    claims = build_claims(run, ISSUED_AT)

    assert claims["iss"] == "https://token.actions.githubusercontent.com"
    assert claims["aud"] == "sts.amazonaws.com"
    assert claims["environment"] == "prod"
    assert claims["repository"] == "octo-org/octo-repo"
    assert claims["repository_owner"] == "octo-org"
    assert claims["actor"] == "mona"
    assert (claims["run_id"], claims["run_attempt"]) == ("42", "2")
    assert (claims["ref"], claims["ref_type"], claims["event_name"]) == ("refs/heads/main", "branch", "push")
    assert claims["job_workflow_ref"] == "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main"
    assert len(claims["sha"]) == 40
    for name in ("repository_id", "repository_owner_id", "actor_id", "run_id", "run_attempt", "run_number"):
        assert isinstance(claims[name], str) and claims[name].isdigit(), name
    assert claims["jti"] != build_claims(run, ISSUED_AT)["jti"]


def test_token_lives_five_minutes_like_githubs():
    claims = build_claims(WorkflowRun("o/r"), ISSUED_AT)
    assert claims["iat"] == ISSUED_AT
    assert claims["exp"] == ISSUED_AT + 300
    assert claims["nbf"] < claims["iat"]


def test_pull_request_run_uses_the_merge_ref_and_event():
    claims = build_claims(WorkflowRun("o/r", pull_request=12), ISSUED_AT)
    assert claims["ref"] == "refs/pull/12/merge"
    assert claims["event_name"] == "pull_request"
    assert claims["base_ref"] == "main" and claims["head_ref"]
    assert "environment" not in claims


def test_tag_ref_and_custom_audience():
    claims = build_claims(WorkflowRun("o/r", ref="refs/tags/v1", audience="https://github.com/o"), ISSUED_AT)
    assert (claims["ref_type"], claims["aud"]) == ("tag", "https://github.com/o")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"repository": "no-slash"}, "OWNER/NAME"),
        ({"repository": "o/r", "ref": "main"}, "refs/heads/BRANCH"),
        ({"repository": "o/r", "ref": "refs/heads/main", "pull_request": 3}, "not both"),
        ({"repository": "o/r", "pull_request": 0}, "1 or more"),
        ({"repository": "o/r", "owner_id": "12ab"}, "must be a number"),
        ({"repository": "o/r", "immutable_subject": True, "owner_id": "1"}, "owner id and repository id"),
        ({"repository": "o/r", "environment": "bad:name"}, "environment"),
        ({"repository": "o/r", "audience": ""}, "audience"),
    ],
)
def test_runs_github_would_not_issue_a_token_for_are_refused(kwargs, fragment):
    with pytest.raises(InvalidRun, match=fragment):
        WorkflowRun(**kwargs)


def test_request_round_trip_and_unknown_fields():
    run = WorkflowRun("o/r", environment="prod", owner_id="1", repository_id="2", immutable_subject=True)
    assert WorkflowRun.from_request(run.to_request()) == run
    with pytest.raises(InvalidRun, match="unknown token request field"):
        WorkflowRun.from_request({"repository": "o/r", "sub": "repo:anything"})


# -- trust-policy conditions -------------------------------------------------------------------------------------

CONTEXT = {f"{HOST}:sub": "repo:o/r:environment:prod", f"{HOST}:aud": "sts.amazonaws.com"}


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"StringEquals": {f"{HOST}:sub": "repo:o/r:environment:prod"}}, True),
        ({"StringEquals": {f"{HOST}:sub": ["repo:o/r:pull_request", "repo:o/r:environment:prod"]}}, True),
        ({"StringEquals": {f"{HOST}:sub": "repo:o/r:environment:staging"}}, False),
        # Every key and every operator must hold.
        ({"StringEquals": {f"{HOST}:sub": "repo:o/r:environment:prod", f"{HOST}:aud": "other"}}, False),
        (
            {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}, "StringLike": {f"{HOST}:sub": "repo:o/r:*"}},
            True,
        ),
        ({"StringLike": {f"{HOST}:sub": "repo:o/other:*"}}, False),
        ({"StringLike": {f"{HOST}:sub": "repo:o/r:environment:pro?"}}, True),
        # StringLike is case-sensitive and treats regex characters literally.
        ({"StringLike": {f"{HOST}:sub": "REPO:o/r:*"}}, False),
        ({"StringLike": {f"{HOST}:sub": "repo:o.r:*"}}, False),
        ({"StringEqualsIgnoreCase": {f"{HOST}:sub": "REPO:O/R:ENVIRONMENT:PROD"}}, True),
        ({"ForAnyValue:StringLike": {f"{HOST}:sub": ["nope", "repo:o/r:*"]}}, True),
        ({"ForAllValues:StringEquals": {f"{HOST}:sub": "repo:o/r:environment:prod"}}, True),
        ({"StringNotEquals": {f"{HOST}:sub": "repo:o/r:environment:prod"}}, False),
        ({"StringNotLike": {f"{HOST}:sub": "repo:evil/*"}}, True),
        # Condition key names are case-insensitive.
        ({"StringEquals": {f"{HOST.upper()}:SUB": "repo:o/r:environment:prod"}}, True),
        # A key the token does not carry: positive operators fail, negated and IfExists ones pass.
        ({"StringEquals": {f"{HOST}:environment": "prod"}}, False),
        ({"StringEqualsIfExists": {f"{HOST}:environment": "prod"}}, True),
        ({"StringNotEquals": {f"{HOST}:environment": "prod"}}, True),
        ({"ForAnyValue:StringEquals": {f"{HOST}:environment": "prod"}}, False),
        ({"Null": {f"{HOST}:environment": "true"}}, True),
        ({"Null": {f"{HOST}:sub": "true"}}, False),
        # An operator the evaluator does not know refuses rather than admits.
        ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, False),
        ({}, True),
    ],
)
def test_trust_conditions(condition, holds):
    assert evaluate_condition_block(condition or {}, CONTEXT) is holds


# -- the issuer --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()


def test_issuer_signs_rs256_tokens_its_jwks_verifies(issuer):
    claims = build_claims(WorkflowRun("o/r"), ISSUED_AT)
    token = issuer.mint(claims)

    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["kid"], header["typ"]) == ("RS256", issuer.key_id, "JWT")
    key = jwt.PyJWK(issuer.jwks()["keys"][0])
    decoded = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience="sts.amazonaws.com",
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert decoded == claims
    assert issuer.verified_claims(token) == claims
    assert "d" not in issuer.jwks()["keys"][0]  # the private exponent stays home


def test_issuer_refuses_tokens_of_another_key_and_tampered_ones(issuer):
    claims = build_claims(WorkflowRun("o/r"), ISSUED_AT)
    with pytest.raises(UnverifiableToken):
        issuer.verified_claims(Issuer().mint(claims))

    forged_kid = jwt.encode(claims, Issuer()._private_key, algorithm="RS256", headers={"kid": issuer.key_id})
    with pytest.raises(UnverifiableToken, match="signature"):
        issuer.verified_claims(forged_kid)

    header, _, signature = issuer.mint(claims).split(".")
    other_payload = issuer.mint({**claims, "sub": "repo:o/r:environment:prod"}).split(".")[1]
    with pytest.raises(UnverifiableToken):
        issuer.verified_claims(f"{header}.{other_payload}.{signature}")
    with pytest.raises(UnverifiableToken, match="not a JWT"):
        issuer.verified_claims("not-a-token")


# -- the command's refusals, before any sandbox is asked ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--repo", "o/r", "--environment", "production", "--immutable-sub"], "owner id and repository id"),
        (["--repo", "o/r", "--ref", "main"], "refs/heads/BRANCH"),
        (["--repo", "o/r", "--ref", "refs/heads/main", "--pull-request", "2"], "not both"),
    ],
)
def test_oidc_token_refuses_runs_github_would_not_have_in_one_line(tmp_path, args, fragment):
    from click.testing import CliRunner

    from platform_cli.cli import cli

    result = CliRunner().invoke(
        cli, ["--no-color", "sandbox", "oidc-token", *args], env={"PLATFORMCTL_SANDBOX_DIR": str(tmp_path)}
    )
    assert result.exit_code == 64
    assert result.stdout == ""
    assert fragment in result.stderr
