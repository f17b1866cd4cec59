"""The sections of a plan comment, each rendered from the plan model (core.plan_model) into a budget (fit.Fitted).

Values are masked first (so a value cut for length cannot leak a secret's prefix), then JSON-encoded onto one line,
then cut if long, and only ever placed inside code (markdown.code / markdown.code_block).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from platform_cli.core.masks import Masker
from platform_cli.core.plan_model import (
    COUNT_KEYS,
    UNKNOWN,
    AttributeChange,
    Plan,
    ResourceChange,
    Sensitive,
    is_identifier,
    path_text,
)

from .fit import Fitted, fit_lines
from .markdown import code, code_block, html, link, one_line, plural, trusted_line

MAX_VALUE_CHARS = 240  # a longer string value is cut (policies are diffed as JSON instead when both sides parse)
SENSITIVE = "(sensitive)"
UNKNOWN_TEXT = "(known after apply)"
SEP = "\n\n"


@dataclass
class CommentFacts:
    """What a comment says besides the plan itself."""

    env: str
    provenance: dict[str, Any]  # git_commit, terraform_version, providers {addr: version}, created_at, plan_sha256
    protected: bool = False
    approvals_required: int = 0
    approvers: str | None = None
    full_plan_url: str | None = None


# --------------------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------------------


class Values:
    """Formats leaf values for code blocks: masked first, then JSON-encoded (one line), then cut if long."""

    def __init__(self, masker: Masker | None):
        self.masker = masker

    def text(self, value: str) -> str:
        return self.masker.mask(value) if self.masker else value

    def fmt(self, value: Any) -> str:
        if isinstance(value, Sensitive):
            return SENSITIVE
        if value is UNKNOWN:
            return UNKNOWN_TEXT
        if isinstance(value, str):
            value = self.text(value)
            if len(value) > MAX_VALUE_CHARS:
                cut = json.dumps(value[: MAX_VALUE_CHARS - 40], ensure_ascii=False)[:-1]
                return f'{cut}..." ({len(value)} chars)'
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, (dict, list)):
            text = json.dumps(self._masked(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            return text if len(text) <= MAX_VALUE_CHARS else f"{text[: MAX_VALUE_CHARS - 40]}... ({len(text)} chars)"
        return self.text(json.dumps(value))

    def label(self, path: str) -> str:
        # Map keys come from plan values: mask them and keep them on one line like any value.
        return one_line(self.text(path))

    def _masked(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self._masked(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._masked(v) for v in value]
        return value


def diff_line(change: AttributeChange, values: Values) -> str:
    """One line of a ```diff block: `+ path = v`, `- path = v` or `~ path = before -> after`."""
    label = values.label(change.path)
    forces = "   # forces replacement" if change.forces_replacement else ""
    if change.before is None:
        return f"+ {label} = {values.fmt(change.after)}{forces}"
    if change.after is None:
        return f"- {label} = {values.fmt(change.before)}{forces}"
    return f"~ {label} = {values.fmt(change.before)} -> {values.fmt(change.after)}{forces}"


# --------------------------------------------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------------------------------------------

_VERDICT_WORDS = {
    "add": "to add",
    "change": "to change",
    "destroy": "to destroy",
    "replace": "to replace",
    "import": "to import",
    "moved": "moved",
    "forget": "forgotten",
}
_DELETE_REASONS = {
    "delete_because_no_resource_config": "removed from the configuration",
    "delete_because_no_module": "its module was removed",
    "delete_because_wrong_repetition": "count/for_each changed",
    "delete_because_count_index": "count index no longer exists",
    "delete_because_each_key": "for_each key no longer exists",
    "delete_because_no_move_target": "moved block target missing",
}
_REPLACE_REASONS = {
    "replace_because_tainted": "tainted",
    "replace_by_request": "requested with -replace",
    "replace_by_triggers": "replace_triggered_by",
}
_KIND_TEXT = {
    "create": "created",
    "update": "updated in place",
    "delete": "destroyed",
    "replace": "replaced",
    "forget": "removed from state (not destroyed)",
    "no-op": "unchanged",
}


def _reason(c: ResourceChange, values: Values) -> str:
    if c.kind == "replace":
        paths = c.replace_paths
        if paths:
            return (
                "forced by "
                + ", ".join(code(values.text(p)) for p in paths[:5])
                + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            )
        return _REPLACE_REASONS.get(c.action_reason or "", "")
    if c.kind == "delete":
        return _DELETE_REASONS.get(c.action_reason or "", "")
    return ""


def _address(c: ResourceChange, values: Values) -> str:
    text = code(values.text(c.address))
    if c.deposed:
        text += f" (deposed object {code(values.text(c.deposed))})"
    return text


def _entry(c: ResourceChange, values: Values) -> str:
    """One resource's detail: a line saying what happens and a diff block of its attributes."""
    what = [_KIND_TEXT[c.kind]] if c.kind != "no-op" or not (c.importing or c.moved) else []
    if c.importing:
        what.insert(0, "imported" + (f" (id {code(values.text(str(c.import_id)))})" if c.import_id else ""))
    if c.previous_address is not None:  # moved
        what.insert(0, f"moved from {code(values.text(c.previous_address))}")
    reason = _reason(c, values)
    line = f"{_address(c, values)} will be **" + " and ".join(what) + "**" + (f": {reason}" if reason else "")
    lines = [diff_line(a, values) for a in c.attributes] if c.kind != "delete" else []
    return line + ("\n" + code_block(lines, "diff") if lines else "")


def _module_heading(module: str, values: Values) -> str:
    return f"**Module {code(values.text(module))}**" if module else "**Root module**"


def full_plan_ref(facts: CommentFacts) -> str:
    if facts.full_plan_url:
        return f"see the {link('full plan', facts.full_plan_url)}"
    return "see the full plan (`terraform show`)"


# --------------------------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------------------------


def destroy_section(facts: CommentFacts, plan: Plan, values: Values) -> Fitted | None:
    doomed = [c for c in plan.changes if c.kind in ("delete", "replace")]
    if not doomed:
        return None
    n_del = sum(c.kind == "delete" for c in doomed)
    n_rep = len(doomed) - n_del
    parts = [f"destroys {plural(n_del, 'resource')}"] if n_del else []
    if n_rep:
        parts.append(f"replaces {plural(n_rep, 'resource')} (destroyed, then created anew)")
    head = f"> [!CAUTION]\n> **This plan {' and '.join(parts)}:**"
    items = []
    for c in doomed:
        reason = _reason(c, values)
        verb = "destroy" if c.kind == "delete" else "replace"
        items.append(f"> - {verb} {_address(c, values)}" + (f": {reason}" if reason else ""))

    def more(n: int) -> str:
        return f"> - ... and {n} more not shown here; {full_plan_ref(facts)}" if n else ""

    minimal = f"{head}\n{more(len(items))}"
    return Fitted(minimal, lambda budget: fit_lines(head, items, budget, more).rstrip("\n"))


def relevant_drift(plan: Plan) -> list[tuple[ResourceChange, list[AttributeChange]]]:
    """Drift a reviewer should see, as Terraform itself decides: attributes the plan depends on
    (`relevant_attributes`, matched by exact resource address, [] meaning all of it), plus attributes that this plan
    changes back (a manual change Terraform is about to revert). Refresh noise (computed values, attributes
    owned by other resources) is left out, so a clean plan stays a one-liner."""
    relevant: dict[str, list[str]] = {}
    for attr in plan.relevant_attributes:
        relevant.setdefault(attr.get("resource", ""), []).append(path_text(attr.get("attribute") or []))
    planned = {c.address: c for c in plan.changes}
    out: list[tuple[ResourceChange, list[AttributeChange]]] = []
    for c in plan.drift:
        if c.kind not in ("update", "delete", "replace"):
            continue
        wanted = list(relevant.get(c.address, []))
        change = planned.get(c.address)
        if c.kind == "delete":
            if "" in wanted or wanted or change is not None:
                out.append((c, []))
            continue
        # Only an in-place update reverts attributes one by one; a replacement rewrites everything anyway.
        if change is not None and change.kind == "update":
            wanted += [a.attribute for a in change.attributes]
        if not wanted:
            continue
        shown = [a for a in c.attributes if any(_overlaps(a.attribute, w) for w in wanted)]
        if shown:
            out.append((c, shown))
    return out


def _overlaps(a: str, b: str) -> bool:
    """Whether two attribute paths name the same value or one contains the other ("" is the whole object)."""
    if not a or not b or a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return long_.startswith(short) and long_[len(short)] in ".["


def drift_section(facts: CommentFacts, plan: Plan, values: Values) -> Fitted | None:
    drift = relevant_drift(plan)
    if not drift:
        return None
    deleted = sum(c.kind == "delete" for c, _ in drift)
    head = (
        f"#### Changed outside Terraform\n\n{plural(len(drift), 'resource')} changed outside Terraform since "
        f"the last apply" + (f" ({deleted} deleted)" if deleted else "") + " in ways that matter to this plan:"
    )

    def item(entry: tuple[ResourceChange, list[AttributeChange]]) -> str:
        c, changed = entry
        if c.kind == "delete":
            return f"- {_address(c, values)}: deleted outside Terraform"
        lines = [diff_line(a, values) for a in changed]
        attrs = sorted({a.attribute for a in changed})
        shown = ", ".join(code(values.text(a)) for a in attrs[:8]) + (
            f" and {len(attrs) - 8} more" if len(attrs) > 8 else ""
        )
        block = "\n" + "\n".join("  " + line for line in code_block(lines, "diff").split("\n")) if lines else ""
        return f"- {_address(c, values)}: {shown or 'changed'}{block}"

    items = [item(c) for c in drift]

    def more(n: int) -> str:
        return f"- ... and {n} more not shown here; {full_plan_ref(facts)}" if n else ""

    return Fitted(head, lambda budget: fit_lines(head + "\n", items, budget, more).rstrip("\n"))


def outputs_section(plan: Plan, values: Values) -> Fitted | None:
    outputs = plan.outputs
    if not outputs:
        return None
    head = f"#### Output changes ({len(outputs)})"
    lines = []
    for o in outputs:
        label = values.text(o.name) if is_identifier(o.name) else json.dumps(values.text(o.name), ensure_ascii=False)
        if o.kind == "create":
            lines.append(f"+ {label} = {values.fmt(o.after)}")
        elif o.kind == "delete":
            lines.append(f"- {label} = {values.fmt(o.before)}")
        else:
            lines.append(f"~ {label} = {values.fmt(o.before)} -> {values.fmt(o.after)}")
    minimal = f"{head}: left out for length; {plural(len(outputs), 'output')} change."

    def render(budget: int) -> str:
        def size(n_lines: int, n_chars: int) -> int:  # head, blank line, fences with newlines, lines with newlines
            return len(head) + 2 + len("```diff\n") + n_chars + n_lines + len("```")

        def note(n: int) -> str:
            return f"... and {plural(n, 'more output')} not shown"

        kept: list[str] = []
        chars = 0
        for n, line in enumerate(lines):
            rest = len(lines) - n - 1
            if size(len(kept) + 2, chars + len(line) + len(note(rest))) > budget and (
                rest or size(len(kept) + 1, chars + len(line)) > budget
            ):
                break
            kept.append(line)
            chars += len(line)
        if len(kept) < len(lines):
            kept.append(note(len(lines) - len(kept)))
        return f"{head}\n\n{code_block(kept, 'diff')}"

    return Fitted(minimal, render)


def details_section(facts: CommentFacts, plan: Plan, values: Values) -> Fitted | None:
    changes = plan.changes
    if not changes:
        return None
    open_ = f"<details><summary>Full plan: {html(plural(len(changes), 'resource change'))}</summary>"
    close = "</details>"
    minimal = (
        f"{open_}{SEP}Per-resource detail left out for length ({plural(len(changes), 'resource')}); "
        f"{full_plan_ref(facts)}.{SEP}{close}"
    )

    def render(budget: int) -> str:
        def note(n: int) -> str:
            return f"**... {plural(n, 'resource')} left out here for length; {full_plan_ref(facts)}.**"

        room = budget - len(open_) - len(close) - 2 * len(SEP) - len(note(len(changes))) - 2 * len(SEP)
        cache: dict[int, str] = {}

        def entry(i: int) -> str:
            if i not in cache:
                cache[i] = _entry(changes[i], values)
            return cache[i]

        def heading_cost(i: int) -> int:
            return len(_module_heading(changes[i].module, values)) + len(SEP)

        # Cut from the middle: the first and the last resources stay, a line says how many are left out between.
        front, used = [], 0
        for i in range(len(changes)):
            cost = (
                len(entry(i))
                + len(SEP)
                + (heading_cost(i) if i == 0 or changes[i].module != changes[i - 1].module else 0)
            )
            if used + cost > room // 2:
                break
            front.append(i)
            used += cost
        back: list[int] = []
        j = len(changes) - 1
        while j > (front[-1] if front else -1):
            cost = (
                len(entry(j))
                + len(SEP)
                + (heading_cost(j) if not back or changes[j].module != changes[back[0]].module else 0)
            )
            if used + cost > room:
                break
            back.insert(0, j)
            used += cost
            j -= 1
        left_out = len(changes) - len(front) - len(back)
        blocks = [open_]
        previous = None
        for i in front:
            if changes[i].module != previous:
                blocks.append(_module_heading(changes[i].module, values))
                previous = changes[i].module
            blocks.append(entry(i))
        if left_out:
            blocks.append(note(left_out))
            previous = None
        for i in back:
            if changes[i].module != previous:
                blocks.append(_module_heading(changes[i].module, values))
                previous = changes[i].module
            blocks.append(entry(i))
        blocks.append(close)
        return SEP.join(blocks)

    return Fitted(minimal, render)


def _check_rows(failures: list[dict[str, Any]], changed: set[str]) -> list[tuple[str, int, list[str]]]:
    """(check, resources failing it, of them the ones this plan changes) per check, changed resources' checks
    first, then by how many resources fail."""
    by_check: dict[str, set[str]] = {}
    for f in failures:
        check = " ".join(str(x) for x in (f.get("check_id"), f.get("check_name") or f.get("check")) if x)
        by_check.setdefault(check, set()).add(str(f.get("resource") or ""))
    rows = [(check, len(resources), sorted(resources & changed)) for check, resources in by_check.items()]
    return sorted(rows, key=lambda row: (-len(row[2]), -row[1], row[0]))


def _scope(scan: dict[str, Any]) -> str:
    """What the scan covered, in the reader's words (nothing is claimed when the scan does not say)."""
    scope = scan.get("scope")
    if not scope:
        return ""
    rest = int(scope.get("resources", 0)) - int(scope.get("changed", 0))
    return (
        f" Checked: the {plural(int(scope.get('changed', 0)), 'resource')} this plan creates, updates, replaces, "
        f"imports or moves (checkov `terraform_plan`, with their module's other resources as context)"
        + (f"; the other {plural(rest, 'resource')} of the stack are not part of this scan." if rest > 0 else ".")
    )


def scan_section(scan: dict[str, Any] | None, plan: Plan, values: Values) -> Fitted:
    """The policy scan summarised per check: how many resources fail each check, the checks failing on resources
    this plan changes first (so pre-existing findings never crowd them out)."""
    head = "#### Policy scan"
    if scan is None:
        return Fitted(f"{head}\n\nNot scanned.")
    failed = int(scan.get("failed") or 0)
    summary = (
        f"{':x:' if failed else ':white_check_mark:'} {scan.get('passed', 0)} passed, {failed} failed, "
        f"{scan.get('skipped', 0)} skipped.{_scope(scan)}"
    )
    rows = _check_rows(scan.get("failures") or [], plan.changed_addresses)
    if not rows:
        return Fitted(f"{head}\n\n{summary}")
    on_changed = sum(bool(changed) for _, _, changed in rows)
    counted = f"{plural(len(rows), 'check')} failing, {on_changed} of them on resources this plan changes"
    table_head = f"{counted}:\n\n| Check | Resources failing | Changed by this plan |\n|---|---:|---|"
    lines = []
    for check, total, changed in rows:
        named = ", ".join(code(values.text(a), in_table=True) for a in changed[:3])
        named += f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        lines.append(f"| {code(values.text(check), in_table=True)} | {total} | {named or 'none'} |")

    def more(n: int) -> str:
        return f"| ... {plural(n, 'more failing check')} not shown | | |" if n else ""

    minimal = f"{head}\n\n{summary}"
    body = f"{minimal}\n\n{table_head}"
    return Fitted(f"{minimal} {counted}.", lambda budget: fit_lines(body, lines, budget, more).rstrip("\n"))


# --------------------------------------------------------------------------------------------------------------
# Header and footer
# --------------------------------------------------------------------------------------------------------------


def provenance(facts: CommentFacts, plan: Plan, values: Values) -> str:
    prov = facts.provenance or {}
    parts = []
    commit = prov.get("git_commit")
    if commit:
        parts.append(
            f"commit {code(values.text(str(commit)))}" + (" (uncommitted changes)" if prov.get("git_dirty") else "")
        )
    tf = prov.get("terraform_version") or plan.terraform_version
    if tf:
        parts.append(f"Terraform {code(values.text(str(tf)))}")
    providers = prov.get("providers") or {}
    if providers:
        parts.append(
            "providers "
            + ", ".join(
                f"{code(values.text(str(a)))} {code(values.text(str(v)))}" for a, v in sorted(providers.items())
            )
        )
    if prov.get("created_at"):
        parts.append(f"planned {code(values.text(str(prov['created_at'])))}")
    if prov.get("plan_sha256"):
        parts.append(f"plan sha256 {code(values.text(str(prov['plan_sha256'])[:16]))}")
    lines = ["Plan of " + "; ".join(parts) + "." if parts else "Provenance unknown."]
    release = prov.get("variables") or {}
    if release.get("service_image") or release.get("model_artifact"):
        # What an approval of this plan binds, besides its sha256: the release it deploys.
        model = release.get("model_artifact") or {}
        shown = [f"image {code(values.text(str(release['service_image'])))}"] if release.get("service_image") else []
        if model:
            shown.append(
                f"model {code(values.text(str(model.get('key'))))} version "
                f"{code(values.text(str(model.get('version_id'))))}"
            )
        lines.append("Release: " + ", ".join(shown) + ".")
    if facts.full_plan_url:
        lines.append(f"Full plan: {link('workflow run artifact', facts.full_plan_url)}.")
    if facts.protected:
        who = trusted_line(facts.approvers)
        n = max(int(facts.approvals_required or 0), 0)
        env = code(values.text(facts.env))
        if n:
            lines.append(
                f":lock: {env} is protected: applying needs "
                f"**{plural(n, 'approval')}**" + (f" from {who}" if who else "") + "."
            )
        else:
            lines.append(f":lock: {env} is protected: applying needs explicit confirmation.")
    return "\n".join(lines)


def verdict(counts: dict[str, int], n_outputs: int, errored: bool) -> str:
    parts = [f"{counts[k]} {_VERDICT_WORDS[k]}" for k in ("add", "change", "destroy", "replace")]
    parts += [f"{counts[k]} {_VERDICT_WORDS[k]}" for k in ("import", "moved", "forget") if counts[k]]
    text = ", ".join(parts)
    if not any(counts.values()):
        text = f"no resource changes, {plural(n_outputs, 'output')} to change" if n_outputs else "no changes"
    elif n_outputs:
        text += f"; {plural(n_outputs, 'output')} to change"
    if errored:
        text = "planning FAILED, the plan is incomplete: " + text
    return text


def counts_table(counts: dict[str, int]) -> str:
    columns = [k for k in COUNT_KEYS if k in ("add", "change", "destroy", "replace") or counts[k]]
    return (
        "| "
        + " | ".join(columns)
        + " |\n| "
        + " | ".join("---:" for _ in columns)
        + " |\n| "
        + " | ".join(str(counts[k]) for k in columns)
        + " |"
    )
