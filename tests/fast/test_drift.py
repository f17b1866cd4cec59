"""Drift: the read-back noise of a fresh apply is not drift; a real change made by hand still is.

drift_after_apply.json is `terraform show -json` of a refresh-only plan made right after `platformctl apply`
of the real stack in the sandbox (tests/deployment proves the same end to end).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from platform_cli.core.drift import drifted_resources, same_ignoring_empty

FRESH = json.loads((Path(__file__).parent / "fixtures" / "drift_after_apply.json").read_text())


def _drift(shown: dict, address_part: str) -> dict:
    return next(d for d in shown["resource_drift"] if address_part in d["address"])


def test_a_fresh_apply_has_read_back_noise_but_no_drift():
    assert len(FRESH["resource_drift"]) >= 5  # Terraform itself reports these as "changed outside"
    assert drifted_resources(FRESH) == []


def test_a_changed_alarm_threshold_is_drift():
    shown = copy.deepcopy(FRESH)
    alarm = _drift(shown, 'aws_cloudwatch_metric_alarm.this["cpu"]')
    alarm["change"]["after"]["threshold"] = 99.0
    assert drifted_resources(shown) == [
        {"address": alarm["address"], "actions": ["update"], "attributes": ["threshold"]}
    ]


def test_insufficient_data_actions_set_by_hand_is_drift():
    shown = copy.deepcopy(FRESH)
    alarm = _drift(shown, 'aws_cloudwatch_metric_alarm.this["5xx"]')
    alarm["change"]["after"]["insufficient_data_actions"] = ["arn:aws:sns:eu-west-1:123456789012:someone-else"]
    assert [d["attributes"] for d in drifted_resources(shown)] == [["insufficient_data_actions"]]


def test_an_inline_policy_added_by_hand_is_drift():
    shown = copy.deepcopy(FRESH)
    role = _drift(shown, "aws_iam_role.instance")
    role["change"]["after"]["inline_policy"].append({"name": "backdoor", "policy": '{"Statement":[]}'})
    assert [d["attributes"] for d in drifted_resources(shown)] == [["inline_policy"]]


def test_a_runtime_variable_set_by_hand_is_drift():
    shown = copy.deepcopy(FRESH)
    service = _drift(shown, "aws_apprunner_service.this")
    image = service["change"]["after"]["source_configuration"][0]["image_repository"][0]
    image["image_configuration"][0]["runtime_environment_variables"] = {"DEBUG": "1"}
    assert [d["attributes"] for d in drifted_resources(shown)] == [["source_configuration"]]


def test_a_deleted_resource_is_drift():
    shown = copy.deepcopy(FRESH)
    gone = _drift(shown, "aws_iam_role.access")
    gone["change"]["actions"] = ["delete"]
    gone["change"]["after"] = None
    assert drifted_resources(shown) == [{"address": gone["address"], "actions": ["delete"], "attributes": []}]


@pytest.mark.parametrize(
    "a,b,same",
    [
        (None, [], True),
        ({}, None, True),
        ([], {}, True),
        ({"x": None}, {"x": {}}, True),
        ([{"a": None}], [{"a": []}], True),
        (None, ["x"], False),
        ({"x": 1}, {"x": 2}, False),
        ([1], [1, 2], False),
    ],
)
def test_null_and_empty_are_one_value_and_nothing_else_is(a, b, same):
    assert same_ignoring_empty(a, b) is same


FARGATE = json.loads((Path(__file__).parent / "fixtures" / "drift_after_fargate_apply.json").read_text())


def test_a_fresh_fargate_apply_has_read_back_noise_but_no_drift():
    assert len(FARGATE["resource_drift"]) >= 6
    assert drifted_resources(FARGATE) == []


def test_an_ingress_rule_added_by_hand_is_drift():
    shown = copy.deepcopy(FARGATE)
    group = _drift(shown, "aws_security_group.tasks")
    group["change"]["after"]["ingress"].append(
        {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp", "description": "by hand"}
    )
    assert [d["attributes"] for d in drifted_resources(shown)] == [["ingress"]]


def test_a_target_group_attached_to_a_foreign_load_balancer_is_drift():
    shown = copy.deepcopy(FARGATE)
    target_group = _drift(shown, "aws_lb_target_group.this")
    target_group["change"]["after"]["load_balancer_arns"].append(
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/someone-else/0123456789abcdef"
    )
    assert [d["attributes"] for d in drifted_resources(shown)] == [["load_balancer_arns"]]


def test_a_bucket_key_turned_off_by_hand_after_it_was_on_is_drift():
    shown = copy.deepcopy(FARGATE)
    sse = _drift(shown, "aws_s3_bucket_server_side_encryption_configuration.logs")
    sse["change"]["before"]["rule"][0]["bucket_key_enabled"] = True
    assert [d["attributes"] for d in drifted_resources(shown)] == [["rule"]]


def test_the_drift_issue_body_keeps_planted_names_inside_code():
    import cmarkgfm

    from platform_cli.github.drift_issue import drift_issue_body

    planted = 'aws_s3_bucket.x["a`b</li><img src=x>\n# heading"]'
    body = drift_issue_body("st`ag", [{"address": planted, "actions": ["update"], "attributes": ["tags`|<b>"]}])
    html = cmarkgfm.github_flavored_markdown_to_html(body)
    assert "<img" not in html and "<b>" not in html and "<h1>" not in html
    assert html.count("<code>") == 4  # the command, the action, the address, the attribute
    assert "found 1 resource changed outside Terraform" in body
    assert drift_issue_body("prod", []).startswith("No drift in `prod` any more")
