"""`platformctl comment` end to end through the CLI: rendering a plan file, masking, posting to (fake) GitHub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from platform_cli.cli import cli
from platform_cli.github.comment import marker

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


def platformctl(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(
        cli, ["--no-color", "--root", str(REPO), *args], env={"PLATFORMCTL_MASKS": None, **(env or {})}
    )


def test_plan_json_renders_to_stdout_with_marker_and_verdict():
    result = platformctl("comment", "--plan-json", str(FIXTURES / "destroy.json"), "--env", "staging", "--no-scan")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(marker("staging"))
    assert "to destroy" in result.stdout


def test_output_file_gets_the_markdown(tmp_path):
    out = tmp_path / "comment.md"
    result = platformctl(
        "comment", "--plan-json", str(FIXTURES / "small.json"), "--env", "prod", "--no-scan", "--output", str(out)
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith(marker("prod")) and result.stdout == ""
    # prod is protected in envs/prod/env.yaml: the comment says who may approve an apply.
    assert "`production`" in text and "approval" in text


def test_masks_apply_to_the_comment(tmp_path):
    plan = json.loads((FIXTURES / "small.json").read_text())
    secret = "s3cr3t-value-planted-in-plan"
    changed = next(rc for rc in plan["resource_changes"] if rc["change"]["actions"] == ["update"])
    changed["change"]["after"]["planted"] = secret
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = platformctl(
        "comment",
        "--plan-json",
        str(path),
        "--env",
        "staging",
        "--no-scan",
        env={"PLANTED": secret, "PLATFORMCTL_MASKS": "env:PLANTED"},
    )
    assert result.exit_code == 0, result.output
    assert secret not in result.stdout and "***" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("comment",), "give one or more environments with saved plans, or --plan-json FILE --env NAME"),
        (("comment", "--plan-json", "x.json"), "--plan-json takes exactly one --env NAME and no ENV arguments"),
        (("comment", "staging", "--plan-json", "x.json", "--env", "staging"), "--plan-json takes exactly one --env"),
    ],
)
def test_usage_errors_exit_64(args, message):
    result = platformctl(*args)
    assert result.exit_code == 64 and message in result.stderr


def test_unreadable_or_foreign_plan_json_is_one_line(tmp_path):
    (tmp_path / "not.json").write_text("{nope")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    for name, words in (
        ("missing.json", "cannot read --plan-json"),
        ("not.json", "is not JSON"),
        ("other.json", "is not `terraform show -json` output of a plan"),
    ):
        result = platformctl("comment", "--plan-json", str(tmp_path / name), "--env", "staging", "--no-scan")
        assert result.exit_code == 1 and words in result.stderr
        assert "Traceback" not in result.stderr


def test_a_malformed_mask_refuses_to_run():
    result = platformctl(
        "comment",
        "--plan-json",
        str(FIXTURES / "small.json"),
        "--env",
        "staging",
        env={"PLATFORMCTL_MASKS": "bogus:thing"},
    )
    assert result.exit_code == 1 and "PLATFORMCTL_MASKS: entry 'bogus:thing'" in result.stderr


def test_post_twice_leaves_one_comment_updated(fake_github, tmp_path):
    fake_github.add_pull_request(42)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 42}}))
    env = {**fake_github.environ(), "GITHUB_EVENT_PATH": str(event)}
    first = platformctl(
        "comment", "--plan-json", str(FIXTURES / "small.json"), "--env", "staging", "--no-scan", "--post", env=env
    )
    assert first.exit_code == 0, first.output
    assert "plan comment created" in first.stderr
    second = platformctl(
        "comment", "--plan-json", str(FIXTURES / "destroy.json"), "--env", "staging", "--no-scan", "--post", env=env
    )
    assert second.exit_code == 0, second.output
    assert "plan comment updated" in second.stderr
    (only,) = fake_github.comments_on(42)
    assert only["body"].startswith(marker("staging")) and "to destroy" in only["body"]


def test_post_without_a_token_fails_before_any_work():
    result = platformctl(
        "comment",
        "--plan-json",
        "/nonexistent.json",
        "--env",
        "staging",
        "--post",
        env={"GITHUB_TOKEN": None, "GITHUB_REPOSITORY": "o/r"},
    )
    assert result.exit_code == 1 and "GITHUB_TOKEN is not set" in result.stderr
