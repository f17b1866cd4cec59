"""Start, stop and find the local sandbox (platform_cli.sandbox.server in a background process).

State lives in one directory the caller names (platformctl decides it in one place: core.paths.Paths.sandbox_dir):
sandbox.json says which pid serves which port, server.log holds its output. Nothing here imports Click or the
platformctl core; errors are SandboxError subclasses with one-line messages that say what to do next.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .constants import (
    DEFAULT_PORT,
    DEFAULT_REGION,
    EXIT_PORT_IN_USE,
    HEALTH_PATH,
    LOOPBACK,
    SANDBOX_STATE_BUCKET,
)
from .faults import FAULTS_ENVVAR, parse_rate
from .iam import DECISION_LOG, MODE_ENVVAR, parse_mode

START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
HEALTH_REQUEST_TIMEOUT_SECONDS = 1.0
POLL_INTERVAL_SECONDS = 0.05
STATE_FILE = "sandbox.json"
LOG_FILE = "server.log"

TEST_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

__all__ = [
    "SANDBOX_STATE_BUCKET",
    "SandboxError",
    "PortInUseError",
    "AlreadyRunningError",
    "SandboxInfo",
    "start",
    "stop",
    "status",
    "ensure_running",
    "env_vars",
    "backend_config",
    "default_account",
    "state_bucket_for",
    "ensure_state_bucket",
    "free_port",
]


class SandboxError(Exception):
    """A sandbox operation that could not be done; the message is one line for the user."""


class PortInUseError(SandboxError):
    pass


class AlreadyRunningError(SandboxError):
    pass


@dataclass(frozen=True)
class SandboxInfo:
    pid: int
    port: int
    state_dir: str
    started_at: float
    enforce_iam: str = "off"  # IAM enforcement: off, hard or soft (iam/)
    faults: float = 0.0  # share of calls answered with AWS's throttling and 5xx errors (faults.py)

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def log_file(self) -> Path:
        return Path(self.state_dir) / LOG_FILE

    @property
    def iam_decision_log(self) -> Path:
        return Path(self.state_dir) / DECISION_LOG

    @property
    def env(self) -> dict[str, str]:
        return env_vars(self.endpoint)


def env_vars(endpoint: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """What boto3, the AWS CLI and Terraform (provider and S3 backend) need to talk to the sandbox."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        **TEST_CREDENTIALS,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        # No instance metadata service here; without this the SDKs probe it and wait.
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def default_account() -> str:
    """The account a request lands in unless its key names another (moto's default, or MOTO_ACCOUNT_ID)."""
    from moto.core import DEFAULT_ACCOUNT_ID

    return os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)


def state_bucket_for(account: str) -> str:
    """An account's Terraform state bucket in the sandbox: the default account's is made when the sandbox starts,
    any other account's on first use (ensure_state_bucket), each in its own account."""
    return SANDBOX_STATE_BUCKET if account == default_account() else f"{SANDBOX_STATE_BUCKET}-{account}"


def ensure_state_bucket(s3: Any, endpoint: str, account: str, region: str = DEFAULT_REGION) -> str:
    """`account`'s state bucket (versioned, as a real state bucket is). `s3` is the client the caller reads state
    with (one HeadBucket, no client of its own on the common path); a missing bucket is made by the account's root."""
    import boto3

    from .accounts import root_credentials

    bucket = state_bucket_for(account)
    if bucket == SANDBOX_STATE_BUCKET:
        return bucket
    try:
        s3.head_bucket(Bucket=bucket)
        return bucket
    except Exception:  # noqa: BLE001 - 404: not made yet (or the caller may not see it: the root makes it anyway)
        pass
    keys = root_credentials(account)
    root = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
    )
    try:
        root.head_bucket(Bucket=bucket)
    except Exception:  # noqa: BLE001 - 404: make it
        try:
            root.create_bucket(Bucket=bucket)
            root.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        except Exception as exc:  # noqa: BLE001
            raise SandboxError(f"cannot make the state bucket {bucket} of account {account}: {exc}") from None
    return bucket


def backend_config(key: str | None = None, region: str = DEFAULT_REGION) -> dict[str, str]:
    """-backend-config overrides that keep Terraform's S3 backend state in the sandbox's own bucket.

    The endpoint comes from AWS_ENDPOINT_URL (env_vars), which the S3 backend honours; path-style addressing
    because the endpoint is an IP; the skip_* flags because there is no real STS/IMDS/region list to check.
    """
    config = {
        "bucket": SANDBOX_STATE_BUCKET,
        "region": region,
        "use_path_style": "true",
        "use_lockfile": "true",
        "skip_credentials_validation": "true",
        "skip_requesting_account_id": "true",
        "skip_metadata_api_check": "true",
        "skip_region_validation": "true",
    }
    if key:
        config["key"] = key
    return config


def _state_dir(state_dir: str | Path) -> Path:
    return Path(state_dir).resolve()


def _read_state(directory: Path) -> SandboxInfo | None:
    try:
        data = json.loads((directory / STATE_FILE).read_text())
        return SandboxInfo(
            pid=int(data["pid"]),
            port=int(data["port"]),
            state_dir=str(directory),
            started_at=float(data["started_at"]),
            enforce_iam=str(data.get("enforce_iam", "off")),
            faults=float(data.get("faults", 0.0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_state(info: SandboxInfo) -> None:
    path = Path(info.state_dir) / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(info), indent=2))
    tmp.replace(path)


def _clear_state(directory: Path) -> None:
    (directory / STATE_FILE).unlink(missing_ok=True)


def _health_pid(port: int) -> int | None:
    """The pid our sandbox reports on `port`, or None if nothing (or something else) answers there."""
    try:
        with urllib.request.urlopen(
            f"http://{LOOPBACK}:{port}{HEALTH_PATH}", timeout=HEALTH_REQUEST_TIMEOUT_SECONDS
        ) as response:
            data = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    if data.get("service") != "platformctl-sandbox":
        return None
    return int(data["pid"])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the server binds: connections of a just-stopped sandbox in TIME_WAIT must not count as "in use".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nobody is listening on right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def status(state_dir: str | Path) -> SandboxInfo | None:
    """The running sandbox recorded in state_dir, or None. A stale record (process gone) is cleaned up."""
    directory = _state_dir(state_dir)
    info = _read_state(directory)
    if info is None:
        return None
    if _pid_alive(info.pid) and _health_pid(info.port) == info.pid:
        return info
    if not _pid_alive(info.pid):
        _clear_state(directory)
    return None


def _log_tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def start(
    port: int | None = None,
    *,
    state_dir: str | Path,
    timeout: float = START_TIMEOUT_SECONDS,
    enforce_iam: str | None = None,
    faults: float | str | None = None,
) -> SandboxInfo:
    """Start the sandbox in the background on 127.0.0.1:port and wait until it answers.

    Without a port it takes DEFAULT_PORT when that is free, else any free port (a second checkout on the same
    machine gets its own sandbox); everything else reads the port from the sandbox's record. A port asked for
    explicitly is used or refused, never swapped. enforce_iam (off/hard/soft; default: PLATFORMCTL_SANDBOX_ENFORCE_IAM)
    holds every caller but the account's root to its IAM policies; faults (a share of calls, default:
    PLATFORMCTL_SANDBOX_FAULTS) are answered with AWS's throttling and 5xx errors (faults.py)."""
    try:
        mode = parse_mode(os.environ.get(MODE_ENVVAR) if enforce_iam is None else enforce_iam)
        rate = parse_rate(os.environ.get(FAULTS_ENVVAR) if faults is None else faults)
    except ValueError as error:
        raise SandboxError(str(error)) from None
    directory = _state_dir(state_dir)
    running = status(directory)
    if running:
        raise AlreadyRunningError(
            f"A sandbox is already running at {running.endpoint} (pid {running.pid}, state in {directory}); "
            "use it, or stop it first with `platformctl sandbox stop`."
        )
    if port is None:
        port = DEFAULT_PORT if _port_free(DEFAULT_PORT) else free_port()
    elif not _port_free(port):
        raise PortInUseError(
            f"Port {port} on {LOOPBACK} is already in use by another program; choose another with --port."
        )
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / LOG_FILE
    (directory / DECISION_LOG).unlink(missing_ok=True)  # a fresh sandbox: a fresh world and a fresh log
    iam_args = ["--enforce-iam", mode, "--iam-log", str(directory / DECISION_LOG)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "platform_cli.sandbox.server",
                "--port",
                str(port),
                *iam_args,
                "--faults",
                str(rate),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the terminal (and the CLI) that started it
        )
    info = SandboxInfo(
        pid=process.pid, port=port, state_dir=str(directory), started_at=time.time(), enforce_iam=mode, faults=rate
    )
    _write_state(info)

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            _clear_state(directory)
            if code == EXIT_PORT_IN_USE:
                raise PortInUseError(
                    f"Port {port} on {LOOPBACK} is already in use by another program; choose another with --port."
                )
            raise SandboxError(f"The sandbox exited during start (code {code}): {_log_tail(log_path)}")
        if _health_pid(port) == process.pid:
            return info
        time.sleep(POLL_INTERVAL_SECONDS)
    _terminate(process.pid, STOP_TIMEOUT_SECONDS)
    _clear_state(directory)
    raise SandboxError(f"The sandbox did not answer on {info.endpoint} within {timeout:.0f}s; see {log_path}.")


def _is_our_server(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return True  # no /proc (macOS): the pid file and the health check are all we have
    return b"platform_cli.sandbox.server" in cmdline


def _terminate(pid: int, timeout: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)  # reap it if we are its parent
        except ChildProcessError:
            finished = 0
        if finished or not _pid_alive(pid):
            return
        time.sleep(POLL_INTERVAL_SECONDS)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop(state_dir: str | Path, timeout: float = STOP_TIMEOUT_SECONDS) -> SandboxInfo | None:
    """Stop the sandbox; returns what was stopped, or None when none was running (stopping is idempotent)."""
    directory = _state_dir(state_dir)
    info = _read_state(directory)
    if info is None:
        return None
    if _pid_alive(info.pid) and _is_our_server(info.pid):
        _terminate(info.pid, timeout)
    else:
        info = None  # the recorded process is long gone: nothing was running
    _clear_state(directory)
    return info


def ensure_running(port: int | None = None, *, state_dir: str | Path) -> SandboxInfo:
    """The running sandbox, started first if needed (what the global --sandbox option calls)."""
    return status(state_dir) or start(port, state_dir=state_dir)
