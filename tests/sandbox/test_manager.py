"""Starting, finding and stopping the sandbox, and the refusals a user sees."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import boto3
import pytest
from click.testing import CliRunner

from platform_cli.cli import cli
from platform_cli.commands.sandbox import EXIT_NOT_RUNNING
from platform_cli.core.paths import SANDBOX_DIR_ENVVAR, WORK_DIR_ENVVAR
from platform_cli.sandbox import manager
from platform_cli.sandbox.accounts import root_credentials

pytestmark = pytest.mark.real  # every test here starts a sandbox process of its own


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    """A private sandbox state dir; the CLI commands find it through PLATFORMCTL_SANDBOX_DIR."""
    directory = tmp_path / "sandbox"
    monkeypatch.setenv(SANDBOX_DIR_ENVVAR, str(directory))
    yield directory
    manager.stop(directory)


def sandbox_cli(*args: str, root=None):
    """`platformctl [--root ROOT] sandbox ARGS` in-process."""
    prefix = ["--root", str(root)] if root else []
    return CliRunner().invoke(cli, [*prefix, "sandbox", *args])


def test_start_status_env_and_stop(state_dir):
    info = manager.start(manager.free_port(), state_dir=state_dir)
    assert info.endpoint == f"http://127.0.0.1:{info.port}"
    assert manager.status(state_dir) == info
    s3 = boto3.client(
        "s3",
        endpoint_url=info.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert manager.SANDBOX_STATE_BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert info.env["AWS_ENDPOINT_URL"] == info.endpoint
    assert info.env["AWS_ACCESS_KEY_ID"] == "testing" and info.env["AWS_REGION"] == "us-east-1"

    assert manager.stop(state_dir) == info
    assert manager.status(state_dir) is None


def test_sandbox_listens_on_loopback_only(state_dir):
    info = manager.start(manager.free_port(), state_dir=state_dir)
    try:
        table = open("/proc/net/tcp").read().splitlines()[1:]
    except OSError:
        pytest.skip("no /proc/net/tcp to read listening sockets from")
    listening = [line.split()[1] for line in table if line.split()[3] == "0A"]  # 0A = LISTEN
    ours = [address for address in listening if int(address.split(":")[1], 16) == info.port]
    assert ours == [f"0100007F:{info.port:04X}"]  # 127.0.0.1, little-endian hex


def test_restart_resets_world_and_state(state_dir):
    info = manager.start(manager.free_port(), state_dir=state_dir)
    s3 = boto3.client(
        "s3",
        endpoint_url=info.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="leftover")
    s3.put_object(Bucket=manager.SANDBOX_STATE_BUCKET, Key="env/terraform.tfstate", Body=b"{}")
    manager.stop(state_dir)
    info = manager.start(info.port, state_dir=state_dir)
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [manager.SANDBOX_STATE_BUCKET]
    assert s3.list_objects_v2(Bucket=manager.SANDBOX_STATE_BUCKET)["KeyCount"] == 0


def test_port_in_use_is_refused_with_a_clear_message(state_dir):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(manager.PortInUseError, match=f"Port {port} .* in use .*--port"):
            manager.start(port, state_dir=state_dir)
    assert manager.status(state_dir) is None


def test_already_running_is_refused_and_says_where(state_dir):
    info = manager.start(manager.free_port(), state_dir=state_dir)
    with pytest.raises(manager.AlreadyRunningError, match=f"already running at {info.endpoint}.*pid {info.pid}"):
        manager.start(manager.free_port(), state_dir=state_dir)


def test_stop_with_none_running_is_a_no_op(state_dir):
    assert manager.stop(state_dir) is None
    assert manager.stop(state_dir) is None


def test_stale_state_file_is_cleaned_up(state_dir):
    info = manager.start(manager.free_port(), state_dir=state_dir)
    manager._terminate(info.pid, manager.STOP_TIMEOUT_SECONDS)
    assert manager.status(state_dir) is None
    assert not (state_dir / manager.STATE_FILE).exists()
    assert manager.stop(state_dir) is None


def test_ensure_running_starts_once_then_reuses(state_dir):
    first = manager.ensure_running(manager.free_port(), state_dir=state_dir)
    assert manager.ensure_running(state_dir=state_dir) == first


def test_backend_config_points_at_the_sandbox_bucket():
    config = manager.backend_config(key="platform/staging.tfstate", region="eu-west-1")
    assert config["bucket"] == manager.SANDBOX_STATE_BUCKET
    assert config["key"] == "platform/staging.tfstate" and config["region"] == "eu-west-1"
    assert config["use_path_style"] == "true"


# ---------------------------------------------------------------------------------------------- the CLI group
def _keys(account: str) -> dict[str, str]:
    keys = root_credentials(account)
    return {"aws_access_key_id": keys["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": keys["AWS_SECRET_ACCESS_KEY"]}


def test_cli_start_status_env_push_stop(state_dir, sandbox):
    port = manager.free_port()
    result = sandbox_cli("start", "--port", str(port))
    assert result.exit_code == 0, result.output
    assert f"http://127.0.0.1:{port}" in result.output

    result = sandbox_cli("start", "--port", str(port))
    assert result.exit_code == 1 and "already running" in result.output

    assert sandbox_cli("status").exit_code == 0
    status = sandbox_cli("status", "--json")
    assert '"running": true' in status.output

    env = sandbox_cli("env").output
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in env
    assert "export AWS_ACCESS_KEY_ID=testing" in env
    prod_root = sandbox_cli("env", "--account", "222222222222").output
    assert "export AWS_ACCESS_KEY_ID=AKIAROOT222222222222" in prod_root
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in prod_root

    ecr = boto3.client(
        "ecr",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ecr.create_repository(repositoryName="cli-push")
    pushed = sandbox_cli("push-image", "cli-push", "--tag", "v7")
    assert pushed.exit_code == 0, pushed.output
    digest = pushed.output.strip()
    assert digest.startswith("sha256:") and len(digest) == 71
    images = ecr.describe_images(repositoryName="cli-push")["imageDetails"]
    assert [(i["imageDigest"], i["imageTags"]) for i in images] == [(digest, ["v7"])]

    # A stack's registry_url output names its own region; the push lands there, not in the default region.
    eu_ecr = boto3.client(
        "ecr",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    url = eu_ecr.create_repository(repositoryName="eu-repo")["repository"]["repositoryUri"]
    by_url = sandbox_cli("push-image", url)
    assert by_url.exit_code == 0, by_url.output
    assert eu_ecr.describe_images(repositoryName="eu-repo")["imageDetails"][0]["imageDigest"] == by_url.output.strip()

    # A registry URL of another account: the push lands in that account's registry.
    staging_ecr = boto3.client(
        "ecr", endpoint_url=f"http://127.0.0.1:{port}", region_name="eu-west-1", **_keys("111111111111")
    )
    staging_url = staging_ecr.create_repository(repositoryName="eu-repo")["repository"]["repositoryUri"]
    assert staging_url.startswith("111111111111.")
    to_staging = sandbox_cli("push-image", staging_url, "--tag", "s1")
    assert to_staging.exit_code == 0, to_staging.output
    assert staging_ecr.describe_images(repositoryName="eu-repo")["imageDetails"][0]["imageTags"] == ["s1"]

    missing = sandbox_cli("push-image", "no-such-repo")
    assert missing.exit_code == 1 and "no-such-repo" in missing.output

    stopped = sandbox_cli("stop")
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    again = sandbox_cli("stop")
    assert again.exit_code == 0 and "No sandbox is running" in again.output
    not_running = sandbox_cli("status")
    assert not_running.exit_code == EXIT_NOT_RUNNING
    assert sandbox_cli("env").exit_code == 1


def test_env_refuses_an_account_that_is_not_12_digits(state_dir):
    result = sandbox_cli("env", "--account", "2222")
    assert result.exit_code == 64 and "--account" in result.output and "12-digit" in result.output


def test_cli_port_in_use_is_one_line(state_dir):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        result = sandbox_cli("start", "--port", str(squatter.getsockname()[1]))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "in use" in result.output


def test_server_module_runs_standalone_and_reports_port_in_use():
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        completed = subprocess.run(
            [sys.executable, "-m", "platform_cli.sandbox.server", "--port", str(squatter.getsockname()[1])],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert completed.returncode == 98
    assert "cannot listen" in completed.stderr


def test_real_cli_subprocess_start_status_stop(tmp_path):
    env = {**os.environ, SANDBOX_DIR_ENVVAR: str(tmp_path / "sandbox")}
    port = str(manager.free_port())

    def platformctl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "platform_cli", "sandbox", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    try:
        started = platformctl("start", "--port", port)
        assert started.returncode == 0, started.stderr
        assert platformctl("status").returncode == 0
        assert f"AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in platformctl("env").stdout
    finally:
        stopped = platformctl("stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert platformctl("status").returncode == EXIT_NOT_RUNNING


def test_start_without_port_takes_a_free_one_when_the_default_is_taken(state_dir):
    """A second checkout on the same machine: 4566 is held by someone else, so start takes another port."""
    squatter = socket.socket()
    try:
        squatter.bind(("127.0.0.1", manager.DEFAULT_PORT))
        squatter.listen()
    except OSError:
        pass  # already held by another program: the situation this test is about
    try:
        result = sandbox_cli("start")
        assert result.exit_code == 0, result.output
        info = manager.status(state_dir)
        assert info is not None and info.port != manager.DEFAULT_PORT
        assert f"took free port {info.port}" in result.output
        env = sandbox_cli("env").output
        assert f"AWS_ENDPOINT_URL=http://127.0.0.1:{info.port}" in env
    finally:
        squatter.close()


def test_explicit_port_in_use_is_still_refused(state_dir):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        result = sandbox_cli("start", "--port", str(squatter.getsockname()[1]))
    assert result.exit_code == 1 and "already in use by another program; choose another with --port" in result.output


def test_root_decides_one_sandbox_folder_for_every_command(tmp_path, monkeypatch):
    """`--root X sandbox start` and `--root X --sandbox <command>` must find the same sandbox, from any cwd."""
    for name in (SANDBOX_DIR_ENVVAR, WORK_DIR_ENVVAR, "PLATFORMCTL_ROOT", "PLATFORMCTL_SANDBOX_PORT"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "checkout"
    (root / "envs").mkdir(parents=True)
    (root / "infra").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    expected_dir = root / ".platformctl" / "sandbox"
    try:
        started = sandbox_cli("start", "--port", str(manager.free_port()), root=root)
        assert started.exit_code == 0, started.output
        info = manager.status(expected_dir)
        assert info is not None, "sandbox start did not record itself under --root"
        doctor = CliRunner().invoke(cli, ["--root", str(root), "--sandbox", "doctor", "--json"])
        checks = {c["name"]: c for c in json.loads(doctor.stdout)}
        assert checks["sandbox"]["detail"] == f"running at {info.endpoint} (pid {info.pid})"
        assert checks["aws identity"]["status"] == "ok"
        assert manager.status(expected_dir) == info, "--sandbox started a second sandbox elsewhere"
        assert not (elsewhere / ".platformctl").exists()
    finally:
        manager.stop(expected_dir)
