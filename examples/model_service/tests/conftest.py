"""Fixtures for the sample model service: a real S3/ECR emulator (moto's HTTP server, on a free port) and a way to
run model_server.py as the container runs it (a subprocess with the platform's environment variables).

No boto3 mocks: the app and publish.py talk HTTP to moto exactly as they talk to AWS, through AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

EXAMPLE_DIR = Path(__file__).resolve().parents[1]
SERVER_SCRIPT = EXAMPLE_DIR / "model_server.py"
# Fake credentials for the emulator; tests also check that they never reach a log line.
FAKE_ACCESS_KEY = "AKIAMODELSERVICETEST"
FAKE_SECRET_KEY = "model-service-test-secret-do-not-log"
REGION = "eu-west-1"
START_DEADLINE_S = 20.0  # how long a started server may take to listen, load and answer (generous for slow CI)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The AWS part of the environment, for subprocesses and (monkeypatched) for this process's boto3."""
    env = {
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    return env


@pytest.fixture
def s3(aws_env: dict[str, str]) -> Any:
    import boto3

    return boto3.client("s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    """A fresh versioned bucket, like the artifact store modules/artifact_store creates."""
    name = f"model-artifacts-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


@dataclass
class Uploaded:
    key: str
    version_id: str
    sha256: str
    model: dict[str, Any]


@pytest.fixture
def upload(s3: Any, bucket: str):
    def _upload(model: dict[str, Any], key: str = "model-service/model.json") -> Uploaded:
        body = json.dumps(model).encode()
        version_id = s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"]
        return Uploaded(key=key, version_id=version_id, sha256=hashlib.sha256(body).hexdigest(), model=model)

    return _upload


@dataclass
class RunningServer:
    process: subprocess.Popen
    port: int = 0
    log_lines: list[str] = field(default_factory=list)
    _queue: queue.Queue = field(default_factory=queue.Queue)

    def __post_init__(self) -> None:
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log_lines.append(line)
            self._queue.put(json.loads(line))
        self._queue.put(None)  # end of output: the process has exited

    def wait_for(self, *names: str, timeout: float = START_DEADLINE_S) -> dict[str, Any] | None:
        """The next log event named one of `names` (None if the process exits first); fails after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                event = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"model_server.py logged none of {names} within {timeout} s") from None
            if event is None:
                return None
            if event["event"] == "listening":
                self.port = int(event["port"])
            if event["event"] in names:
                return event

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, Any]]:
        req = urllib.request.Request(
            self.url + path,
            data=body,
            method=method,
            headers={"Content-Type": "application/json"} if body is not None else {},
        )
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self.log_lines) if line.strip()]


@pytest.fixture
def start_server(aws_env: dict[str, str]) -> Iterator:
    """start_server(**MODEL_ARTIFACT_*) runs model_server.py on a free port (PORT=0) as the container runs it and
    returns once it has loaded its model or refused (then it has exited); its log lines are kept."""
    started: list[RunningServer] = []

    def _start(**variables: str) -> RunningServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MODEL_"))}
        env.update(aws_env, PORT="0", HOST="127.0.0.1", PYTHONUNBUFFERED="1")
        env.update(variables)
        process = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        server = RunningServer(process=process)
        started.append(server)
        event = server.wait_for("model_loaded", "refused")
        if event is None or event["event"] == "refused":
            process.wait(timeout=START_DEADLINE_S)
        return server

    yield _start
    for server in started:
        if server.process.poll() is None:
            server.process.terminate()
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
