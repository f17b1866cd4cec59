"""One deployed environment as tests drive it (platformctl through CliRunner or a subprocess), and the copy of
the repository it is deployed from. The fixtures that build it live in tests/deployment/conftest.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result
from moto.core import DEFAULT_ACCOUNT_ID

from platform_cli.cli import cli
from platform_cli.sandbox.images import push_placeholder_image

REPO = Path(__file__).resolve().parents[2]
ENV = "staging"
REGION = "eu-west-1"
APPLY_TIMEOUT_SECONDS = 600
IGNORE = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "tests")


@dataclass
class Deployment:
    root: Path
    work_dir: Path
    env: dict[str, str]
    sandbox: object
    digest: str = ""
    outputs: dict = field(default_factory=dict)
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    # `drift --json` right after the foundation's one plan + apply, before the second apply refreshes anything.
    drift_after_foundation: Result | None = None

    def run(self, *args: str, work_dir: Path | None = None, person: dict[str, str] | None = None) -> Result:
        env = {**self.env, **(person or {})}
        if work_dir is not None:
            env["PLATFORMCTL_WORK_DIR"] = str(work_dir)
        return CliRunner().invoke(
            cli, ["--no-color", "--sandbox", "--root", str(self.root), *args], env=env, catch_exceptions=False
        )

    def must(self, *args: str, codes: tuple[int, ...] = (0,), person: dict[str, str] | None = None) -> Result:
        result = self.run(*args, person=person)
        assert result.exit_code in codes, (
            f"{' '.join(args)} exited {result.exit_code}:\n{result.output}\n{self.server_log_tail()}"
        )
        return result

    def server_log_tail(self, lines: int = 40) -> str:
        """The sandbox's own log around a failure (retried requests, server-side tracebacks), for CI's output."""
        log = Path(self.sandbox.info.state_dir) / "server.log"  # type: ignore[attr-defined]
        if not log.is_file():
            return ""
        return "sandbox server.log (tail):\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def spawn(self, *args: str, person: dict[str, str] | None = None) -> subprocess.Popen:
        """platformctl as a subprocess (several at once); stdout and stderr merged."""
        env = {**os.environ, **self.env, **(person or {})}
        return subprocess.Popen(
            [sys.executable, "-m", "platform_cli", "--no-color", "--sandbox", "--root", str(self.root), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def client(self, service: str):
        return self.sandbox.client(service, REGION)

    def logs(self, kind: str) -> list[Path]:
        return sorted((self.work_dir / "envs" / ENV / "logs").glob(f"*-{kind}.log"))

    def person(self, name: str) -> dict[str, str]:
        """Keys of an IAM user made in the sandbox: `--sandbox` keeps them, so each person is who they say. An
        engineer of the platform team, allowed everything in the account (what AdministratorAccess says, inline:
        the plain sandbox loads no managed policies), as an enforcing sandbox evaluates it."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        administrator = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        iam.put_user_policy(UserName=name, PolicyName="administrator", PolicyDocument=json.dumps(administrator))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}

    def history(self, env: str) -> list[dict]:
        return json.loads(self.must("history", env, "--json").stdout)

    def push_image(self, tag: str) -> str:
        return push_placeholder_image(self.outputs["repository_name"], tag, ecr_client=self.client("ecr"))


def copy_tracked_files(root: Path) -> None:
    """Every file git tracks here, as the working tree has it: what a workflow's checkout gives its jobs."""
    tracked = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)


def copy_repository(
    root: Path, project: str, *, whole: bool = False, staging_settings: str = "", staging_policy: str = ""
) -> None:
    """infra/platform, modules and envs (whole: every tracked file, for workflows run from their YAML) with a
    unique project name and state keys (and staging's extra settings and policy lines), committed to git."""
    if whole:
        copy_tracked_files(root)
    else:
        shutil.copytree(REPO / "infra" / "platform", root / "infra" / "platform", ignore=IGNORE)
        shutil.copytree(REPO / "modules", root / "modules", ignore=IGNORE)
        shutil.copytree(REPO / "envs", root / "envs")
    # prod rolls back on a firing alarm without a second approval (test_promotion proves it).
    prod_policy = root / "envs" / "prod" / "env.yaml"
    prod_policy.write_text(prod_policy.read_text() + "auto_rollback: true\n")
    staging = root / "envs" / "staging"
    (staging / "terraform.tfvars").write_text((staging / "terraform.tfvars").read_text() + staging_settings)
    (staging / "env.yaml").write_text((staging / "env.yaml").read_text() + staging_policy)
    for env_dir in (root / "envs").iterdir():
        # Every environment in the sandbox's default account: its people (IAM users made there) act in one account.
        policy = env_dir / "env.yaml"
        policy.write_text(re.sub(r'account_id: "\d{12}"', f'account_id: "{DEFAULT_ACCOUNT_ID}"', policy.read_text()))
        tfvars = env_dir / "terraform.tfvars"
        tfvars.write_text(tfvars.read_text() + f'\nproject = "{project}"\n')
        backend = env_dir / "backend.hcl"
        backend.write_text(backend.read_text().replace("platform/", f"{project}/"))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"], check=True
    )
