"""How long does a full staging apply from empty take in the sandbox, next to plain moto, in the same run?

Per run, each against a fresh server and a fresh copy of infra/platform + modules (state in the server's S3):
  sandbox, full stack       apply without image -> push placeholder image -> apply with service_image=<digest>
                            (the e2e flow; the App Runner service only exists in the sandbox)
  sandbox, no-service stack the first of those applies on its own (registry, artifact store, monitoring)
  plain moto, no-service    the same apply against `moto_server` without the sandbox's fixes
  sandbox, Fargate stack    the full-stack flow for envs/fargate (VPC, ECS Fargate service behind an ALB), then
                            a re-plan (must show no changes) and a destroy, each timed
The like-for-like ratio compares the two no-service figures. `terraform init` is timed apart and left out.
Also printed: the longest single resource wait inside the aws provider (its own consistency waiters, which no
server can shorten), so the floor under any apply of this stack is visible.

Usage: .venv/bin/python bench/sandbox_apply.py [--runs N] [--plain-timeout S] [--no-fargate] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from platform_cli.sandbox import manager  # noqa: E402
from platform_cli.sandbox.images import push_placeholder_image  # noqa: E402

ENV = "staging"
REGION = "eu-west-1"
STATE_KEY = f"platform/{ENV}.tfstate"
TARGET_SECONDS = 15.0
# The aws provider's client-side waits in a Fargate apply from empty, against AWS as against any emulator: the
# artifact store's lifecycle configurations (55 s, foundation apply), then the ALB (30 s before each of its two
# active-waits) alongside the access-log bucket's lifecycle configuration (55 s) in the service apply.
FARGATE_PROVIDER_FLOOR_SECONDS = 55.0 + 60.0
SERVER_START_TIMEOUT_SECONDS = 30.0
COMPLETE_RE = re.compile(r"^(\S+): Creation complete after (?:(\d+)m)?(\d+)s", re.MULTILINE)


def _tf_env(endpoint: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(manager.env_vars(endpoint, region=REGION))
    env.update(
        TF_CLI_CONFIG_FILE=str(REPO / ".platformctl" / "terraform.rc"),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        TF_DATA_DIR=str(data_dir),
    )
    return env


def _workspace(root: Path, env: str = ENV) -> Path:
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "tests")
    shutil.copytree(REPO / "infra" / "platform", root / "infra" / "platform", ignore=ignore)
    shutil.copytree(REPO / "modules", root / "modules", ignore=ignore)
    shutil.copy(REPO / "envs" / env / "terraform.tfvars", root / "stack.tfvars")
    return root / "infra" / "platform"


def _terraform(args: list[str], cwd: Path, env: dict[str, str], timeout: float | None = None) -> tuple[float, str, int]:
    started = time.perf_counter()
    try:
        done = subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        output, code = done.stdout + done.stderr, done.returncode
    except subprocess.TimeoutExpired as expired:
        output, code = (
            (expired.stdout or b"").decode(errors="replace")
            if isinstance(expired.stdout, bytes)
            else (expired.stdout or ""),
            -1,
        )
    return time.perf_counter() - started, output, code


def _longest_wait(output: str) -> tuple[float, str]:
    waits = [(int(m or 0) * 60 + int(s), name) for name, m, s in COMPLETE_RE.findall(output)]
    return max(waits, default=(0, "-"))


def _init(stack: Path, env: dict[str, str], key: str = STATE_KEY) -> float:
    backend = [f"-backend-config={k}={v}" for k, v in manager.backend_config(key=key, region=REGION).items()]
    seconds, output, code = _terraform(["init", "-input=false", "-no-color", *backend], stack, env)
    if code != 0:
        raise SystemExit(f"terraform init failed:\n{output[-3000:]}")
    return seconds


def run_sandbox(tmp: Path) -> dict:
    state_dir = tmp / "sandbox-state"
    info = manager.start(manager.free_port(), state_dir=state_dir, timeout=SERVER_START_TIMEOUT_SECONDS)
    try:
        stack = _workspace(tmp / "ws")
        env = _tf_env(info.endpoint, tmp / "tf-data")
        init = _init(stack, env)
        var_file = f"-var-file={tmp / 'ws' / 'stack.tfvars'}"
        first, output, code = _terraform(["apply", "-auto-approve", "-no-color", var_file], stack, env)
        if code != 0:
            raise SystemExit(f"sandbox apply (no image) failed:\n{output[-3000:]}")
        longest = _longest_wait(output)
        started = time.perf_counter()
        outputs = json.loads(
            subprocess.run(
                ["terraform", "output", "-json"], cwd=stack, env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        import boto3

        ecr = boto3.client(
            "ecr",
            endpoint_url=info.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        digest = push_placeholder_image(outputs["repository_name"]["value"], "bench", ecr_client=ecr)
        push = time.perf_counter() - started
        second, output, code = _terraform(
            ["apply", "-auto-approve", "-no-color", var_file, "-var", f"service_image={digest}"], stack, env
        )
        if code != 0:
            raise SystemExit(f"sandbox apply (with image) failed:\n{output[-3000:]}")
        return {
            "init": init,
            "no_service": first,
            "full": first + push + second,
            "service_apply": second,
            "longest_wait": longest,
        }
    finally:
        manager.stop(state_dir)


def run_fargate(tmp: Path) -> dict:
    """envs/fargate from empty: foundation apply, image push, service apply; then re-plan and destroy."""
    state_dir = tmp / "sandbox-state"
    info = manager.start(manager.free_port(), state_dir=state_dir, timeout=SERVER_START_TIMEOUT_SECONDS)
    try:
        stack = _workspace(tmp / "ws", "fargate")
        env = _tf_env(info.endpoint, tmp / "tf-data")
        init = _init(stack, env, key="platform/fargate.tfstate")
        var_file = f"-var-file={tmp / 'ws' / 'stack.tfvars'}"
        first, output, code = _terraform(["apply", "-auto-approve", "-no-color", var_file], stack, env)
        if code != 0:
            raise SystemExit(f"fargate apply (no image) failed:\n{output[-3000:]}")
        started = time.perf_counter()
        outputs = json.loads(
            subprocess.run(
                ["terraform", "output", "-json"], cwd=stack, env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        import boto3

        ecr = boto3.client(
            "ecr",
            endpoint_url=info.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        digest = push_placeholder_image(outputs["repository_name"]["value"], "bench", ecr_client=ecr)
        push = time.perf_counter() - started
        image = ["-var", f"service_image={digest}"]
        second, output, code = _terraform(["apply", "-auto-approve", "-no-color", var_file, *image], stack, env)
        if code != 0:
            raise SystemExit(f"fargate apply (with image) failed:\n{output[-3000:]}")
        longest = _longest_wait(output)
        replan, output, code = _terraform(["plan", "-detailed-exitcode", "-no-color", var_file, *image], stack, env)
        if code != 0:
            raise SystemExit(f"fargate re-plan is not clean (exit {code}):\n{output[-3000:]}")
        destroy, output, code = _terraform(["destroy", "-auto-approve", "-no-color", var_file, *image], stack, env)
        if code != 0:
            raise SystemExit(f"fargate destroy failed:\n{output[-3000:]}")
        return {
            "init": init,
            "foundation": first,
            "service_apply": second,
            "full": first + push + second,
            "replan": replan,
            "destroy": destroy,
            "longest_wait": longest,
        }
    finally:
        manager.stop(state_dir)


def run_plain_moto(tmp: Path, timeout: float) -> dict:
    port = manager.free_port()
    moto = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        while True:
            try:
                s3.create_bucket(Bucket=manager.SANDBOX_STATE_BUCKET)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise SystemExit("moto_server did not start") from None
                time.sleep(0.1)
        stack = _workspace(tmp / "ws")
        env = _tf_env(endpoint, tmp / "tf-data")
        init = _init(stack, env)
        var_file = f"-var-file={tmp / 'ws' / 'stack.tfvars'}"
        seconds, output, code = _terraform(
            ["apply", "-auto-approve", "-no-color", var_file], stack, env, timeout=timeout
        )
        status = "ok" if code == 0 else ("timed out" if code == -1 else "failed")
        return {"init": init, "no_service": seconds, "status": status, "longest_wait": _longest_wait(output)}
    finally:
        moto.terminate()
        moto.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per target (median reported; default 3)")
    parser.add_argument(
        "--plain-timeout",
        type=float,
        default=600.0,
        help="give up on a plain-moto apply after this many seconds (default 600)",
    )
    parser.add_argument("--no-fargate", action="store_true", help="skip the Fargate environment")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    sandbox_runs, plain_runs, fargate_runs = [], [], []
    for index in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
            sandbox_runs.append(run_sandbox(Path(tmp)))
        with tempfile.TemporaryDirectory(prefix="bench-moto-") as tmp:
            plain_runs.append(run_plain_moto(Path(tmp), args.plain_timeout))
        if not args.no_fargate:
            with tempfile.TemporaryDirectory(prefix="bench-fargate-") as tmp:
                fargate_runs.append(run_fargate(Path(tmp)))
        if not args.json:
            fargate = (
                (
                    f", fargate full {fargate_runs[-1]['full']:.1f}s (re-plan {fargate_runs[-1]['replan']:.1f}s, "
                    f"destroy {fargate_runs[-1]['destroy']:.1f}s)"
                )
                if fargate_runs
                else ""
            )
            print(
                f"run {index + 1}/{args.runs}: sandbox full {sandbox_runs[-1]['full']:.1f}s, "
                f"sandbox no-service {sandbox_runs[-1]['no_service']:.1f}s, "
                f"plain moto no-service {plain_runs[-1]['no_service']:.1f}s ({plain_runs[-1]['status']})" + fargate,
                flush=True,
            )

    def median(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    figures = {
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "sandbox_full_stack_s": median(sandbox_runs, "full"),
        "sandbox_no_service_stack_s": median(sandbox_runs, "no_service"),
        "plain_moto_no_service_stack_s": median(plain_runs, "no_service"),
        "plain_moto_status": sorted({r["status"] for r in plain_runs}),
        "init_s": median(sandbox_runs, "init"),
        "longest_provider_wait": {
            "seconds": sandbox_runs[0]["longest_wait"][0],
            "resource": sandbox_runs[0]["longest_wait"][1],
        },
        "target_s": TARGET_SECONDS,
    }
    figures["like_for_like_ratio_plain_over_sandbox"] = (
        figures["plain_moto_no_service_stack_s"] / figures["sandbox_no_service_stack_s"]
    )
    figures["target_met"] = figures["sandbox_full_stack_s"] <= TARGET_SECONDS
    if fargate_runs:
        figures["fargate"] = {
            "full_stack_s": median(fargate_runs, "full"),
            "foundation_apply_s": median(fargate_runs, "foundation"),
            "service_apply_s": median(fargate_runs, "service_apply"),
            "replan_s": median(fargate_runs, "replan"),
            "destroy_s": median(fargate_runs, "destroy"),
            "longest_provider_wait": {
                "seconds": fargate_runs[0]["longest_wait"][0],
                "resource": fargate_runs[0]["longest_wait"][1],
            },
            "provider_floor_s": FARGATE_PROVIDER_FLOOR_SECONDS,
        }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"\nmedian of {args.runs} runs on {figures['cpus']} CPUs (terraform init {figures['init_s']:.1f}s, not counted)"
    )
    print(
        f"  sandbox     full stack (no image -> push -> App Runner service)  {figures['sandbox_full_stack_s']:6.1f} s"
    )
    print(
        f"  sandbox     no-service stack                                     {figures['sandbox_no_service_stack_s']:6.1f} s"
    )
    print(
        f"  plain moto  no-service stack ({', '.join(figures['plain_moto_status'])})"
        f"{'':{33 - len(', '.join(figures['plain_moto_status']))}}{figures['plain_moto_no_service_stack_s']:6.1f} s"
    )
    print(f"  like-for-like ratio plain moto / sandbox: {figures['like_for_like_ratio_plain_over_sandbox']:.2f}x")
    wait = figures["longest_provider_wait"]
    print(
        f"  longest single resource: {wait['resource']} {wait['seconds']:.0f} s "
        "(the aws provider's own consistency waiter; a floor under any apply of this stack)"
    )
    print(f"  target <= {TARGET_SECONDS:.0f} s for the full stack: {'met' if figures['target_met'] else 'NOT met'}")
    if "fargate" in figures:
        fg = figures["fargate"]
        print(
            f"  sandbox     Fargate full stack (no image -> push -> ECS service + ALB)  {fg['full_stack_s']:6.1f} s "
            f"(foundation {fg['foundation_apply_s']:.1f} s + service {fg['service_apply_s']:.1f} s)"
        )
        print(f"  sandbox     Fargate re-plan (no changes) {fg['replan_s']:.1f} s, destroy {fg['destroy_s']:.1f} s")
        wait = fg["longest_provider_wait"]
        print(
            f"  Fargate floor: {fg['provider_floor_s']:.0f} s of the aws provider's own sleeps (S3 lifecycle 55 s in "
            f"each apply, aws_lb 2 x 30 s); longest resource {wait['resource']} {wait['seconds']:.0f} s"
        )


if __name__ == "__main__":
    main()
