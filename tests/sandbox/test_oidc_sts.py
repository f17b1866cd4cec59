"""The sandbox as GitHub's OIDC issuer, and its STS refusing web identities as AWS does (real tier).

The roles and the OIDC provider are what modules/github_oidc really renders, applied with Terraform
(tests/fixtures/github_oidc_trust) into an account of their own, so nothing else in the session's sandbox shares
them. Tokens come from `platformctl sandbox oidc-token` (the key stays in the sandbox); STS is called with boto3.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa
from support.terraform_root import apply_root

from platform_cli.sandbox.oidc.claims import WorkflowRun
from platform_cli.sandbox.oidc.client import request_token

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "github_oidc_trust"
REPOSITORY = "example-org/platform-kit"
TRUST_ACCOUNT = "210987654321"  # the fixture's roles and provider live here
BARE_ACCOUNT = "310987654321"  # roles but no OIDC provider
REGION = "eu-west-1"
TERRAFORM_TIMEOUT_SECONDS = 300
CLI_TIMEOUT_SECONDS = 60
VENV_BIN = Path(sys.executable).parent

# One worker runs this module in order: pytest sets a module fixture up again when a worker comes back to the module
# after another one, and a second apply of `trust` into the same account finds its OIDC provider already there.
pytestmark = pytest.mark.xdist_group("oidc-sts")


def _account_credentials(sandbox, account: str) -> dict[str, str]:
    """Credentials that land in `account`: a session of a role there (the sandbox's STS, like AWS Organizations'
    OrganizationAccountAccessRole, hands them to the management account's caller)."""
    sts = sandbox.client("sts")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/test-admin", RoleSessionName="oidc-tests")[
        "Credentials"
    ]
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }


def _client(sandbox, service: str, credentials: dict[str, str] | None = None):
    keys = credentials or {k: sandbox.env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    return boto3.client(
        service,
        endpoint_url=sandbox.endpoint,
        region_name=REGION,
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=keys.get("AWS_SESSION_TOKEN"),
    )


@pytest.fixture(scope="module")
def trust(sandbox, terraform_env, tmp_path_factory) -> dict[str, str]:
    """modules/github_oidc applied (classic and immutable subjects) into TRUST_ACCOUNT; its outputs."""
    base = tmp_path_factory.mktemp("oidc-trust")
    shutil.copytree(REPO_ROOT / "modules" / "github_oidc", base / "modules" / "github_oidc")
    root = base / "tests" / "fixtures" / "github_oidc_trust"
    shutil.copytree(FIXTURE, root)
    env = terraform_env({**sandbox.env, **_account_credentials(sandbox, TRUST_ACCOUNT)})

    outputs = apply_root(root, env, timeout=TERRAFORM_TIMEOUT_SECONDS)
    assert outputs["oidc_provider_arn"].startswith(f"arn:aws:iam::{TRUST_ACCOUNT}:oidc-provider/")
    return outputs


@pytest.fixture(scope="module")
def token(sandbox) -> Callable[..., str]:
    """`platformctl sandbox oidc-token --repo REPOSITORY ARGS...` as a real subprocess: the token (last line)."""
    exe = VENV_BIN / "platformctl"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "platform_cli"]
    env = {**os.environ, "PLATFORMCTL_SANDBOX_DIR": sandbox.info.state_dir, "NO_COLOR": "1"}

    def mint(*args: str) -> str:
        proc = subprocess.run(
            [*cmd, "sandbox", "oidc-token", "--repo", REPOSITORY, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip().splitlines()[-1]

    return mint


def _assume(sandbox, role_arn: str, web_token: str) -> dict:
    return _client(sandbox, "sts").assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="github-actions", WebIdentityToken=web_token
    )


def _refusal(sandbox, role_arn: str, web_token: str) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as refused:
        _assume(sandbox, role_arn, web_token)
    error = refused.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


NOT_AUTHORIZED = (403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")


# -- the allowed subjects --------------------------------------------------------------------------------------


def test_environment_token_assumes_the_apply_role_as_an_assumed_role_session(sandbox, trust, token):
    role_arn = trust["classic_apply_role_arn"]
    role_name = role_arn.rsplit("/", 1)[1]

    session = _assume(sandbox, role_arn, token("--environment", "production"))

    expected_arn = f"arn:aws:sts::{TRUST_ACCOUNT}:assumed-role/{role_name}/github-actions"
    assert session["AssumedRoleUser"]["Arn"] == expected_arn
    creds = session["Credentials"]
    identity = _client(
        sandbox,
        "sts",
        {
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
        },
    ).get_caller_identity()
    assert (identity["Arn"], identity["Account"]) == (expected_arn, TRUST_ACCOUNT)


@pytest.mark.parametrize("context", [("--pull-request", "17"), ("--ref", "refs/heads/main")])
def test_plan_role_admits_pull_requests_and_the_listed_branch(sandbox, trust, token, context):
    session = _assume(sandbox, trust["classic_plan_role_arn"], token(*context))
    assert session["AssumedRoleUser"]["Arn"].endswith("-github-plan/github-actions")


# -- refusals --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "context"),
    [
        ("classic_plan_role_arn", ("--ref", "refs/heads/feature")),  # a branch not listed
        ("classic_plan_role_arn", ("--environment", "production")),  # the plan role trusts no environment
        ("classic_apply_role_arn", ("--environment", "staging")),  # the wrong environment
        ("classic_apply_role_arn", ("--pull-request", "17")),  # a pull request cannot apply
        ("classic_apply_role_arn", ("--ref", "refs/heads/main")),  # main, but outside the environment
    ],
)
def test_subjects_the_trust_policy_does_not_list_are_refused(sandbox, trust, token, role, context):
    assert _refusal(sandbox, trust[role], token(*context)) == NOT_AUTHORIZED


def test_another_repository_is_refused(sandbox, trust):
    other = request_token(sandbox.endpoint, WorkflowRun("example-org/fork-of-kit", environment="production"))
    assert _refusal(sandbox, trust["classic_apply_role_arn"], other["token"]) == NOT_AUTHORIZED


def test_token_for_another_audience_is_refused(sandbox, trust, token):
    web_token = token("--environment", "production", "--audience", "https://github.com/example-org")
    assert _refusal(sandbox, trust["classic_apply_role_arn"], web_token) == (
        400,
        "InvalidIdentityToken",
        "Incorrect token audience",
    )


def test_expired_token_is_refused(sandbox, trust):
    issued_an_hour_ago = int(time.time()) - 3600
    minted = request_token(sandbox.endpoint, WorkflowRun(REPOSITORY, environment="production"), issued_an_hour_ago)
    status, code, message = _refusal(sandbox, trust["classic_apply_role_arn"], minted["token"])
    assert (status, code) == (400, "ExpiredTokenException")
    assert message.startswith("Token expired: current date/time ")
    assert message.endswith(f"must be before the expiration date/time{minted['claims']['exp']}")


@pytest.mark.parametrize("same_key_id", [True, False])
def test_token_signed_with_another_key_is_refused(sandbox, trust, same_key_id):
    genuine = request_token(sandbox.endpoint, WorkflowRun(REPOSITORY, environment="production"))
    header = jwt.get_unverified_header(genuine["token"]) if same_key_id else {"kid": "attacker-key"}
    attacker_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(genuine["claims"], attacker_key, algorithm="RS256", headers={"kid": header["kid"]})

    status, code, message = _refusal(sandbox, trust["classic_apply_role_arn"], forged)
    assert (status, code) == (400, "InvalidIdentityToken")
    assert message.startswith("Couldn't retrieve verification key from your identity provider")
    # The genuine token for the same claims is admitted: only the signature differs.
    assert _assume(sandbox, trust["classic_apply_role_arn"], genuine["token"])["AssumedRoleUser"]


def test_account_without_the_oidc_provider_refuses(sandbox, trust, token):
    """The same trust policy, on a role in an account that has no GitHub OIDC provider."""
    trust_iam = _client(sandbox, "iam", _account_credentials(sandbox, TRUST_ACCOUNT))
    role_name = trust["classic_apply_role_arn"].rsplit("/", 1)[1]
    policy = json.dumps(trust_iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"])
    bare_iam = _client(sandbox, "iam", _account_credentials(sandbox, BARE_ACCOUNT))
    role = bare_iam.create_role(
        RoleName="no-provider-apply", AssumeRolePolicyDocument=policy.replace(TRUST_ACCOUNT, BARE_ACCOUNT)
    )["Role"]

    assert _refusal(sandbox, role["Arn"], token("--environment", "production")) == (
        400,
        "InvalidIdentityToken",
        "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com",
    )


# -- immutable subjects ------------------------------------------------------------------------------------------

IDS = ("--owner-id", "123456", "--repository-id", "456789")


def test_immutable_subject_assumes_the_role_that_trusts_it(sandbox, trust, token):
    web_token = token("--environment", "production", *IDS, "--immutable-sub")
    assert jwt.decode(web_token, options={"verify_signature": False})["sub"] == (
        "repo:example-org@123456/platform-kit@456789:environment:production"
    )
    session = _assume(sandbox, trust["immutable_apply_role_arn"], web_token)
    assert session["AssumedRoleUser"]["Arn"].endswith("oidc-immutable-github-apply-prod/github-actions")


def test_subject_forms_do_not_cross(sandbox, trust, token):
    classic = token("--environment", "production", *IDS)  # the IDs in their claims, but the classic subject
    immutable = token("--environment", "production", *IDS, "--immutable-sub")
    assert _refusal(sandbox, trust["immutable_apply_role_arn"], classic) == NOT_AUTHORIZED
    assert _refusal(sandbox, trust["classic_apply_role_arn"], immutable) == NOT_AUTHORIZED


# -- the issuer's public face ------------------------------------------------------------------------------------


def test_discovery_and_jwks_verify_the_issued_token(sandbox, token):
    web_token = token("--ref", "refs/heads/main", "--actor", "mona", "--run-id", "99")
    discovery = json.loads(_http_get(f"{sandbox.endpoint}/_sandbox/oidc/.well-known/openid-configuration"))
    assert discovery["issuer"] == "https://token.actions.githubusercontent.com"
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]

    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(web_token)
    claims = jwt.decode(
        web_token, key.key, algorithms=["RS256"], audience="sts.amazonaws.com", issuer=discovery["issuer"]
    )
    assert claims["sub"] == f"repo:{REPOSITORY}:ref:refs/heads/main"
    assert (claims["actor"], claims["run_id"], claims["repository"]) == ("mona", "99", REPOSITORY)
    assert set(claims) <= set(discovery["claims_supported"])


def _http_get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()
