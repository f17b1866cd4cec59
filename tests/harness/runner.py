"""Runs one job of a workflow file, the way a GitHub-hosted runner would, on this machine (see __init__.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import actions, matrix
from .credentials import Subject, TokenSource, unsigned
from .errors import HarnessError
from .expressions import Status, StrictContext, condition, substitute, to_string
from .file_commands import Annotation, StepFiles, annotations, parse_key_values, parse_path_lines

DEFAULT_JOB_TIMEOUT_MINUTES = 360  # GitHub's own default
JOB_KEYS = {
    "name", "needs", "if", "runs-on", "timeout-minutes", "permissions", "outputs", "steps", "strategy", "env",
    "environment", "defaults", "concurrency",
}  # fmt: skip
STEP_KEYS = {"id", "name", "if", "uses", "with", "run", "env", "shell", "working-directory", "continue-on-error",
             "timeout-minutes"}  # fmt: skip
SHELLS = {
    None: ["bash", "-e", "{0}"],  # GitHub's default on Linux: no pipefail unless `shell: bash` is written
    "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"],
    "sh": ["sh", "-e", "{0}"],
}
# What a runner passes through from its own machine; everything else a job sees is set here or by the test.
HOST_ENV = ("HOME", "LANG", "LC_ALL", "TMPDIR", "USER", "SHELL", "TERM")
OIDC_REQUEST_URL = "http://127.0.0.1:9/harness-oidc"  # a job only checks it is set; tokens come from token_source


@dataclass
class Event:
    """What triggered the run: github.event_name, github.ref and the event payload (github.event)."""

    name: str
    ref: str
    payload: dict[str, Any] = field(default_factory=dict)
    actor: str = "octocat"

    @classmethod
    def pull_request(cls, number: int, repository: str, *, head_ref: str = "feature", fork: bool = False) -> Event:
        head_repo = f"someone/{repository.split('/')[1]}" if fork else repository
        payload = {
            "number": number,
            "pull_request": {
                "number": number,
                "head": {"ref": head_ref, "repo": {"full_name": head_repo}},
                "base": {"ref": "main", "repo": {"full_name": repository}},
            },
            "repository": {"full_name": repository},
        }
        return cls("pull_request", f"refs/pull/{number}/merge", payload)

    @classmethod
    def push(cls, repository: str, ref: str = "refs/heads/main") -> Event:
        return cls("push", ref, {"ref": ref, "repository": {"full_name": repository}})

    @classmethod
    def schedule(cls, repository: str, ref: str = "refs/heads/main") -> Event:
        return cls("schedule", ref, {"schedule": "17 6 * * 1-5", "repository": {"full_name": repository}})

    @classmethod
    def workflow_dispatch(cls, repository: str, inputs: dict[str, Any], ref: str = "refs/heads/main") -> Event:
        return cls("workflow_dispatch", ref, {"inputs": inputs, "ref": ref, "repository": {"full_name": repository}})


@dataclass
class StepResult:
    number: int
    label: str
    id: str | None
    outcome: str  # success, failure, skipped
    conclusion: str
    outputs: dict[str, str] = field(default_factory=dict)
    log: str = ""
    summary: str = ""
    annotations: list[Annotation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class JobResult:
    job: str
    name: str
    result: str  # success, failure, skipped
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)
    matrix: dict[str, Any] = field(default_factory=dict)
    workspace: Path | None = None

    def step(self, label_or_id: str) -> StepResult:
        for step in self.steps:
            if label_or_id in (step.id, step.label):
                return step
        raise KeyError(f"job {self.job!r} has no step {label_or_id!r}: {[s.label for s in self.steps]}")

    @property
    def log(self) -> str:
        return "\n".join(f"== {s.label} [{s.outcome}]\n" + "\n".join([*s.notes, s.log]) for s in self.steps)

    @property
    def summary(self) -> str:
        return "".join(s.summary for s in self.steps)

    @property
    def notes(self) -> list[str]:
        return [note for s in self.steps for note in s.notes]

    def expect(self, result: str = "success") -> JobResult:
        if self.result != result:
            raise AssertionError(f"job {self.job!r} ended {self.result}, expected {result}:\n{self.log[-8000:]}")
        return self


class WorkflowRun:
    """One run of one workflow file: its event, repository settings, artifacts and the results of jobs run so far
    (a later job's `needs` read them)."""

    def __init__(
        self,
        workflow: Path,
        repo: Path,
        event: Event,
        base_dir: Path,
        *,
        repository: str = "octo/platform",
        vars: dict[str, str] | None = None,
        secrets: dict[str, str] | None = None,
        token: str = "ghs_harness_token",
        server_url: str = "https://github.com",
        api_url: str = "https://api.github.com",
        runner_env: dict[str, str] | None = None,
        token_source: TokenSource = unsigned,
        root_fallback: dict[str, str] | None = None,
        tools: list[Path] | None = None,
        id_token_request: tuple[str, str] | None = None,
        run_id: int = 4242,
        run_attempt: int = 1,
    ) -> None:
        self.workflow_path = Path(workflow)
        self.workflow = yaml.safe_load(self.workflow_path.read_text())
        self.repo = Path(repo)
        self.event = event
        self.base_dir = Path(base_dir)
        self.repository = repository
        self.vars = dict(vars or {})
        self.secrets = dict(secrets or {})
        self.token = token
        self.server_url, self.api_url = server_url, api_url
        self.runner_env = dict(runner_env or {})
        self.token_source = token_source
        self.root_fallback = root_fallback  # explicit: a refused role falls back to these credentials, noted
        self.tools = [str(p) for p in tools or []]  # what a hosted runner has installed and this machine lacks
        # Where a job asks for its own OIDC token (URL, request bearer): GitHub's token service for the job, e.g. the
        # fake GitHub's; the default only satisfies a job that checks the variables are set.
        self.id_token_request = id_token_request or (OIDC_REQUEST_URL, "harness")
        self.run_id, self.run_attempt = run_id, run_attempt
        self.sha = self._head_sha()
        self.artifacts_dir = self.base_dir / "artifacts"
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        self.event_path = self.base_dir / "event.json"
        self.event_path.write_text(json.dumps(event.payload))
        self.results: dict[str, list[JobResult]] = {}

    def _head_sha(self) -> str:
        if not (self.repo / ".git").exists():
            return "0" * 40
        done = subprocess.run(["git", "-C", str(self.repo), "rev-parse", "HEAD"], capture_output=True, text=True)
        return done.stdout.strip() or "0" * 40

    # -- contexts -----------------------------------------------------------------------------------------------

    def github(self, job: str, workspace: Path) -> StrictContext:
        pr = self.event.payload.get("pull_request") or {}
        ref = self.event.ref
        ref_name = ref.split("/", 2)[2] if ref.count("/") >= 2 else ref
        return StrictContext(
            "github",
            {
                "event_name": self.event.name,
                "event": self.event.payload,
                "event_path": str(self.event_path),
                "ref": ref,
                "ref_name": ref_name,
                "ref_type": "tag" if ref.startswith("refs/tags/") else "branch",
                "head_ref": (pr.get("head") or {}).get("ref", ""),
                "base_ref": (pr.get("base") or {}).get("ref", ""),
                "sha": self.sha,
                "repository": self.repository,
                "repository_owner": self.repository.split("/")[0],
                "run_id": str(self.run_id),
                "run_number": "1",
                "run_attempt": str(self.run_attempt),
                "actor": self.event.actor,
                "triggering_actor": self.event.actor,
                "workspace": str(workspace),
                "server_url": self.server_url,
                "api_url": self.api_url,
                "graphql_url": f"{self.api_url}/graphql",
                "token": self.token,
                "job": job,
                "workflow": self.workflow.get("name", self.workflow_path.name),
                "action": "",
                "retention_days": "90",
            },
        )

    def inputs(self) -> dict[str, Any]:
        if self.event.name != "workflow_dispatch":
            return {}
        declared = ((self.workflow.get(True) or self.workflow.get("on") or {}).get("workflow_dispatch") or {}).get(
            "inputs"
        ) or {}
        given = self.event.payload.get("inputs") or {}
        unknown = set(given) - set(declared)
        if unknown:
            raise HarnessError(f"workflow_dispatch inputs {sorted(unknown)} are not declared by the workflow")
        return {name: given.get(name, spec.get("default", "")) for name, spec in declared.items()}

    def needs_result(self, name: str) -> dict[str, Any]:
        legs = self.results[name]
        results = {leg.result for leg in legs}
        result = "failure" if "failure" in results else "success" if "success" in results else "skipped"
        outputs: dict[str, str] = {}
        for leg in legs:  # like GitHub: a matrix job's output is the value of the last leg that set it
            outputs.update({k: v for k, v in leg.outputs.items() if v != ""})
        return {"result": result, "outputs": outputs}

    # -- jobs ---------------------------------------------------------------------------------------------------

    def job_spec(self, name: str) -> dict[str, Any]:
        jobs = self.workflow.get("jobs") or {}
        if name not in jobs:
            raise HarnessError(f"{self.workflow_path.name} has no job {name!r}; jobs: {sorted(jobs)}")
        spec = jobs[name]
        unknown = sorted(set(spec) - JOB_KEYS)
        if unknown:
            raise HarnessError(f"job {name!r}: keys {unknown} are not emulated by the harness")
        return spec

    def base_contexts(self, name: str, workspace: Path) -> dict[str, Any]:
        spec = self.job_spec(name)
        needs = spec.get("needs") or []
        needs = [needs] if isinstance(needs, str) else needs
        missing = [n for n in needs if n not in self.results]
        if missing:
            raise HarnessError(f"job {name!r} needs {missing}: run them first in this WorkflowRun")
        return {
            "github": self.github(name, workspace),
            "vars": dict(self.vars),
            "secrets": {"GITHUB_TOKEN": self.token, **self.secrets},
            "inputs": self.inputs(),
            "needs": StrictContext("needs", {n: self.needs_result(n) for n in needs}),
            "runner": {"os": "Linux", "arch": "X64", "name": "harness", "temp": "", "environment": "github-hosted"},
        }

    def matrix_legs(self, name: str) -> list[dict[str, Any]]:
        spec = self.job_spec(name)
        raw = (spec.get("strategy") or {}).get("matrix")
        if raw is None:
            return []
        contexts = self.base_contexts(name, self.base_dir)
        return matrix.expand(substitute(raw, contexts, f"jobs.{name}.strategy.matrix"), name)

    def ran_elsewhere(self, name: str, why: str) -> JobResult:
        """Record job `name` as succeeded without running it here, for the later jobs that need it, with the
        test's reason (e.g. `make test` runs the fast tier itself). The job's outputs are empty."""
        note = StepResult(1, "ran elsewhere", None, "success", "success", notes=[f"not run by the harness: {why}"])
        result = JobResult(name, name, "success", steps=[note])
        self.results.setdefault(name, []).append(result)
        return result

    def job(self, name: str, matrix: dict[str, Any] | None = None) -> JobResult:
        """Run job `name` (one matrix leg, picked by a few of its values) and record its result for later needs."""
        legs = self.matrix_legs(name)
        if legs and matrix is None:
            raise HarnessError(f"job {name!r} has a matrix: pass matrix= one of {legs}")
        if not legs and matrix:
            raise HarnessError(f"job {name!r} has no matrix, yet matrix={matrix} was given")
        leg = _select(legs, matrix or {}, name) if legs else {}
        number = sum(len(v) for v in self.results.values()) + 1
        result = _Job(self, name, leg, self.base_dir / f"job{number}-{name}").execute()
        self.results.setdefault(name, []).append(result)
        return result


def _default_label(step: dict[str, Any], number: int) -> str:
    """GitHub's name for an unnamed step: `Run <action>` or `Run <first line of the script>`."""
    if "uses" in step:
        return f"Run {step['uses']}"
    lines = str(step.get("run") or "").strip().splitlines()
    return f"Run {lines[0]}" if lines else f"step {number}"


def _select(legs: list[dict[str, Any]], wanted: dict[str, Any], name: str) -> dict[str, Any]:
    return matrix.select(legs, wanted, name)


class JobContext:
    """What one job's steps and actions see: workspace, env, contexts, permissions, OIDC subject."""

    def __init__(self, run: WorkflowRun, name: str, leg: dict[str, Any], directory: Path) -> None:
        self.run = run
        self.name = name
        self.spec = run.job_spec(name)
        self.workspace = directory / "workspace"
        self.temp = directory / "temp"
        self.files_dir = directory / "files"
        for d in (self.workspace, self.temp, self.files_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.contexts = run.base_contexts(name, self.workspace)
        self.contexts["runner"]["temp"] = str(self.temp)
        self.contexts["matrix"] = dict(leg)
        self.leg = leg
        self.permissions = self._permissions()
        self.env: dict[str, str] = {}  # workflow env, then job env, then $GITHUB_ENV
        self.path_prefix: list[str] = list(run.tools)
        self.step_label = ""
        self.environment = self._environment()

    def _permissions(self) -> dict[str, str]:
        value = self.spec.get("permissions", self.run.workflow.get("permissions"))
        if value in ("read-all", "write-all"):
            raise HarnessError(f"job {self.name!r}: permissions {value!r} is not emulated; list them")
        return dict(value or {})

    def _environment(self) -> str | None:
        value = self.spec.get("environment")
        if isinstance(value, dict):
            value = value.get("name")
        return to_string(substitute(value, self.contexts, f"jobs.{self.name}.environment")) if value else None

    def subject(self, audience: str) -> Subject:
        event = self.run.event
        pr = (event.payload.get("pull_request") or {}).get("number")
        return Subject(self.run.repository, event.name, event.ref, pr, self.environment, audience)

    def path_value(self) -> str:
        host = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != Path(sys.prefix) / "bin"]
        return os.pathsep.join([*self.path_prefix, *host])

    def process_env(self, step_env: dict[str, str], files: StepFiles) -> dict[str, str]:
        github = self.contexts["github"]
        env = {k: os.environ[k] for k in HOST_ENV if k in os.environ}
        env.update(self.run.runner_env)
        env.update(
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_REPOSITORY=github["repository"],
            GITHUB_REPOSITORY_OWNER=github["repository_owner"],
            GITHUB_SHA=github["sha"],
            GITHUB_REF=github["ref"],
            GITHUB_REF_NAME=github["ref_name"],
            GITHUB_REF_TYPE=github["ref_type"],
            GITHUB_HEAD_REF=github["head_ref"],
            GITHUB_BASE_REF=github["base_ref"],
            GITHUB_EVENT_NAME=github["event_name"],
            GITHUB_EVENT_PATH=github["event_path"],
            GITHUB_RUN_ID=github["run_id"],
            GITHUB_RUN_NUMBER=github["run_number"],
            GITHUB_RUN_ATTEMPT=github["run_attempt"],
            GITHUB_ACTOR=github["actor"],
            GITHUB_TRIGGERING_ACTOR=github["triggering_actor"],
            GITHUB_SERVER_URL=github["server_url"],
            GITHUB_API_URL=github["api_url"],
            GITHUB_GRAPHQL_URL=github["graphql_url"],
            GITHUB_JOB=self.name,
            GITHUB_WORKFLOW=github["workflow"],
            RUNNER_TEMP=str(self.temp),
            RUNNER_OS="Linux",
            RUNNER_ARCH="X64",
            RUNNER_NAME="harness",
            PATH=self.path_value(),
        )
        if self.permissions.get("id-token") == "write":
            url, bearer = self.run.id_token_request
            env.update(ACTIONS_ID_TOKEN_REQUEST_URL=url, ACTIONS_ID_TOKEN_REQUEST_TOKEN=bearer)
        env.update(self.env)
        env.update(step_env)
        env.update(files.environ())
        return env


class _Job(JobContext):
    def execute(self) -> JobResult:
        steps_spec = self.spec.get("steps") or []
        ids = [s.get("id") for s in steps_spec if s.get("id")]
        self.contexts["steps"] = StrictContext(
            "steps", {i: {"outputs": {}, "outcome": None, "conclusion": None} for i in ids}
        )
        self.contexts["env"] = self.env
        name = to_string(substitute(self.spec.get("name", self.name), self.contexts, f"jobs.{self.name}.name"))
        needs = self.contexts["needs"]
        status = Status(failed=any(n["result"] != "success" for n in needs.values()))
        if not condition(self.spec.get("if", "success()"), self.contexts, status):
            return JobResult(self.name, name, "skipped", matrix=self.leg)
        for level, values in (("env", self.run.workflow.get("env")), (f"jobs.{self.name}.env", self.spec.get("env"))):
            for key, value in (values or {}).items():
                self.env[key] = to_string(substitute(value, self.contexts, f"{level}.{key}"), f"{level}.{key}")
        deadline = time.monotonic() + 60 * float(self.spec.get("timeout-minutes", DEFAULT_JOB_TIMEOUT_MINUTES))
        results: list[StepResult] = []
        failed = False
        for number, step in enumerate(steps_spec, start=1):
            result = self.step(number, step, failed, deadline)
            results.append(result)
            if result.id:
                self.contexts["steps"][result.id] = {
                    "outputs": result.outputs,
                    "outcome": result.outcome,
                    "conclusion": result.conclusion,
                }
            failed = failed or result.conclusion == "failure"
        outputs = {
            key: to_string(substitute(value, self.contexts, f"jobs.{self.name}.outputs.{key}"))
            for key, value in (self.spec.get("outputs") or {}).items()
        }
        return JobResult(
            self.name, name, "failure" if failed else "success", outputs, results, self.leg, self.workspace
        )

    def step(self, number: int, step: dict[str, Any], failed: bool, deadline: float) -> StepResult:
        label = str(step.get("name") or _default_label(step, number))
        where = f"jobs.{self.name}.steps[{number}]"
        unknown = sorted(set(step) - STEP_KEYS)
        if unknown:
            raise HarnessError(f"step {label!r} of job {self.name!r}: keys {unknown} are not emulated")
        if ("uses" in step) == ("run" in step):
            raise HarnessError(f"step {label!r} of job {self.name!r}: needs exactly one of uses: and run:")
        label = to_string(substitute(label, self.contexts, f"{where}.name"))
        self.step_label = label
        if not condition(step.get("if", "success()"), self.contexts, Status(failed=failed)):
            return StepResult(number, label, step.get("id"), "skipped", "skipped")
        step_env = {
            k: to_string(substitute(v, self.contexts, f"{where}.env.{k}"), f"{where}.env.{k}")
            for k, v in (step.get("env") or {}).items()
        }
        files = StepFiles.create(self.files_dir, number)
        if "uses" in step:
            outcome, outputs, log, notes = self.action(step, label, where)
        else:
            outcome, outputs, log, notes = self.script(number, step, label, where, step_env, files, deadline)
        env_additions = parse_key_values(files.env.read_text(), f"step {label!r}: $GITHUB_ENV")
        self.env.update(env_additions)
        self.path_prefix[:0] = list(reversed(parse_path_lines(files.path.read_text())))
        continue_on_error = bool(substitute(step.get("continue-on-error", False), self.contexts, where))
        conclusion = "success" if outcome == "failure" and continue_on_error else outcome
        return StepResult(
            number,
            label,
            step.get("id"),
            outcome,
            conclusion,
            {**outputs, **parse_key_values(files.output.read_text(), f"step {label!r}: $GITHUB_OUTPUT")},
            log,
            files.summary.read_text(),
            annotations(log),
            notes,
        )

    def action(self, step: dict[str, Any], label: str, where: str) -> tuple[str, dict[str, str], str, list[str]]:
        action = actions.find(step["uses"], label)
        given = substitute(step.get("with") or {}, self.contexts, f"{where}.with")
        inputs = actions.checked_inputs(action, step["uses"], given, label)
        answer = action.run(self, inputs)
        self.env.update(answer.env)
        self.path_prefix[:0] = answer.path
        log = f"::error::{answer.error}" if answer.error else ""
        return ("failure" if answer.error else "success"), answer.outputs, log, answer.notes

    def script(
        self, number, step, label, where, step_env, files, deadline
    ) -> tuple[str, dict[str, str], str, list[str]]:
        defaults = {
            **((self.run.workflow.get("defaults") or {}).get("run") or {}),
            **((self.spec.get("defaults") or {}).get("run") or {}),
        }
        shell = step.get("shell", defaults.get("shell"))
        if shell not in SHELLS:
            raise HarnessError(f"step {label!r}: shell {shell!r} is not emulated (bash, sh or the default)")
        script = to_string(substitute(step["run"], self.contexts, f"{where}.run"))
        path = self.temp / f"step_{number}.sh"
        path.write_text(script)
        working = step.get("working-directory", defaults.get("working-directory", "."))
        cwd = self.workspace / to_string(substitute(working, self.contexts, f"{where}.working-directory"))
        timeout = deadline - time.monotonic()
        if "timeout-minutes" in step:
            timeout = min(timeout, 60 * float(step["timeout-minutes"]))
        command = [part.replace("{0}", str(path)) for part in SHELLS[shell]]
        try:
            done = subprocess.run(
                command,
                cwd=cwd,
                env=self.process_env(step_env, files),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=max(timeout, 1),
            )
        except subprocess.TimeoutExpired as expired:
            output = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
            return "failure", {}, output + f"\n::error::step timed out after {timeout:.0f} s", []
        log = done.stdout + (f"\nProcess completed with exit code {done.returncode}." if done.returncode else "")
        return ("success" if done.returncode == 0 else "failure"), {}, log, []
