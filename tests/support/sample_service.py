"""The real sample model service (examples/model_service/model_server.py) run on this machine the way App Runner runs
the deployed release: with the service's own runtime environment variables (model bucket, key, version, sha256,
metrics namespace, valid range) read back from the sandbox, loading its model by version from the sandbox's store.
What the container platform does with its stdout, App Runner's log shipping, is done here: its EMF lines are put
into the service's application log group, where the sandbox turns them into metrics (the one stand-in: nothing
here runs containers).

The service reads the store with the sandbox's root credentials, not its instance role: the role's permissions
are tested in tests/roles, not here.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

SERVER = Path(__file__).resolve().parents[2] / "examples" / "model_service" / "model_server.py"
BATCH = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, payload: Any) -> dict[str, Any]:
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def serve_requests(apprunner: Any, service_arn: str, aws_env: dict[str, str], rows: list[list[float]]) -> list[str]:
    """Start the service as the deployed release configures it, answer `rows` in batches, stop it; its EMF lines."""
    service = apprunner.describe_service(ServiceArn=service_arn)["Service"]
    runtime = service["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]["RuntimeEnvironmentVariables"]
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", **aws_env, **runtime, "HOST": "127.0.0.1", "PORT": str(port)}
    proc = subprocess.Popen(
        [sys.executable, str(SERVER)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, f"the service did not start: {proc.stderr}"
            time.sleep(0.1)
        for start in range(0, len(rows), BATCH):
            _post(f"http://127.0.0.1:{port}/predict", {"instances": rows[start : start + BATCH]})
    finally:
        proc.terminate()
        stdout, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr[-2000:]
    return [line for line in stdout.splitlines() if line.startswith("{")]


def ship_to_log_group(logs: Any, service: dict[str, Any], lines: list[str]) -> str:
    """Put the lines into the service's application log group, as App Runner does with a container's stdout."""
    group = f"/aws/apprunner/{service['ServiceName']}/{service['ServiceId']}/application"
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group)
    stream = f"instance/{time.time_ns()}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now_ms = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now_ms, "message": line} for line in lines],
    )
    return group
