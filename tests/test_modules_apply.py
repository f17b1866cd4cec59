"""Apply the modules the platform stack does not use with the real Terraform binary, read them back with boto3,
re-plan, destroy.

The modules are applied concurrently up front (the slow part), then each test checks one module's security
settings as AWS reports them, proves a re-plan has no changes, destroys it and checks it is gone. Terraform runs in
a temporary copy of modules/ and tests/fixtures/, so no .terraform or state lands in the repository. The modules
the stack uses are applied with it, once per run, in tests/deployment.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from platform_cli.core.tfconfig import init_lock

# The modules are applied once, by the worker that runs these tests (`make test` runs pytest-xdist).
pytestmark = pytest.mark.xdist_group("modules-apply")

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REGION = "eu-west-1"

# The modules the platform stack does not use. container_registry, artifact_store and monitoring are applied as
# part of the real stack once per run (tests/deployment), which checks the same settings on what it deployed.
MODULES = ("state_backend", "github_oidc")

TERRAFORM_INIT_TIMEOUT_SECONDS = 120
TERRAFORM_APPLY_TIMEOUT_SECONDS = 300
TERRAFORM_PLAN_TIMEOUT_SECONDS = 120


# -- Terraform workspaces ------------------------------------------------------------------------------------


@dataclass
class Workspace:
    """One module's test root, copied into a temp dir, with its own local state."""

    module: str
    root: Path
    env: dict[str, str]
    outputs: dict[str, Any] | None = None
    destroyed: bool = False

    def terraform(self, *args: str, timeout: float, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        try:
            proc = subprocess.run(
                ["terraform", *args], cwd=self.root, env=self.env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            partial = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            raise AssertionError(
                f"terraform {args[0]} in {self.module} took over {timeout}s:\n{partial[-4000:]}"
            ) from None
        if proc.returncode not in ok:
            raise AssertionError(
                f"terraform {' '.join(args)} in {self.module} exited {proc.returncode}:\n"
                f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
            )
        return proc

    def init(self) -> None:
        with init_lock():
            self.terraform("init", "-input=false", "-no-color", timeout=TERRAFORM_INIT_TIMEOUT_SECONDS)

    def apply(self) -> None:
        self.terraform("apply", "-auto-approve", "-input=false", "-no-color", timeout=TERRAFORM_APPLY_TIMEOUT_SECONDS)
        shown = self.terraform("output", "-json", timeout=TERRAFORM_PLAN_TIMEOUT_SECONDS)
        self.outputs = {name: o["value"] for name, o in json.loads(shown.stdout).items()}

    def plan_exit_code(self) -> tuple[int, str]:
        proc = self.terraform(
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            timeout=TERRAFORM_PLAN_TIMEOUT_SECONDS,
            ok=(0, 1, 2),
        )
        return proc.returncode, proc.stdout + proc.stderr

    def destroy(self) -> None:
        self.terraform("destroy", "-auto-approve", "-input=false", "-no-color", timeout=TERRAFORM_APPLY_TIMEOUT_SECONDS)
        self.destroyed = True


def _copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*"))


# -- The AWS emulator ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aws_env(sandbox) -> dict[str, str]:
    """AWS variables targeting the session's sandbox (tests/conftest.py)."""
    return dict(sandbox.env)


@pytest.fixture(scope="module")
def aws(aws_env: dict[str, str]):
    """boto3 client factory for the emulator."""

    def client(service: str):
        return boto3.client(
            service,
            endpoint_url=aws_env["AWS_ENDPOINT_URL"],
            region_name=REGION,
            aws_access_key_id=aws_env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=aws_env["AWS_SECRET_ACCESS_KEY"],
        )

    return client


@pytest.fixture(scope="module")
def applied(
    aws_env: dict[str, str], terraform_env, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Workspace]]:
    """Every module applied into the emulator; whatever a test did not destroy is destroyed afterwards."""
    base = tmp_path_factory.mktemp("modules-apply")
    _copy_tree(REPO_ROOT / "modules", base / "modules")
    env = terraform_env(aws_env)
    workspaces = {}
    for module in MODULES:
        root = base / "tests" / "fixtures" / module
        _copy_tree(FIXTURES / module, root)
        workspaces[module] = Workspace(module, root, env)
    for ws in workspaces.values():  # sequential: concurrent inits race on the shared plugin cache
        ws.init()
    with ThreadPoolExecutor(max_workers=len(workspaces)) as pool:
        applies = {m: pool.submit(ws.apply) for m, ws in workspaces.items()}
    errors = {m: f.exception() for m, f in applies.items() if f.exception() is not None}
    try:
        if errors:
            pytest.fail("apply failed:\n" + "\n".join(f"{m}: {e}" for m, e in errors.items()))
        yield workspaces
    finally:
        for ws in workspaces.values():
            if not ws.destroyed:
                ws.destroy()


def _replan_then_destroy(ws: Workspace) -> None:
    code, text = ws.plan_exit_code()
    assert code == 0, f"re-plan of {ws.module} is not clean (exit {code}):\n{text[-4000:]}"
    ws.destroy()


def _statements(policy: str | dict) -> list[dict]:
    doc = json.loads(policy) if isinstance(policy, str) else policy
    statements = doc["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _assert_bucket_is_locked_down(s3, bucket: str, kms_key_arn: str) -> None:
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"

    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == kms_key_arn
    assert rule["BucketKeyEnabled"] is True

    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }

    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]

    tls_denials = [
        s
        for s in _statements(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        if s["Effect"] == "Deny"
        and _as_list(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")) == ["false"]
    ]
    assert tls_denials, f"{bucket}: no statement denies non-TLS requests"
    assert set(_as_list(tls_denials[0]["Resource"])) == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}


def _assert_key_rotates(kms, key_arn: str) -> None:
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    assert kms.describe_key(KeyId=key_arn)["KeyMetadata"]["KeyManager"] == "CUSTOMER"


# -- The tests -----------------------------------------------------------------------------------------------


def test_state_backend_is_versioned_encrypted_and_tls_only(applied, aws):
    ws = applied["state_backend"]
    s3, kms = aws("s3"), aws("kms")
    bucket, key_arn = ws.outputs["bucket_name"], ws.outputs["kms_key_arn"]

    _assert_bucket_is_locked_down(s3, bucket, key_arn)
    _assert_key_rotates(kms, key_arn)
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 120
    assert ws.outputs["backend_config"] == {"bucket": bucket, "region": REGION, "encrypt": True, "use_lockfile": True}

    _replan_then_destroy(ws)
    assert bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def _web_identity_conditions(iam, role_arn: str) -> dict[str, Any]:
    role = iam.get_role(RoleName=role_arn.rsplit("/", 1)[1])["Role"]
    doc = role["AssumeRolePolicyDocument"]
    (statement,) = _statements(doc if isinstance(doc, dict) else json.loads(doc))
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    return statement["Condition"]["StringEquals"]


def test_github_oidc_roles_trust_only_the_repository_and_environment(applied, aws):
    ws = applied["github_oidc"]
    iam = aws("iam")

    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ws.outputs["oidc_provider_arn"])
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    assert provider["Url"].removeprefix("https://") == "token.actions.githubusercontent.com"

    plan = _web_identity_conditions(iam, ws.outputs["plan_role_arn"])
    assert plan == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:example-org/platform-kit:pull_request",
    }

    apply_roles = ws.outputs["apply_role_arns"]
    assert set(apply_roles) == {"staging", "prod"}
    prod = _web_identity_conditions(iam, apply_roles["prod"])
    assert prod["token.actions.githubusercontent.com:sub"] == "repo:example-org/platform-kit:environment:production"
    staging = _web_identity_conditions(iam, apply_roles["staging"])
    assert staging["token.actions.githubusercontent.com:sub"] == "repo:example-org/platform-kit:environment:staging"

    promote = ws.outputs["promote_role_arns"]["prod"]
    assert (
        _web_identity_conditions(iam, promote)["token.actions.githubusercontent.com:sub"]
        == "repo:example-org/platform-kit:environment:prod-promote"
    )
    promote_name = promote.rsplit("/", 1)[1]
    records = iam.get_role_policy(RoleName=promote_name, PolicyName="terraform-state-read-records-write")
    writes = [st for st in records["PolicyDocument"]["Statement"] if "s3:PutObject" in st["Action"]]
    assert sorted(
        r for st in writes for r in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])
    ) == [
        "arn:aws:s3:::mlplatform-apply-test-tfstate/*.platformctl/lock.json",
        "arn:aws:s3:::mlplatform-apply-test-tfstate/*.platformctl/log/*-request-*.json",
        "arn:aws:s3:::mlplatform-apply-test-tfstate/*.platformctl/numbers/*",
        "arn:aws:s3:::mlplatform-apply-test-tfstate/*.platformctl/plans/*",
        "arn:aws:s3:::mlplatform-apply-test-tfstate/*.tflock",
    ]

    plan_name = ws.outputs["plan_role_arn"].rsplit("/", 1)[1]
    attached = iam.list_attached_role_policies(RoleName=plan_name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [ws.outputs["plan_role_policy_arn"]]
    state = json.dumps(iam.get_role_policy(RoleName=plan_name, PolicyName="terraform-state-read")["PolicyDocument"])
    assert "s3:PutObject" in state and "*.tflock" in state

    _replan_then_destroy(ws)
    remaining = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert ws.outputs["oidc_provider_arn"] not in remaining
