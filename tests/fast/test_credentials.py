"""env.yaml `credentials`: how a terminal reaches an environment's account (core/credentials.py), and each
refusal of a mapping that names none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from platform_cli.core.aws import AwsTarget
from platform_cli.core.credentials import Credentials, target_for
from platform_cli.core.errors import NoCredentials, SettingsError
from platform_cli.core.paths import Paths
from platform_cli.core.settings import load_env

REPO = Path(__file__).resolve().parents[2]
PROD_ROLE = "arn:aws:iam::222222222222:role/platform-admin"


def _prod_with(tmp_path: Path, credentials: str) -> Paths:
    shutil.copytree(REPO / "envs", tmp_path / "envs")
    (tmp_path / "infra" / "platform").mkdir(parents=True)
    policy = tmp_path / "envs" / "prod" / "env.yaml"
    policy.write_text(policy.read_text() + credentials)
    return Paths(tmp_path)


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("credentials:\n  profile: prod-admin\n", Credentials(profile="prod-admin")),
        (f"credentials:\n  role_arn: {PROD_ROLE}\n", Credentials(role_arn=PROD_ROLE)),
    ],
)
def test_a_profile_or_a_role_in_the_environments_account_is_read(tmp_path, yaml, expected):
    settings = load_env(_prod_with(tmp_path, yaml), "prod")
    assert settings.credentials == expected
    assert settings.as_dict()["credentials"] == expected.as_dict()


def test_without_credentials_the_environment_uses_the_credentials_in_use(tmp_path):
    assert load_env(_prod_with(tmp_path, ""), "prod").credentials is None


@pytest.mark.parametrize(
    ("yaml", "reason"),
    [
        ("credentials: prod-admin\n", "exactly one of profile or role_arn"),
        ("credentials:\n  profile: a\n  role_arn: b\n", "exactly one of profile or role_arn"),
        ("credentials: {}\n", "exactly one of profile or role_arn"),
        ("credentials:\n  user: bob\n", "exactly one of profile or role_arn"),
        ("credentials:\n  profile: 'has space'\n", "is not a profile name"),
        ("credentials:\n  profile: 7\n", "is not a profile name"),
        ("credentials:\n  role_arn: platform-admin\n", "is not an IAM role ARN"),
        ("credentials:\n  role_arn: arn:aws:iam::111111111111:role/x\n", "is in account 111111111111, not this"),
    ],
)
def test_credentials_that_name_no_way_in_are_refused_naming_the_field(tmp_path, yaml, reason):
    with pytest.raises(SettingsError) as refused:
        load_env(_prod_with(tmp_path, yaml), "prod")
    assert "field 'credentials'" in refused.value.message and reason in refused.value.message
    assert "\n" not in refused.value.one_line()


def test_a_profile_that_is_not_in_the_aws_config_is_one_line_naming_it(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text("[profile other]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with pytest.raises(NoCredentials, match="prod: profile prod-admin is not in your AWS config"):
        target_for("prod", Credentials(profile="prod-admin"), "eu-west-1", AwsTarget())


def test_a_profiles_keys_are_what_boto3_and_terraform_both_get(tmp_path, monkeypatch):
    credentials_file = tmp_path / "credentials"
    credentials_file.write_text("[prod-admin]\naws_access_key_id = AKIAPROD\naws_secret_access_key = s3cr3t\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SESSION_TOKEN", "stale-token-of-another-session")
    target = target_for("prod", Credentials(profile="prod-admin"), "eu-west-1", AwsTarget(endpoint="http://x:1"))
    assert target.env["AWS_ACCESS_KEY_ID"] == "AKIAPROD" and target.env["AWS_SECRET_ACCESS_KEY"] == "s3cr3t"
    assert target.env["AWS_SESSION_TOKEN"] == "" and target.env["AWS_PROFILE"] == ""  # nothing else mixes in
    assert target.env["AWS_ENDPOINT_URL"] == "http://x:1"
    session_credentials = target.session("eu-west-1").get_credentials()
    assert session_credentials.access_key == "AKIAPROD" and not session_credentials.token
