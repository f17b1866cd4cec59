#!/usr/bin/env python3
"""Make the plan-comment test fixtures from real `terraform show -json` output of this repository's stack.

    .venv/bin/python scripts/make_comment_fixtures.py [--out tests/comments/fixtures] [--keep] [--git-ref HEAD]

Runs the real terraform binary against a private local sandbox (moto + App Runner emulator on a free loopback
port): infra/platform and modules/ are copied into a temporary directory with local state (backend_override.tf),
staging's inputs plus one alert e-mail. The stack is applied ONCE (about 70 s: the aws provider waits on the S3
lifecycle configuration); every other fixture is a plan against that state, each variant undone before the next:

    large.json          plan from empty state (everything to add)          -> then applied
    no_change.json      re-plan with nothing changed
    small.json          two tfvars changed (in-place updates of the lifecycle rule and the KMS keys)
    replace.json        the alert topic renamed in the module (ForceNew: topic replaced, dependants follow)
    destroy.json        the monitoring module removed from the stack (everything in it destroyed)
    import_moved.json   an `import` block for a log group made outside Terraform + a `moved` block (module renamed)
    drift.json          the registry and topic changed with boto3 behind Terraform's back (resource_drift)

Nothing is trimmed from Terraform's output; files are written compact, as Terraform prints them. Takes about
2-3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "tests" / "comments" / "fixtures"
SANDBOX_START_TIMEOUT_S = 60
TERRAFORM_STEP_TIMEOUT_S = 600
IGNORE = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "tests")
REGION = "eu-west-1"
ALERT_EMAIL = "ml-oncall@example.com"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sandbox(port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "platform_cli.sandbox.server", "--port", str(port)],
        cwd=REPO,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + SANDBOX_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"sandbox exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"sandbox did not answer within {SANDBOX_START_TIMEOUT_S} s; see {log}")


def terraform_env(port: int) -> dict[str, str]:
    cli_config = subprocess.run(
        [sys.executable, "-m", "platform_cli.core.tfconfig"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        TF_CLI_CONFIG_FILE=cli_config,
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
    )
    return env


class Stack:
    def __init__(self, root: Path, env: dict[str, str]):
        self.root, self.env = root, env
        self.dir = root / "infra" / "platform"

    def tf(self, *args: str, capture: bool = False) -> str:
        print(f"  terraform {' '.join(args)}", flush=True)
        proc = subprocess.run(
            ["terraform", f"-chdir={self.dir}", *args],
            env=self.env,
            text=True,
            capture_output=True,
            timeout=TERRAFORM_STEP_TIMEOUT_S,
        )
        if proc.returncode not in (0, 2):
            sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
            raise SystemExit(f"terraform {args[0]} failed ({proc.returncode})")
        return proc.stdout if capture else ""

    def plan(self, name: str, out: Path, *extra: str) -> Path:
        print(f"{name}:", flush=True)
        plan_file = self.dir / f"{name}.tfplan"
        self.tf("plan", "-detailed-exitcode", "-lock=false", "-no-color", f"-out={plan_file.name}", *extra)
        shown = json.loads(self.tf("show", "-json", plan_file.name, capture=True))
        (out / f"{name}.json").write_text(json.dumps(shown, separators=(",", ":")) + "\n", encoding="utf-8")
        return plan_file

    def edit(self, rel: str, old: str, new: str) -> str:
        """Replace text in a file of the temporary copy; returns the original so the caller can restore it."""
        path = self.root / rel
        original = path.read_text()
        if old not in original:
            raise SystemExit(f"{rel}: expected text not found: {old!r}")
        path.write_text(original.replace(old, new))
        return original


def drop_module_block(text: str, module: str) -> str:
    """Remove `module "<module>" { ... }` (balanced braces) from HCL text."""
    start = text.index(f'module "{module}" {{')
    depth, i = 0, text.index("{", start)
    while True:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
        if depth == 0:
            return text[:start] + text[i:]


def drop_outputs_using(text: str, needle: str) -> str:
    blocks = re.split(r"(?m)^(?=output \")", text)
    return "".join(b for b in blocks if needle not in b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixture directory (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary working directory")
    parser.add_argument(
        "--git-ref",
        metavar="REF",
        help="take infra/platform and modules/ from this commit (e.g. HEAD) instead of the working "
        "tree, when the working tree is mid-change",
    )
    args = parser.parse_args(argv)
    if not shutil.which("terraform"):
        raise SystemExit("terraform not found on PATH")
    args.out.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="comment-fixtures-"))
    port = free_port()
    sandbox = start_sandbox(port, work / "sandbox.log")
    try:
        if args.git_ref:
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", args.git_ref, "infra/platform", "modules"],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
        else:
            shutil.copytree(REPO / "infra" / "platform", work / "infra" / "platform", ignore=IGNORE)
            shutil.copytree(REPO / "modules", work / "modules", ignore=IGNORE)
        stack = Stack(work, terraform_env(port))
        (stack.dir / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
        tfvars = (REPO / "envs" / "staging" / "terraform.tfvars").read_text()
        # The alert e-mail joins staging's alarms group (one `alarms` assignment per file).
        assert "\nalarms = {\n" in tfvars, "envs/staging/terraform.tfvars has no alarms group to extend"
        tfvars = tfvars.replace("\nalarms = {\n", f'\nalarms = {{\n  emails = ["{ALERT_EMAIL}"]\n', 1)
        (stack.dir / "terraform.tfvars").write_text(tfvars)

        stack.tf("init", "-input=false", "-no-color")
        large = stack.plan("large", args.out)
        print("apply (about 70 s):", flush=True)
        stack.tf("apply", "-input=false", "-no-color", "-lock=false", large.name)

        stack.plan("no_change", args.out)
        stack.plan(
            "small",
            args.out,
            # staging's artifact_store group with one attribute changed (-var replaces the whole object).
            "-var=artifact_store={ force_destroy = true, noncurrent_version_expiration_days = 45, log_retention_days = 90 }",
            "-var=kms_key_deletion_window_days=10",
        )

        original = stack.edit(
            "modules/monitoring/main.tf",
            'topic_name = "${var.name}-alerts"',
            'topic_name = "${var.name}-alarms"',
        )
        stack.plan("replace", args.out)
        (work / "modules/monitoring/main.tf").write_text(original)

        main_tf, outputs_tf = (stack.dir / "main.tf").read_text(), (stack.dir / "outputs.tf").read_text()
        (stack.dir / "main.tf").write_text(drop_module_block(main_tf, "monitoring"))
        (stack.dir / "outputs.tf").write_text(drop_outputs_using(outputs_tf, "module.monitoring"))
        stack.plan("destroy", args.out)
        (stack.dir / "main.tf").write_text(main_tf)
        (stack.dir / "outputs.tf").write_text(outputs_tf)

        import boto3

        aws = dict(
            endpoint_url=stack.env["AWS_ENDPOINT_URL"],
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        boto3.client("logs", **aws).create_log_group(logGroupName="/mlplatform/staging/audit")
        (stack.dir / "main.tf").write_text(main_tf.replace('module "monitoring"', 'module "alerting"'))
        (stack.dir / "outputs.tf").write_text(outputs_tf.replace("module.monitoring", "module.alerting"))
        (stack.dir / "refactor.tf").write_text(
            "moved {\n  from = module.monitoring\n  to   = module.alerting\n}\n\n"
            'import {\n  to = aws_cloudwatch_log_group.audit\n  id = "/mlplatform/staging/audit"\n}\n\n'
            'resource "aws_cloudwatch_log_group" "audit" {\n  name              = "/mlplatform/staging/audit"\n'
            "  retention_in_days = 90\n}\n"
        )
        stack.tf("init", "-input=false", "-no-color")  # the renamed module call has to be installed
        stack.plan("import_moved", args.out)
        (stack.dir / "main.tf").write_text(main_tf)
        (stack.dir / "outputs.tf").write_text(outputs_tf)
        (stack.dir / "refactor.tf").unlink()

        state = json.loads(stack.tf("show", "-json", capture=True))
        resources = [r for m in _modules(state["values"]["root_module"]) for r in m.get("resources", [])]
        repo = next(r for r in resources if r["type"] == "aws_ecr_repository")["values"]
        topic = next(r for r in resources if r["type"] == "aws_sns_topic")["values"]
        ecr = boto3.client("ecr", **aws)
        ecr.put_image_tag_mutability(repositoryName=repo["name"], imageTagMutability="MUTABLE")
        ecr.tag_resource(resourceArn=repo["arn"], tags=[{"Key": "changed-by", "Value": "console"}])
        boto3.client("sns", **aws).set_topic_attributes(
            TopicArn=topic["arn"], AttributeName="DisplayName", AttributeValue="hand edited"
        )
        stack.plan("drift", args.out)
    finally:
        sandbox.terminate()
        try:
            sandbox.wait(timeout=20)
        except subprocess.TimeoutExpired:
            sandbox.kill()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for path in sorted(args.out.glob("*.json")):
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: {path.stat().st_size // 1024} KiB")
    return 0


def _modules(module: dict) -> list[dict]:
    return [module, *(m for child in module.get("child_modules", []) for m in _modules(child))]


if __name__ == "__main__":
    sys.exit(main())
