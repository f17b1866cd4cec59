"""platformctl killed in the middle of a protected apply: the log keeps the request, the approval and an outcome
of unknown for the interrupted attempt, and running apply again continues without duplicating anything."""

from __future__ import annotations

import signal
import subprocess
import time

import boto3
from support.cli_project import VENV_BIN

from platform_cli.sandbox.images import push_placeholder_image

WAIT_SECONDS = 180


def test_killing_platformctl_mid_apply_loses_nothing_and_apply_continues(project):
    bob = project.person("bob")
    assert project.invoke("plan", "prod", "--request").exit_code == 2
    assert project.invoke("approve", "prod", env=bob).exit_code == 0
    project.invoke("apply", "prod")  # prod's foundation (registry + bucket)
    digest = push_placeholder_image(f"{project.name}-prod", "v1", ecr_client=boto3.client("ecr"))
    assert project.invoke("plan", "prod", "--request", "--image", digest).exit_code == 2
    request = project.history("prod")[-1]
    assert project.invoke("approve", "prod", env=bob).exit_code == 0

    proc = subprocess.Popen(
        [str(VENV_BIN / "platformctl"), "--no-color", "--root", str(project.root), "apply", "prod"],
        env=project.full_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    logs = project.work_dir / "envs/prod/logs"
    deadline = time.monotonic() + WAIT_SECONDS
    while not any(b"terraform_data.deploy" in raw.read_bytes() for raw in logs.glob("*-apply.log.raw")):
        assert time.monotonic() < deadline and proc.poll() is None, "terraform apply never got going"
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)  # mid-apply: no chance to write anything more
    proc.wait()
    # Terraform writes to a file, not to the dead process: it finishes on its own and releases its lock.
    while not any(b"Apply complete!" in raw.read_bytes() for raw in logs.glob("*-apply.log.raw")):
        assert time.monotonic() < deadline, "the orphaned terraform apply never finished"
        time.sleep(0.2)
    mine = [e["kind"] for e in project.history("prod") if e.get("request_id") == request["request_id"]]
    assert mine == ["request", "approval", "apply-start"]

    again = project.invoke("apply", "prod")
    assert "Traceback" not in again.output
    entries = [e for e in project.history("prod") if e.get("request_id") == request["request_id"]]
    assert [e["kind"] for e in entries] == ["request", "approval", "apply-start", "apply-outcome"]
    assert entries[-1]["outcome"] == "unknown" and entries[-1]["finished"] is True
    assert project.history("prod")[-1]["kind"] == "verify"
    assert project.invoke("output", "prod", "--json").stdout.count(digest) == 1
    done = project.invoke("apply", "prod")
    assert done.exit_code == 1 and "was already applied" in done.stderr
