"""The expression language as the workflows use it, and refusals of what the harness does not evaluate."""

from __future__ import annotations

import pytest

from harness.errors import UnsupportedExpression
from harness.expressions import Status, StrictContext, condition, evaluate, substitute

CONTEXTS = {
    "github": StrictContext("github", {"event_name": "pull_request", "repository": "octo/platform", "run_id": "42",
                                       "event": {"pull_request": {"number": 7, "head": {"repo": {"full_name": "octo/platform"}}}}}),
    "needs": StrictContext("needs", {"envs": {"result": "success", "outputs": {"count": "2", "matrix": '{"include":[{"env":"a"},{"env":"b"}]}'}}}),
    "steps": StrictContext("steps", {"aws": {"outputs": {"available": "true"}, "outcome": "success"}}),
    "vars": {"PLAN_ROLE_ARN": "arn:aws:iam::1:role/plan"},
    "matrix": {"env": "staging"},
    "env": {},
}  # fmt: skip


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("github.event.pull_request.head.repo.full_name == github.repository", True),
        ("needs.envs.outputs.count != '0'", True),
        ("steps.aws.outputs.available == 'true'", True),
        ("steps.aws.outputs.missing == ''", True),  # a missing output is null, and null == '' like GitHub
        ("format('plan-{0}-{1}', github.run_id, 1)", "plan-42-1"),
        ("format('{{0}} {0}', 'x')", "{0} x"),
        ("fromJSON(needs.envs.outputs.matrix).include[1].env", "b"),
        ("toJSON(matrix)", '{\n  "env": "staging"\n}'),
        ("contains('Hello', 'ELL')", True),
        ("contains(fromJSON('[\"a\",\"b\"]'), 'b')", True),
        ("startsWith(github.repository, 'OCTO/')", True),
        ("'a' == 'A'", True),
        ("1 == '1'", True),
        ("null == 0", True),
        ("!(1 == 2) && 'x'", "x"),
        ("'' || 'fallback'", "fallback"),
        ("vars.NOT_SET || 'default'", "default"),
        ("0x10 == 16", True),
        ("3 > 2 && 2 >= 2 && 1 < 2 && 'a' <= 'b'", True),
        ("'it''s'", "it's"),
        ("fromJSON(needs.envs.outputs.matrix).include.*.env", ["a", "b"]),
    ],
)
def test_expressions_evaluate_as_github_does(expression, value):
    assert evaluate(expression, CONTEXTS) == value


@pytest.mark.parametrize(
    ("expression", "named"),
    [
        ("hashFiles('**/*.tf')", "hashFiles"),
        ("job.status", "'job'"),
        ("github.no_such_key", "no_such_key"),
        ("needs.plan.outputs.x", "'plan'"),
        ("steps.nope.outputs.x", "'nope'"),
        ("1 +", "cannot parse"),
    ],
)
def test_unknown_functions_contexts_and_syntax_fail_by_name(expression, named):
    with pytest.raises(UnsupportedExpression, match=named):
        evaluate(expression, CONTEXTS)


def test_a_whole_value_expression_keeps_its_type_and_text_around_one_makes_a_string():
    assert substitute("${{ fromJSON(needs.envs.outputs.matrix) }}", CONTEXTS, "m") == {
        "include": [{"env": "a"}, {"env": "b"}]
    }
    assert substitute("plan (${{ matrix.env }}) ${{ 2 }}", CONTEXTS, "n") == "plan (staging) 2"
    with pytest.raises(UnsupportedExpression, match="toJSON"):
        substitute("x ${{ matrix }}", CONTEXTS, "n")


def test_if_conditions_get_an_implicit_success_unless_they_check_status_themselves():
    failed = Status(failed=True)
    assert condition("steps.aws.outputs.available == 'true'", CONTEXTS, Status()) is True
    assert condition("steps.aws.outputs.available == 'true'", CONTEXTS, failed) is False
    assert condition("${{ always() }}", CONTEXTS, failed) is True
    assert condition("!cancelled() && needs.envs.result == 'success'", CONTEXTS, failed) is True
    assert condition("failure()", CONTEXTS, failed) is True and condition("failure()", CONTEXTS, Status()) is False
    with pytest.raises(UnsupportedExpression, match="only allowed in an if"):
        evaluate("success()", CONTEXTS)
