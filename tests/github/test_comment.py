"""Plan comments rendered from real `terraform show -json` output of this repository's stack.

Golden files hold the exact Markdown (regenerate with UPDATE_GOLDEN=1 after a deliberate change and review the
diff); each comment is also rendered with cmarkgfm, GitHub's own Markdown engine, to assert what a reviewer sees.
No Terraform, no sandbox: the fixtures come from scripts/make_comment_fixtures.py.
"""

from __future__ import annotations

import copy
import os
import re

import pytest
from comment_fixtures import (
    GOLDEN,
    PROVENANCE,
    REAL_PLANS,
    RUN_URL,
    SCAN,
    load_plan,
    many_changes,
    preexisting_findings,
    stack_plan,
    structure,
    to_html,
)

from platform_cli.core.masks import Masker
from platform_cli.github.comment import GITHUB_COMMENT_LIMIT, EnvPlan, code, marker, render_env

ALLOWED_TAGS = {
    "h3",
    "h4",
    "p",
    "strong",
    "em",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "details",
    "summary",
    "ul",
    "li",
    "blockquote",
    "hr",
    "a",
    "br",
}


def env_plan(plan: dict, env: str = "staging", **kw) -> EnvPlan:
    kw.setdefault("provenance", PROVENANCE)
    kw.setdefault("scan", SCAN)
    kw.setdefault("full_plan_url", RUN_URL)
    return EnvPlan(env=env, plan=plan, **kw)


def check_structure(comment: str, env: str = "staging") -> None:
    """What every comment must look like once GitHub renders it."""
    seen = structure(comment)
    assert comment.startswith(marker(env) + "\n")
    assert seen.comments == [marker(env)[4:-3]], "the marker is the one and only HTML comment"
    assert set(seen.tags) <= ALLOWED_TAGS, set(seen.tags) - ALLOWED_TAGS
    assert seen.details_balanced and seen.tags.count("details") <= 1
    for table in seen.tables:
        assert len({len(row) for row in table}) == 1, f"ragged table: {table}"


@pytest.mark.parametrize("name", REAL_PLANS)
def test_golden_comment(name):
    plan = load_plan(name)
    protected = name in ("destroy", "replace")
    comment = render_env(
        env_plan(
            plan,
            env="prod" if protected else "staging",
            protected=protected,
            approvals_required=2 if protected else 0,
            approvers="required reviewers of the GitHub environment `production`",
        )
    )
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(comment, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden.name}: run with UPDATE_GOLDEN=1 and review it"
    assert comment == golden.read_text(encoding="utf-8")
    check_structure(comment, env="prod" if protected else "staging")


def test_count_table_is_an_html_table_with_the_counts():
    seen = structure(render_env(env_plan(load_plan("destroy"))))
    header, _, counts = seen.tables[0][0], None, seen.tables[0][1]
    assert header == ["add", "change", "destroy", "replace"]
    assert counts == ["0", "0", "5", "0"]


def test_no_change_plan_is_one_short_line():
    comment = render_env(env_plan(load_plan("no_change")))
    assert comment.splitlines() == [marker("staging"), comment.splitlines()[1]]
    assert "no changes" in comment and len(comment) < 200
    assert "<details>" not in comment and "|" not in comment


def test_destroy_lists_every_resource_with_reason():
    comment = render_env(env_plan(load_plan("destroy")))
    warning = comment.split("> [!CAUTION]")[1].split("\n\n")[0]
    assert "This plan destroys 5 resources" in warning
    for rc in load_plan("destroy")["resource_changes"]:
        if rc["change"]["actions"] == ["delete"]:
            assert f"> - destroy {code(rc['address'])}: removed from the configuration" in warning


def test_replace_is_shown_as_replace_with_the_forcing_attribute():
    comment = render_env(env_plan(load_plan("replace")))
    assert "**Plan: 0 to add, 0 to change, 0 to destroy, 3 to replace; 1 output to change.**" in comment
    assert "> - replace `module.monitoring.aws_sns_topic.this`: forced by `name`" in comment
    assert re.search(
        r"~ name = \"mlplatform-staging-alerts\" -> \"mlplatform-staging-alarms\"   # forces "
        r"replacement",
        comment,
    )


def test_drift_has_its_own_section_and_leaves_out_refresh_noise():
    comment = render_env(env_plan(load_plan("drift")))
    section = comment.split("#### Changed outside Terraform")[1].split("<details>")[0]
    assert "2 resources changed outside Terraform" in section
    assert '~ image_tag_mutability = "IMMUTABLE" -> "MUTABLE"' in section
    assert '~ display_name = "" -> "hand edited"' in section
    assert "lifecycle_rule" not in section and "aws_s3_bucket" not in section


def test_import_and_moved_are_counted_and_explained():
    comment = render_env(env_plan(load_plan("import_moved")))
    assert "1 to import, 5 moved" in comment
    assert "`aws_cloudwatch_log_group.audit` will be **imported (id `/mlplatform/staging/audit`) and updated" in comment
    assert ("will be **moved from `module.monitoring.aws_sns_topic.this`**") in comment


def test_output_changes_are_listed():
    comment = render_env(env_plan(load_plan("destroy")))
    outputs = comment.split("#### Output changes (4)")[1].split("```")[1]
    assert {line.split(" ")[1] for line in outputs.splitlines()[1:]} == {
        "alarm_names",
        "alert_topic_arn",
        "dashboard_name",
        "dashboard_url",
    }


def test_protected_environment_says_who_must_approve():
    comment = render_env(
        env_plan(
            load_plan("small"),
            env="prod",
            protected=True,
            approvals_required=2,
            approvers="required reviewers of the GitHub environment `production`",
        )
    )
    assert (
        "`prod` is protected: applying needs **2 approvals** from required reviewers of the GitHub "
        "environment `production`."
    ) in comment
    unprotected = render_env(env_plan(load_plan("small")))
    assert "protected" not in unprotected


def test_provenance_is_shown():
    comment = render_env(env_plan(load_plan("small")))
    footer = comment.split("\n---\n")[1]
    for fact in (
        "0123456789abcdef0123456789abcdef01234567",
        "1.11.4",
        "registry.terraform.io/hashicorp/aws",
        "5.100.0",
        "2026-01-02T03:04:05+00:00",
    ):
        assert fact in footer
    assert f"[workflow run artifact](<{RUN_URL}>)" in footer


def test_scan_result_and_not_scanned():
    comment = render_env(env_plan(load_plan("small")))
    assert ":x: 41 passed, 1 failed, 2 skipped." in comment and "`CKV_AWS_144 Ensure that S3" in comment
    assert "Not scanned." in render_env(env_plan(load_plan("small"), scan=None))


# -- size -----------------------------------------------------------------------------------------------------


def test_3000_changes_fit_with_verdict_and_every_destroy():
    plan = many_changes(3000, destroys=5)
    comment = render_env(env_plan(plan))
    assert len(comment) <= GITHUB_COMMENT_LIMIT
    assert "**Plan: 2995 to add, 0 to change, 5 to destroy, 0 to replace; 11 outputs to change.**" in comment
    for rc in plan["resource_changes"][-5:]:
        assert f"> - destroy {code(rc['address'])}" in comment
    match = re.search(r"\*\*\.\.\. (\d+) resources left out here for length; see the \[full plan\]", comment)
    assert match, "the detail is cut with a line saying how many were left out"
    shown = len(re.findall(r"^`[^`]+` will be \*\*", comment, re.M))
    assert shown + int(match.group(1)) == 3000
    assert comment.index("copy_0000") < match.start() < comment.rindex("copy_0")  # cut from the middle
    assert "0123456789abcdef" in comment and "#### Policy scan" in comment
    check_structure(comment)


def test_destroy_list_too_long_says_exactly_how_many_are_not_shown():
    plan = many_changes(3000, destroys=3000)
    comment = render_env(env_plan(plan))
    assert len(comment) <= GITHUB_COMMENT_LIMIT
    listed = len(re.findall(r"^> - destroy ", comment, re.M))
    not_shown = int(re.search(r"^> - \.\.\. and (\d+) more not shown here", comment, re.M).group(1))
    assert listed > 100 and listed + not_shown == 3000
    assert "3000 to destroy" in comment and "0123456789abcdef" in comment
    check_structure(comment)


@pytest.mark.parametrize("limit", [1500, 4000, 20000])
def test_small_limits_are_respected_and_keep_the_essentials(limit):
    comment = render_env(env_plan(many_changes(300, destroys=40)), limit=limit)
    assert len(comment) <= limit
    assert "**Plan: 260 to add, 0 to change, 40 to destroy" in comment
    assert "This plan destroys 40 resources" in comment and "0123456789abcdef" in comment
    check_structure(comment)


def test_a_small_plan_in_a_big_stack_keeps_every_change_whatever_the_scan_found():
    plan = stack_plan(3000, changed=18)
    scan = preexisting_findings(plan, checks=600, per_check=3)
    comment = render_env(env_plan(plan, scan=scan))
    assert len(comment) <= GITHUB_COMMENT_LIMIT
    assert "**Plan: 9 to add, 9 to change, 0 to destroy, 0 to replace.**" in comment
    assert len(re.findall(r"^`[^`]+` will be \*\*", comment, re.M)) == 18
    assert "left out here for length" not in comment and "detail left out" not in comment
    # The scan is summarised per check, the check failing on a changed resource first, the rest cut to fit.
    scan_part = comment.split("#### Policy scan")[1]
    assert "601 checks failing, 1 of them on resources this plan changes" in scan_part
    rows = [line for line in scan_part.splitlines() if line.startswith("| `CKV_")]
    assert rows[0].startswith("| `CKV_AWS_9 Changed and failing` | 1 | `module.copy_")
    assert all(row.split(" | ")[1] == "3" for row in rows[1:])
    shown_more = re.search(r"\| \.\.\. (\d+) more failing checks not shown", scan_part)
    assert shown_more and len(rows) + int(shown_more.group(1)) == 601
    check_structure(comment)


def test_the_scan_says_what_it_covered():
    scan = {**SCAN, "scope": {"changed": 18, "resources": 3000}}
    comment = render_env(env_plan(load_plan("small"), scan=scan))
    assert "Checked: the 18 resources this plan creates, updates, replaces, imports or moves" in comment
    assert "the other 2982 resources of the stack are not part of this scan." in comment


# -- escaping, secrets, masks ---------------------------------------------------------------------------------

PLANT = "PLANT`x``|y|<b>bold</b>-->\n```\n</details><!--"


def planted_plan() -> dict:
    plan = copy.deepcopy(load_plan("small"))
    rc = next(rc for rc in plan["resource_changes"] if rc["change"]["actions"] == ["update"])
    rc["change"]["after"]["description"] = PLANT
    rc["change"]["after"]["tags"] = {PLANT: PLANT}
    evil = copy.deepcopy(rc)
    evil["address"] = f'aws_s3_object.this["{PLANT}"]'
    evil["module_address"] = ""
    evil["change"]["actions"] = ["delete"]
    plan["resource_changes"].append(evil)
    plan["output_changes"]["evil"] = {
        "actions": ["create"],
        "before": None,
        "after": PLANT,
        "after_unknown": False,
        "before_sensitive": False,
        "after_sensitive": False,
    }
    return plan


def test_plan_values_never_break_out_of_cells_code_or_marker():
    scan = {**SCAN, "failures": [{"check_id": PLANT, "check_name": PLANT, "resource": PLANT, "file": PLANT}]}
    env = "st-->ag<i>ing`|"
    comment = render_env(env_plan(planted_plan(), env=env, scan=scan, provenance={**PROVENANCE, "git_commit": PLANT}))
    seen = structure(comment)
    assert comment.startswith(marker(env) + "\n") and "-->" not in marker(env)[:-3]
    assert seen.comments == [marker(env)[4:-3]]
    assert set(seen.tags) <= ALLOWED_TAGS and "b" not in seen.tags and "i" not in seen.tags
    assert seen.details_balanced and seen.tags.count("details") == 1
    assert not any("PLANT" in text for text in seen.text_outside_code), "a planted value escaped its code"
    assert sum("PLANT" in text for text in seen.code_text) >= 6
    scan_table = seen.tables[1]
    assert all(len(row) == 3 for row in scan_table) and len(scan_table) == 2
    assert scan_table[1][0].startswith("PLANT") and scan_table[1][0].count("PLANT") == 2, scan_table[1]
    assert scan_table[1][1:] == ["1", "none"]


def test_marker_escapes_whatever_the_env_name_holds():
    for env in ("staging", "a-->b", "x\ny", "<!--", "名前"):
        m = marker(env)
        assert m.startswith("<!-- ") and m.endswith(" -->") and m.count("-->") == 1 and "\n" not in m
        assert "<" not in m[4:] and ">" not in m[:-1]
    assert marker("a-->b") != marker("a--b")


def test_sensitive_values_never_appear():
    plan = copy.deepcopy(load_plan("small"))
    rc = next(rc for rc in plan["resource_changes"] if rc["change"]["actions"] == ["update"])
    rc["change"]["before"]["description"] = "old-hunter2-before"
    rc["change"]["after"]["description"] = "new-hunter2-after"
    rc["change"]["before_sensitive"] = {"description": True}
    rc["change"]["after_sensitive"] = {"description": True}
    created = copy.deepcopy(
        next(r for r in load_plan("large")["resource_changes"] if r["change"]["actions"] == ["create"])
    )
    created["change"]["after"]["password"] = {"nested": ["hunter2-nested"]}
    created["change"]["after_sensitive"] = {"password": True}
    plan["resource_changes"].append(created)
    plan["output_changes"]["db_password"] = {
        "actions": ["update"],
        "before": "hunter2-out-old",
        "after": "hunter2-out-new",
        "after_unknown": False,
        "before_sensitive": True,
        "after_sensitive": True,
    }
    comment = render_env(env_plan(plan))
    assert "hunter2" not in comment
    assert "~ description = (sensitive) -> (sensitive)" in comment
    assert "+ password = (sensitive)" in comment
    assert "~ db_password = (sensitive) -> (sensitive)" in comment


def test_masked_values_never_appear():
    plan = copy.deepcopy(load_plan("small"))
    rc = next(rc for rc in plan["resource_changes"] if rc["change"]["actions"] == ["update"])
    rc["change"]["after"]["description"] = "token=tok-SECRET-42 and AKIAABCDEFGHIJKLMNOP"
    masker = Masker.from_environ(
        {"PLATFORMCTL_MASKS": "env:DEPLOY_TOKEN,regexp:AKIA[0-9A-Z]{16}", "DEPLOY_TOKEN": "tok-SECRET-42"}
    )
    comment = render_env(env_plan(plan, provenance={**PROVENANCE, "git_commit": "tok-SECRET-42"}), masker=masker)
    assert "tok-SECRET-42" not in comment and "AKIA" not in comment
    assert '"token=*** and ***"' in comment
    seen = structure(comment)
    assert not any("***" in text for text in seen.text_outside_code), "*** outside code would render as emphasis"


def test_a_long_secret_cut_for_length_is_masked_before_the_cut():
    plan = copy.deepcopy(load_plan("small"))
    rc = next(rc for rc in plan["resource_changes"] if rc["change"]["actions"] == ["update"])
    secret = "S" * 180 + "-the-rest-of-the-secret" + "T" * 100
    rc["change"]["after"]["description"] = "x" * 30 + secret
    comment = render_env(env_plan(plan), masker=Masker([secret]))
    assert "SSSSSSSSSS" not in comment and '"' + "x" * 30 + '***"' in comment


def test_code_spans_hold_anything():
    for text in ["`", "``a``", " ` ", "a|b", "a\\|b", "x\ny", "", "<script>", "-->"]:
        html = to_html(f"| h |\n|---|\n| {code(text, in_table=True)} |\n")
        assert html.count("<td>") == 1 and "<script>" not in html
        para = to_html(code(text))
        assert para.startswith("<p><code>") and para.rstrip().endswith("</code></p>")
