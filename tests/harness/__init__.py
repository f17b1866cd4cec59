"""A local runner for one job of a GitHub Actions workflow file, for end-to-end tests of .github/workflows.

What it runs: the job as its YAML says, step by step. `run:` scripts as written, with bash (`shell: bash` is
`bash --noprofile --norc -eo pipefail {0}`; no shell given is GitHub's Linux default `bash -e {0}`; `sh` too),
in a fresh workspace per job, with the environment a hosted runner gives (CI, GITHUB_*, RUNNER_TEMP, ...,
ACTIONS_ID_TOKEN_REQUEST_URL when the job has `id-token: write`), plus the test's `runner_env` (the sandbox's
AWS_ENDPOINT_URL, TF_CLI_CONFIG_FILE: the "cloud" this machine stands for). Workflow, job and step `env:`;
`${{ }}` with the contexts github, env, vars, secrets, inputs, needs, matrix, steps and runner (expressions.py);
`if:` on jobs and steps with GitHub's implicit `success() &&`; `continue-on-error`; `timeout-minutes`; step
outputs from $GITHUB_OUTPUT (`name=value` and heredoc), $GITHUB_ENV, $GITHUB_PATH, $GITHUB_STEP_SUMMARY; job
`outputs:`; a matrix computed from `strategy.matrix` (e.g. `fromJSON(needs.envs.outputs.matrix)` of a job run
earlier in the same WorkflowRun) of which the test picks one leg.

What it replaces (actions.py, matched by owner/repo so version pins do not matter): checkout (a clone of the
test's repository), setup-python (the installed .venv), setup-terraform (the terraform on PATH),
configure-aws-credentials (AssumeRoleWithWebIdentity at the sandbox's STS with a token for the job's OIDC
subject from a pluggable token source, credentials.py; falling back to root credentials only when the run says
so), upload-artifact / download-artifact (a folder per artifact name, artifacts.py).

What it refuses (errors.py; the test fails naming the step and the thing): any other action, an input of a known
action it does not honour, an unknown function, context or syntax in an expression, an object written into a
string, a job or step key it does not emulate (services, container, reusable workflows), another shell, a
malformed $GITHUB_OUTPUT. It never skips a step it cannot run.

Usage:

    run = WorkflowRun(repo / ".github/workflows/plan.yml", repo, Event.pull_request(7, "octo/platform"), tmp_path,
                      vars={...}, runner_env=sandbox_env)
    run.job("envs").expect("success")
    plan = run.job("plan", matrix={"env": "staging"})   # the leg of fromJSON(needs.envs.outputs.matrix)
"""

from .credentials import Subject, TokenUnavailable, first_available, sandbox_issuer, unsigned
from .errors import FileCommandError, HarnessError, UnsupportedAction, UnsupportedExpression
from .runner import Event, JobResult, StepResult, WorkflowRun

__all__ = [
    "Event",
    "FileCommandError",
    "HarnessError",
    "JobResult",
    "StepResult",
    "Subject",
    "TokenUnavailable",
    "UnsupportedAction",
    "UnsupportedExpression",
    "WorkflowRun",
    "first_available",
    "sandbox_issuer",
    "unsigned",
]
