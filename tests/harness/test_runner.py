"""Jobs of small inline workflows: scripts, env levels, outputs, if:, matrix, needs, artifacts and refusals."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from harness import Event, HarnessError, UnsupportedAction, UnsupportedExpression, WorkflowRun

REPOSITORY = "octo/platform"


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "data" / "hello.txt").write_text("hello\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"], check=True
    )
    return root


def workflow_run(tmp_path, repo, text: str, event: Event | None = None, **kw) -> WorkflowRun:
    path = tmp_path / "workflow.yml"
    path.write_text(textwrap.dedent(text))
    return WorkflowRun(path, repo, event or Event.pull_request(7, REPOSITORY), tmp_path / "run", **kw)


def test_scripts_env_levels_outputs_and_job_outputs(tmp_path, repo):
    run = workflow_run(
        tmp_path,
        repo,
        """
        env: {LEVEL: workflow, W: w}
        jobs:
          one:
            env: {LEVEL: job, PR: "${{ github.event.pull_request.number }}"}
            outputs:
              greeting: ${{ steps.say.outputs.greeting }}
              body: ${{ steps.say.outputs.body }}
            steps:
              - uses: actions/checkout@v7
              - id: say
                env: {LEVEL: step, ROLE: "${{ vars.ROLE }}"}
                run: |
                  echo "greeting=$LEVEL-$W-$PR-$ROLE-$(cat data/hello.txt)" >> "$GITHUB_OUTPUT"
                  { echo "body<<EOF"; echo "two"; echo "lines"; echo "EOF"; } >> "$GITHUB_OUTPUT"
                  echo "LATER=from-env-file" >> "$GITHUB_ENV"
                  mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool\\n' > "$RUNNER_TEMP/bin/mytool"
                  chmod +x "$RUNNER_TEMP/bin/mytool" && echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
                  echo "## summary" >> "$GITHUB_STEP_SUMMARY"
              - name: Sees env file, path and the env context
                env: {FROM_CONTEXT: "${{ env.LATER }}"}
                run: test "$LATER" = from-env-file && test "$FROM_CONTEXT" = from-env-file && test "$(mytool)" = tool
        """,
        vars={"ROLE": "arn"},
    )
    job = run.job("one").expect("success")
    assert job.outputs == {"greeting": "step-w-7-arn-hello", "body": "two\nlines"}
    assert job.summary == "## summary\n"


def test_a_failed_step_skips_the_rest_unless_they_ask_for_it(tmp_path, repo):
    run = workflow_run(
        tmp_path,
        repo,
        """
        jobs:
          one:
            steps:
              - id: tolerated
                continue-on-error: true
                run: exit 3
              - id: after_tolerated
                run: echo "ran=yes" >> "$GITHUB_OUTPUT"
              - run: echo a | false | true   # no shell given: bash -e without pipefail passes
              - shell: bash
                run: echo a | false | true   # shell bash: pipefail fails the step
              - id: skipped
                run: echo never
              - id: on_failure
                if: failure()
                run: echo "saw=${{ steps.tolerated.outcome }}/${{ steps.tolerated.conclusion }}" >> "$GITHUB_OUTPUT"
        """,
    )
    job = run.job("one").expect("failure")
    assert [s.outcome for s in job.steps] == ["failure", "success", "success", "failure", "skipped", "success"]
    assert job.step("after_tolerated").outputs == {"ran": "yes"}
    assert job.step("on_failure").outputs == {"saw": "failure/success"}


def test_matrix_from_a_previous_jobs_output_and_job_level_if(tmp_path, repo):
    run = workflow_run(
        tmp_path,
        repo,
        """
        jobs:
          envs:
            outputs: {matrix: "${{ steps.m.outputs.matrix }}", count: "${{ steps.m.outputs.count }}"}
            steps:
              - id: m
                run: |
                  echo 'matrix={"include":[{"env":"staging","region":"eu-west-1"},{"env":"prod","region":"us-east-1"}]}' >> "$GITHUB_OUTPUT"
                  echo "count=2" >> "$GITHUB_OUTPUT"
          plan:
            name: plan (${{ matrix.env }})
            needs: envs
            if: needs.envs.outputs.count != '0' && github.event.pull_request.head.repo.full_name == github.repository
            strategy:
              matrix: ${{ fromJSON(needs.envs.outputs.matrix) }}
            steps:
              - run: test "${{ matrix.env }}/${{ matrix.region }}" = prod/us-east-1
          fork:
            if: github.event.pull_request.head.repo.full_name != github.repository
            steps:
              - run: exit 1
        """,
    )
    with pytest.raises(HarnessError, match="needs \\['envs'\\]"):
        run.job("plan", matrix={"env": "prod"})
    run.job("envs").expect("success")
    assert [leg["env"] for leg in run.matrix_legs("plan")] == ["staging", "prod"]
    with pytest.raises(HarnessError, match="has a matrix"):
        run.job("plan")
    job = run.job("plan", matrix={"env": "prod"}).expect("success")
    assert job.name == "plan (prod)"
    assert run.job("fork").result == "skipped"


def test_product_matrix_with_include_and_exclude(tmp_path, repo):
    run = workflow_run(
        tmp_path,
        repo,
        """
        jobs:
          m:
            strategy:
              matrix:
                os: [a, b]
                py: ["3.11", "3.12"]
                exclude: [{os: b, py: "3.11"}]
                include: [{os: a, extra: x}, {os: c, py: "3.13"}]
            steps: [{run: "true"}]
        """,
    )
    assert run.matrix_legs("m") == [
        {"os": "a", "py": "3.11", "extra": "x"},
        {"os": "a", "py": "3.12", "extra": "x"},
        {"os": "b", "py": "3.12"},
        {"os": "c", "py": "3.13"},
    ]


@pytest.mark.parametrize(
    ("step", "error", "named"),
    [
        ("uses: actions/cache@v4", UnsupportedAction, "actions/cache"),
        ("uses: actions/checkout@v7\n                with: {submodules: true}", UnsupportedAction, "submodules"),
        ("run: echo ${{ hashFiles('x') }}", UnsupportedExpression, "hashFiles"),
        ("run: echo ${{ job.status }}", UnsupportedExpression, "'job'"),
        ("run: echo hi\n                shell: pwsh", HarnessError, "pwsh"),
        ("uses: hashicorp/setup-terraform@v4", UnsupportedAction, "terraform_wrapper"),
    ],
)
def test_unknown_actions_inputs_expressions_and_shells_fail_naming_the_step(tmp_path, repo, step, error, named):
    run = workflow_run(
        tmp_path,
        repo,
        f"""
        jobs:
          one:
            steps:
              - name: The step in question
                {step}
        """,
    )
    with pytest.raises(error, match=named) as raised:
        run.job("one")
    assert "The step in question" in str(raised.value) or error is UnsupportedExpression


def test_a_malformed_github_output_fails_the_test(tmp_path, repo):
    run = workflow_run(tmp_path, repo, """
        jobs:
          one:
            steps:
              - run: echo "text<<EOF" >> "$GITHUB_OUTPUT"
        """)  # fmt: skip
    with pytest.raises(HarnessError, match="matching delimiter"):
        run.job("one")


def test_artifacts_keep_the_common_root_and_hidden_files_only_when_asked(tmp_path, repo):
    run = workflow_run(
        tmp_path,
        repo,
        """
        jobs:
          up:
            steps:
              - run: mkdir -p .work/envs/a && echo 1 > .work/envs/a/plan.json && echo 2 > .work/envs/a/record.json
              - uses: actions/upload-artifact@v7
                with:
                  name: plan-a
                  path: |
                    .work/envs/a/plan.json
                    .work/envs/a/record.json
                  include-hidden-files: true
                  if-no-files-found: error
              - id: hidden
                continue-on-error: true
                uses: actions/upload-artifact@v7
                with: {name: hidden, path: .work/envs/a/plan.json, if-no-files-found: error}
          down:
            needs: up
            steps:
              - uses: actions/download-artifact@v8
                with: {name: plan-a, path: restored}
              - run: test "$(cat restored/plan.json)$(cat restored/record.json)" = 12
              - id: missing
                continue-on-error: true
                uses: actions/download-artifact@v8
                with: {name: plan-b}
        """,
    )
    up = run.job("up").expect("success")
    assert up.step("hidden").outcome == "failure"
    down = run.job("down").expect("success")
    assert down.step("missing").outcome == "failure" and "Artifact not found" in down.step("missing").log


def test_configure_aws_credentials_needs_id_token_permission(tmp_path, repo):
    run = workflow_run(tmp_path, repo, """
        permissions: {}
        jobs:
          one:
            permissions: {contents: read}
            steps:
              - uses: aws-actions/configure-aws-credentials@v6
                with: {role-to-assume: "arn:aws:iam::123456789012:role/x", aws-region: eu-west-1}
        """)  # fmt: skip
    job = run.job("one").expect("failure")
    assert "id-token: write" in job.steps[0].log
