"""Render one environment's saved plan as a GitHub pull-request comment (GitHub-flavoured Markdown).

Input is the `terraform show -json` document of a saved plan (read once into core.plan_model.Plan) plus its
provenance and the plan's policy scan; nothing here runs or knows Terraform the program. What a reviewer sees,
top to bottom:

    hidden marker (finds the comment again) / heading / one-line verdict / count table
    every resource to be destroyed or replaced (with the attribute that forces a replacement)
    changes made outside Terraform (resource_drift)
    output changes
    full per-resource detail, grouped by module, collapsed in <details>
    policy-scan result
    provenance (commit, Terraform and provider versions, plan time) and, when protected, who must approve

The parts live beside this module: markdown.py (escaping primitives), sections.py (each section), fit.py (the
65,536-character budget). Header and provenance are always kept; the other sections are fitted in priority order
(see PRIORITY): the change detail before the policy scan, which is summarised per check. Sensitive values print as (sensitive); the masker runs on every value before it is escaped or
truncated (so a truncated secret cannot leak its prefix) and once more over the whole comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from platform_cli.core.masks import Masker
from platform_cli.core.plan_model import Plan

from .fit import GITHUB_COMMENT_LIMIT, Slot, fit_sections
from .markdown import code, marker
from .sections import (
    SEP,
    CommentFacts,
    Values,
    counts_table,
    destroy_section,
    details_section,
    drift_section,
    outputs_section,
    provenance,
    scan_section,
    verdict,
)

__all__ = ["GITHUB_COMMENT_LIMIT", "EnvPlan", "code", "marker", "render_env"]

# Fitting order (display order is DISPLAY): the first sections get the room first, and the change detail outranks
# the scan. The detail takes at most DETAIL_SHARE of the room at first so the per-check scan summary keeps some room
# in a huge plan; what the scan leaves goes back to the detail, so a plan whose detail fits is never cut for it.
PRIORITY = ("destroy", "drift", "outputs", "details", "scan")
DISPLAY = ("destroy", "drift", "outputs", "details", "scan")
DETAIL_SHARE = 0.9


@dataclass
class EnvPlan:
    env: str
    plan: dict[str, Any]  # `terraform show -json` of a saved plan (format_version 1.x)
    provenance: dict[str, Any]  # git_commit, terraform_version, providers {addr: version}, created_at, plan_sha256
    scan: dict[str, Any] | None = (
        None  # {"passed", "failed", "skipped", "failures": [{check_id, check_name, resource, file}]}
    )
    protected: bool = False
    approvals_required: int = 0
    approvers: str | None = None  # who may approve, e.g. "required reviewers of the GitHub environment `prod`"
    full_plan_url: str | None = None  # where the full plan is (the workflow run's artifact)

    @cached_property
    def model(self) -> Plan:
        return Plan.from_json(self.plan or {})

    @property
    def facts(self) -> CommentFacts:
        return CommentFacts(
            self.env, self.provenance, self.protected, self.approvals_required, self.approvers, self.full_plan_url
        )


def render_env(p: EnvPlan, masker: Masker | None = None, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The pull-request comment for one environment's plan, at most `limit` characters."""
    text = _render(p, masker, limit)
    if masker:
        text = masker.mask(text)
        # Masking is also done per value while fitting, so the whole-comment pass can only grow the text when a
        # pattern matches across values; refit into less room if it did.
        shrink = 0
        while len(text) > limit and shrink < limit:
            shrink += len(text) - limit + 64
            text = masker.mask(_render(p, masker, limit - shrink))
    return text if len(text) <= limit else text[:limit]


def _render(p: EnvPlan, masker: Masker | None, limit: int) -> str:
    values = Values(masker)
    plan, facts = p.model, p.facts
    counts = plan.counts()
    drift = drift_section(facts, plan, values)
    env = code(values.text(p.env))
    if not plan.changes and not plan.outputs and drift is None and not plan.errored:
        commit = str((p.provenance or {}).get("git_commit") or "")
        at = f" at commit {code(values.text(commit[:12]))}" if commit and commit != "unknown" else ""
        return (
            f"{marker(p.env)}\n:white_check_mark: {env}: **no changes**, infrastructure matches the configuration{at}."
        )

    header = SEP.join(
        [
            f"{marker(p.env)}\n### Terraform plan for {env}",
            f"{':x:' if plan.errored else ':memo:'} **Plan: {verdict(counts, len(plan.outputs), plan.errored)}.**",
            counts_table(counts),
        ]
    )
    footer = "---\n" + provenance(facts, plan, values)
    sections = {
        "destroy": destroy_section(facts, plan, values),
        "drift": drift,
        "outputs": outputs_section(plan, values),
        "details": details_section(facts, plan, values),
        "scan": scan_section(p.scan, plan, values),
    }
    present = {k: s for k, s in sections.items() if s is not None}
    fixed = len(header) + len(footer) + len(SEP) * (len(present) + 1)
    room = limit - fixed - sum(len(s.minimal) for s in present.values())
    slots = [
        Slot(name, present[name], DETAIL_SHARE if name == "details" else 1.0) for name in PRIORITY if name in present
    ]
    rendered = fit_sections(slots, room)
    return SEP.join([header, *(rendered[k] for k in DISPLAY if k in rendered), footer])
