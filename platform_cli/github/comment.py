"""Render one environment's saved plan as a GitHub pull-request comment (GitHub-flavoured Markdown).

Input is the `terraform show -json` document of a saved plan (format_version 1.x) plus its provenance; nothing
here runs or knows Terraform the program. What a reviewer sees, top to bottom:

    hidden marker (finds the comment again) / heading / one-line verdict / count table
    every resource to be destroyed or replaced (with the attribute that forces a replacement)
    changes made outside Terraform (resource_drift)
    output changes
    full per-resource detail, grouped by module, collapsed in <details>
    policy-scan result
    provenance (commit, Terraform and provider versions, plan time) and, when protected, who must approve

A comment never exceeds `limit` characters (GitHub refuses bodies over 65,536). Sections are fitted in priority
order: header and provenance always; then the destroy/replace list (cut with the exact number not shown), drift,
scan, outputs, and last the detail, which is cut from the middle with a line saying how many resources were left
out and where the full plan is.

Escaping: every string that comes from a plan, provenance or scan is rendered only inside an inline code span
(fence longer than any backtick run, `|` escaped inside tables, newlines shown as \\n), inside a fenced code
block (fence longer than any fence-like run in the block, values JSON-encoded so they never contain a newline) or,
for the marker, percent-encoded. Sensitive values print as (sensitive); the masker runs on every value before it
is escaped or truncated (so a truncated secret cannot leak its prefix) and once more over the whole comment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from platform_cli.core.masks import Masker

GITHUB_COMMENT_LIMIT = 65536
MARKER_PREFIX = "platformctl:plan:env="
DRIFT_MARKER_PREFIX = "platformctl:drift:env="
MAX_VALUE_CHARS = 240  # a longer string value is cut (policies are diffed as JSON instead when both sides parse)
SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"

_SEP = "\n\n"


@dataclass
class EnvPlan:
    env: str
    plan: dict  # `terraform show -json` of a saved plan (format_version 1.x)
    provenance: dict  # git_commit, terraform_version, providers {addr: version}, created_at, plan_sha256
    scan: dict | None = None  # {"passed", "failed", "skipped", "failures": [{check_id, check_name, resource, file}]}
    protected: bool = False
    approvals_required: int = 0
    approvers: str | None = None  # who may approve, e.g. "required reviewers of the GitHub environment `prod`"
    full_plan_url: str | None = None  # where the full plan is (the workflow run's artifact)


# --------------------------------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------------------------------

_MARKER_SAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def _marker_value(env: str) -> str:
    # Percent-encode everything but [A-Za-z0-9_.-]: no `>`, so `-->` can never end the comment early.
    return _MARKER_SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), env)


def marker(env: str) -> str:
    """The hidden HTML comment that identifies an environment's plan comment on a pull request."""
    return f"<!-- {MARKER_PREFIX}{_marker_value(env)} -->"


def drift_marker(env: str) -> str:
    """The hidden HTML comment that identifies an environment's drift issue."""
    return f"<!-- {DRIFT_MARKER_PREFIX}{_marker_value(env)} -->"


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _one_line(text: str) -> str:
    """Control characters (newlines first of all) shown as escapes, so a value stays on its line."""
    return _CONTROL.sub(
        lambda m: json.dumps(m.group(0))[1:-1] if m.group(0) not in "\u2028\u2029" else f"\\u{ord(m.group(0)):04x}",
        text,
    )


def code(text: str, *, in_table: bool = False) -> str:
    """An inline code span holding `text` literally, whatever it contains."""
    text = _one_line(str(text))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()):
        text = f" {text} "
    if not text:
        text = " "
    if in_table:
        # GFM splits table rows on `|` before inline parsing, even inside code spans; `\|` is its escape there.
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def code_block(lines: Iterable[str], lang: str = "") -> str:
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"^[ ]{0,3}(`{3,}|~{3,})", body, re.M)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_URL_SAFE = ":/?#[]@!$&'*+,;=%~-._"


def _link(label: str, url: str | None) -> str:
    """A Markdown link to an http(s) URL; anything else is shown as code, never as a link."""
    if not url:
        return ""
    if not re.match(r"https?://", url, re.I):
        return code(url)
    return f"[{label}](<{quote(url, safe=_URL_SAFE)}>)"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# --------------------------------------------------------------------------------------------------------------
# Reading the plan
# --------------------------------------------------------------------------------------------------------------

COUNT_COLUMNS = ("add", "change", "destroy", "replace", "import", "moved", "forget")
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


@dataclass
class Change:
    address: str
    module: str
    kind: str  # create | update | delete | replace | forget | no-op
    rc: dict
    importing: bool = False
    moved_from: str | None = None

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.module, self.address)


def _kind(actions: list[str]) -> str:
    if "create" in actions and "delete" in actions:
        return "replace"
    if actions == ["create"]:
        return "create"
    if actions == ["update"]:
        return "update"
    if actions == ["delete"]:
        return "delete"
    if "forget" in actions:
        return "forget"
    if actions == ["read"]:
        return "read"
    return "no-op"


def _changes(entries: Iterable[dict]) -> list[Change]:
    out = []
    for rc in entries or []:
        if rc.get("mode") == "data":
            continue
        change = rc.get("change") or {}
        kind = _kind(list(change.get("actions") or ["no-op"]))
        importing = change.get("importing") is not None
        previous = rc.get("previous_address")
        moved_from = previous if previous and previous != rc.get("address") else None
        if kind in ("no-op", "read") and not importing and not moved_from:
            continue
        out.append(Change(rc.get("address", "?"), rc.get("module_address") or "", kind, rc, importing, moved_from))
    out.sort(key=lambda c: c.sort_key)
    return out


def count_changes(changes: list[Change]) -> dict[str, int]:
    counts = dict.fromkeys(COUNT_COLUMNS, 0)
    names = {"create": "add", "update": "change", "delete": "destroy", "replace": "replace", "forget": "forget"}
    for c in changes:
        if c.kind in names:
            counts[names[c.kind]] += 1
        counts["import"] += c.importing
        counts["moved"] += c.moved_from is not None
    return counts


def _output_changes(plan: dict) -> list[tuple[str, dict]]:
    return sorted(
        (name, oc)
        for name, oc in (plan.get("output_changes") or {}).items()
        if _kind(list(oc.get("actions") or ["no-op"])) not in ("no-op", "read")
    )


# --------------------------------------------------------------------------------------------------------------
# Attribute values
# --------------------------------------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def _key(prefix: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    key = str(key)
    if _IDENT.match(key):
        return f"{prefix}.{key}" if prefix else key
    return f"{prefix}[{json.dumps(key, ensure_ascii=False)}]"


def path_text(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text = _key(text, part)
    return text


def _child(marks: Any, key: Any) -> Any:
    if marks is True:
        return True
    if isinstance(marks, dict):
        return marks.get(key, False)
    if isinstance(marks, list) and isinstance(key, int) and key < len(marks):
        return marks[key]
    return False


def flatten(
    value: Any, sensitive: Any = False, unknown: Any = False, prefix: str = "", out: dict[str, Any] | None = None
) -> dict[str, Any]:
    """{attribute path: leaf value}, with _Sensitive / _UNKNOWN leaves where the plan marks them; nulls dropped."""
    out = {} if out is None else out
    if sensitive is True:
        out[prefix] = _Sensitive(value)
        return out
    if unknown is True:
        out[prefix] = _UNKNOWN
        return out
    if isinstance(value, dict) or isinstance(unknown, dict):
        keys = list(value) if isinstance(value, dict) else []
        keys += [k for k in (unknown if isinstance(unknown, dict) else {}) if k not in keys]
        if not keys and isinstance(value, dict) and prefix:
            out[prefix] = {}
        for k in keys:
            flatten(
                value.get(k) if isinstance(value, dict) else None,
                _child(sensitive, k),
                _child(unknown, k),
                _key(prefix, k),
                out,
            )
    elif isinstance(value, list):
        if not value and prefix:
            out[prefix] = []
        for i, v in enumerate(value):
            flatten(v, _child(sensitive, i), _child(unknown, i), _key(prefix, i), out)
        if isinstance(unknown, list):
            for i in range(len(value), len(unknown)):
                if unknown[i] is True:
                    out[_key(prefix, i)] = _UNKNOWN
    elif value is not None:
        out[prefix] = value
    return out


class _Sensitive:
    """A sensitive leaf: compares by its hidden value (so a changed secret still shows as changed), prints as
    (sensitive), and never lets the value out."""

    __slots__ = ("_raw",)

    def __init__(self, raw: Any):
        self._raw = json.dumps(raw, sort_keys=True, default=str)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Sensitive) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return SENSITIVE


class _Unknown:
    def __repr__(self) -> str:
        return UNKNOWN


_UNKNOWN = _Unknown()


def _json_doc(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[" and len(value) > 2:
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


class _Values:
    """Formats leaf values for code blocks: masked first, then JSON-encoded (one line), then cut if long."""

    def __init__(self, masker: Masker | None):
        self.masker = masker

    def text(self, value: str) -> str:
        return self.masker.mask(value) if self.masker else value

    def fmt(self, value: Any) -> str:
        if isinstance(value, _Sensitive):
            return SENSITIVE
        if value is _UNKNOWN:
            return UNKNOWN
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

    def _masked(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self._masked(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._masked(v) for v in value]
        return value


def attribute_changes(change: dict, values: _Values, *, kind: str) -> list[tuple[str, str]]:
    """(attribute path, line of a ```diff block) per changed attribute: `+ path = v`, `- path = v` or
    `~ path = before -> after`, marked `# forces replacement` where the plan's replace_paths say so."""
    if kind == "delete":
        return []
    after = flatten(change.get("after"), change.get("after_sensitive", False), change.get("after_unknown", False))
    if kind == "create":
        # Empty blocks and lists say nothing about a new object: leave them out, as Terraform's own output does.
        return [
            (p, f"+ {_label(p, values)} = {values.fmt(v)}")
            for p, v in sorted(after.items())
            if not (isinstance(v, (dict, list)) and not v)
        ]
    before = flatten(change.get("before"), change.get("before_sensitive", False))
    forcing = [path_text(p) for p in change.get("replace_paths") or [] if isinstance(p, list)]

    def forces(path: str) -> str:
        hit = any(path == f or path.startswith((f + ".", f + "[", f + "(json)")) for f in forcing if f)
        return "   # forces replacement" if hit else ""

    # Policies and other JSON documents held in strings: diff the documents, not two 2 KB one-line strings.
    for path in [p for p in before if p in after and before[p] != after[p]]:
        b_doc, a_doc = _json_doc(before[path]), _json_doc(after[path])
        if b_doc is not None and a_doc is not None:
            del before[path], after[path]
            flatten(b_doc, prefix=path + "(json)", out=before)
            flatten(a_doc, prefix=path + "(json)", out=after)

    def has_children(side: dict[str, Any], path: str) -> bool:
        return any(k.startswith((path + ".", path + "[")) for k in side)

    out = []
    for path in sorted(set(before) | set(after)):
        b, a = before.get(path), after.get(path)
        if b == a and type(b) is type(a):
            continue
        # An empty or zero value becoming null is a provider default going away, not a change anyone made.
        if a is None and b in ("", 0, {}, []) and not isinstance(b, bool):
            continue
        # `tags = {}` on one side and `tags.x` on the other: the keys tell the story, the empty map is noise.
        if (isinstance(b, (dict, list)) and not b and a is None and has_children(after, path)) or (
            isinstance(a, (dict, list)) and not a and b is None and has_children(before, path)
        ):
            continue
        label = _label(path, values)
        if b is None:
            out.append((path, f"+ {label} = {values.fmt(a)}{forces(path)}"))
        elif a is None:
            out.append((path, f"- {label} = {values.fmt(b)}{forces(path)}"))
        else:
            out.append((path, f"~ {label} = {values.fmt(b)} -> {values.fmt(a)}{forces(path)}"))
    return out


def attribute_diff(change: dict, values: _Values, *, kind: str) -> list[str]:
    return [line for _, line in attribute_changes(change, values, kind=kind)]


def _label(path: str, values: _Values) -> str:
    # Map keys come from plan values: mask them and keep them on one line like any value.
    return _one_line(values.text(path))


# --------------------------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------------------------

_KIND_TEXT = {
    "create": "created",
    "update": "updated in place",
    "delete": "destroyed",
    "replace": "replaced",
    "forget": "removed from state (not destroyed)",
    "no-op": "unchanged",
}


def _reason(c: Change, values: _Values) -> str:
    reason = c.rc.get("action_reason")
    if c.kind == "replace":
        paths = [path_text(p) for p in c.rc.get("change", {}).get("replace_paths") or [] if isinstance(p, list)]
        if paths:
            return (
                "forced by "
                + ", ".join(code(values.text(p)) for p in paths[:5])
                + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            )
        return _REPLACE_REASONS.get(reason, "")
    if c.kind == "delete":
        return _DELETE_REASONS.get(reason, "")
    return ""


def _address(c: Change, values: _Values) -> str:
    text = code(values.text(c.address))
    if c.rc.get("deposed"):
        text += f" (deposed object {code(values.text(c.rc['deposed']))})"
    return text


def _entry(c: Change, values: _Values) -> str:
    """One resource's detail: a line saying what happens and a diff block of its attributes."""
    what = [_KIND_TEXT[c.kind]] if c.kind != "no-op" or not (c.importing or c.moved_from) else []
    if c.importing:
        import_id = (c.rc.get("change", {}).get("importing") or {}).get("id")
        what.insert(0, "imported" + (f" (id {code(values.text(str(import_id)))})" if import_id else ""))
    if c.moved_from:
        what.insert(0, f"moved from {code(values.text(c.moved_from))}")
    reason = _reason(c, values)
    line = f"{_address(c, values)} will be **" + " and ".join(what) + "**" + (f": {reason}" if reason else "")
    lines = attribute_diff(c.rc.get("change") or {}, values, kind=c.kind)
    return line + ("\n" + code_block(lines, "diff") if lines else "")


def _module_heading(module: str, values: _Values) -> str:
    return f"**Module {code(values.text(module))}**" if module else "**Root module**"


class _Fitted:
    """A section that renders into a character budget. `minimal` is what it shows when nothing else fits."""

    def __init__(self, minimal: str, render: Callable[[int], str] | None = None):
        self.minimal, self._render = minimal, render

    def fit(self, budget: int) -> str:
        if self._render is None or budget <= len(self.minimal):
            return self.minimal
        text = self._render(budget)
        return text if len(text) <= budget else self.minimal


def _fit_lines(head: str, items: list[str], budget: int, more: Callable[[int], str], joiner: str = "\n") -> str:
    """head + as many items as fit + a line saying exactly how many were not shown."""
    full = joiner.join([head, *items])
    if len(full) <= budget:
        return full
    kept: list[str] = []
    used = len(head)
    for n, item in enumerate(items):
        if used + 2 * len(joiner) + len(item) + len(more(max(len(items) - n - 1, 1))) > budget:
            break
        kept.append(item)
        used += len(joiner) + len(item)
    return joiner.join([head, *kept, more(len(items) - len(kept))])


def _full_plan_ref(p: EnvPlan) -> str:
    if p.full_plan_url:
        return f"see the {_link('full plan', p.full_plan_url)}"
    return "see the full plan (`terraform show`)"


def _destroy_section(p: EnvPlan, changes: list[Change], values: _Values) -> _Fitted | None:
    doomed = [c for c in changes if c.kind in ("delete", "replace")]
    if not doomed:
        return None
    n_del = sum(c.kind == "delete" for c in doomed)
    n_rep = len(doomed) - n_del
    parts = [f"destroys {_plural(n_del, 'resource')}"] if n_del else []
    if n_rep:
        parts.append(f"replaces {_plural(n_rep, 'resource')} (destroyed, then created anew)")
    head = f"> [!CAUTION]\n> **This plan {' and '.join(parts)}:**"
    items = []
    for c in doomed:
        reason = _reason(c, values)
        verb = "destroy" if c.kind == "delete" else "replace"
        items.append(f"> - {verb} {_address(c, values)}" + (f": {reason}" if reason else ""))

    def more(n: int) -> str:
        return f"> - ... and {n} more not shown here; {_full_plan_ref(p)}" if n else ""

    minimal = f"{head}\n{more(len(items))}"
    return _Fitted(minimal, lambda budget: _fit_lines(head, items, budget, more).rstrip("\n"))


def _relevant_drift(plan: dict, values: _Values) -> list[tuple[Change, list[tuple[str, str]]]]:
    """Drift a reviewer should see, as Terraform itself decides: attributes the plan depends on
    (`relevant_attributes`, matched by exact resource address, [] meaning all of it), plus attributes that this plan
    changes back (a manual change Terraform is about to revert). Refresh noise (computed values, attributes
    owned by other resources) is left out, so a clean plan stays a one-liner."""
    relevant: dict[str, list[str]] = {}
    for attr in plan.get("relevant_attributes") or []:
        relevant.setdefault(attr.get("resource", ""), []).append(path_text(attr.get("attribute") or []))
    planned = {c.address: c for c in _changes(plan.get("resource_changes"))}
    out = []
    for c in _changes(plan.get("resource_drift")):
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
            wanted += [
                path.split("(json)")[0]
                for path, _ in attribute_changes(change.rc.get("change") or {}, values, kind="update")
            ]
        if not wanted:
            continue
        pairs = [
            (path, line)
            for path, line in attribute_changes(c.rc.get("change") or {}, values, kind="update")
            if any(_overlaps(path.split("(json)")[0], w) for w in wanted)
        ]
        if pairs:
            out.append((c, pairs))
    return out


def _overlaps(a: str, b: str) -> bool:
    """Whether two attribute paths name the same value or one contains the other ("" is the whole object)."""
    if not a or not b or a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return long_.startswith(short) and long_[len(short)] in ".["


def _drift_section(p: EnvPlan, values: _Values) -> _Fitted | None:
    drift = _relevant_drift(p.plan, values)
    if not drift:
        return None
    deleted = sum(c.kind == "delete" for c, _ in drift)
    head = (
        f"#### Changed outside Terraform\n\n{_plural(len(drift), 'resource')} changed outside Terraform since "
        f"the last apply" + (f" ({deleted} deleted)" if deleted else "") + " in ways that matter to this plan:"
    )

    def item(entry: tuple[Change, list[tuple[str, str]]]) -> str:
        c, pairs = entry
        if c.kind == "delete":
            return f"- {_address(c, values)}: deleted outside Terraform"
        lines = [line for _, line in pairs]
        attrs = sorted({path.split("(json)")[0] for path, _ in pairs})
        shown = ", ".join(code(values.text(a)) for a in attrs[:8]) + (
            f" and {len(attrs) - 8} more" if len(attrs) > 8 else ""
        )
        block = "\n" + "\n".join("  " + line for line in code_block(lines, "diff").split("\n")) if lines else ""
        return f"- {_address(c, values)}: {shown or 'changed'}{block}"

    items = [item(c) for c in drift]

    def more(n: int) -> str:
        return f"- ... and {n} more not shown here; {_full_plan_ref(p)}" if n else ""

    return _Fitted(head, lambda budget: _fit_lines(head + "\n", items, budget, more).rstrip("\n"))


def _outputs_section(p: EnvPlan, values: _Values) -> _Fitted | None:
    outputs = _output_changes(p.plan)
    if not outputs:
        return None
    head = f"#### Output changes ({len(outputs)})"
    lines = []
    for name, oc in outputs:
        kind = _kind(list(oc.get("actions") or []))
        # Any sensitivity mark on an output hides the whole value (sensitive outputs are all-or-nothing).
        b = _Sensitive(oc.get("before")) if oc.get("before_sensitive") else oc.get("before")
        a = (
            _Sensitive(oc.get("after"))
            if oc.get("after_sensitive")
            else _UNKNOWN
            if oc.get("after_unknown") is True
            else oc.get("after")
        )
        label = values.text(name) if _IDENT.match(name) else json.dumps(values.text(name), ensure_ascii=False)
        if kind == "create":
            lines.append(f"+ {label} = {values.fmt(a)}")
        elif kind == "delete":
            lines.append(f"- {label} = {values.fmt(b)}")
        else:
            lines.append(f"~ {label} = {values.fmt(b)} -> {values.fmt(a)}")
    minimal = f"{head}: left out for length; {_plural(len(outputs), 'output')} change."

    def render(budget: int) -> str:
        def size(n_lines: int, n_chars: int) -> int:  # head, blank line, fences with newlines, lines with newlines
            return len(head) + 2 + len("```diff\n") + n_chars + n_lines + len("```")

        def note(n: int) -> str:
            return f"... and {_plural(n, 'more output')} not shown"

        kept, chars = [], 0
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

    return _Fitted(minimal, render)


def _details_section(p: EnvPlan, changes: list[Change], values: _Values) -> _Fitted | None:
    if not changes:
        return None
    open_ = f"<details><summary>Full plan: {_html(_plural(len(changes), 'resource change'))}</summary>"
    close = "</details>"
    minimal = (
        f"{open_}{_SEP}Per-resource detail left out for length ({_plural(len(changes), 'resource')}); "
        f"{_full_plan_ref(p)}.{_SEP}{close}"
    )

    def render(budget: int) -> str:
        def note(n: int) -> str:
            return f"**... {_plural(n, 'resource')} left out here for length; {_full_plan_ref(p)}.**"

        room = budget - len(open_) - len(close) - 2 * len(_SEP) - len(note(len(changes))) - 2 * len(_SEP)
        cache: dict[int, str] = {}

        def entry(i: int) -> str:
            if i not in cache:
                cache[i] = _entry(changes[i], values)
            return cache[i]

        def heading_cost(i: int) -> int:
            return len(_module_heading(changes[i].module, values)) + len(_SEP)

        front, used = [], 0
        for i in range(len(changes)):
            cost = (
                len(entry(i))
                + len(_SEP)
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
                + len(_SEP)
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
        return _SEP.join(blocks)

    return _Fitted(minimal, render)


def _scan_section(p: EnvPlan, values: _Values) -> _Fitted:
    head = "#### Policy scan"
    scan = p.scan
    if scan is None:
        return _Fitted(f"{head}\n\nNot scanned.")
    failed = int(scan.get("failed") or 0)
    summary = (
        f"{':x:' if failed else ':white_check_mark:'} {scan.get('passed', 0)} passed, {failed} failed, "
        f"{scan.get('skipped', 0)} skipped."
    )
    failures = scan.get("failures") or []
    if not failures:
        return _Fitted(f"{head}\n\n{summary}")
    table_head = "| Check | Resource | File |\n|---|---|---|"
    rows = []
    for f in failures:
        check = " ".join(str(x) for x in (f.get("check_id"), f.get("check_name") or f.get("check")) if x)
        rows.append(
            "| "
            + " | ".join(
                code(values.text(str(x or "")), in_table=True) for x in (check, f.get("resource"), f.get("file"))
            )
            + " |"
        )

    def more(n: int) -> str:
        return f"| ... {n} more failed checks not shown | | |" if n else ""

    minimal = f"{head}\n\n{summary}"
    return _Fitted(minimal, lambda budget: _fit_lines(f"{minimal}\n\n{table_head}", rows, budget, more).rstrip("\n"))


def _provenance(p: EnvPlan, values: _Values) -> str:
    prov = p.provenance or {}
    facts = []
    commit = prov.get("git_commit")
    if commit:
        facts.append(
            f"commit {code(values.text(str(commit)))}" + (" (uncommitted changes)" if prov.get("git_dirty") else "")
        )
    tf = prov.get("terraform_version") or p.plan.get("terraform_version")
    if tf:
        facts.append(f"Terraform {code(values.text(str(tf)))}")
    providers = prov.get("providers") or {}
    if providers:
        facts.append(
            "providers "
            + ", ".join(
                f"{code(values.text(str(a)))} {code(values.text(str(v)))}" for a, v in sorted(providers.items())
            )
        )
    if prov.get("created_at"):
        facts.append(f"planned {code(values.text(str(prov['created_at'])))}")
    if prov.get("plan_sha256"):
        facts.append(f"plan sha256 {code(values.text(str(prov['plan_sha256'])[:16]))}")
    lines = ["Plan of " + "; ".join(facts) + "." if facts else "Provenance unknown."]
    release = prov.get("variables") or {}
    if release.get("service_image") or release.get("model_artifact"):
        # What an approval of this plan binds, besides its sha256: the release it deploys.
        model = release.get("model_artifact") or {}
        parts = [f"image {code(values.text(str(release['service_image'])))}"] if release.get("service_image") else []
        if model:
            parts.append(
                f"model {code(values.text(str(model.get('key'))))} version "
                f"{code(values.text(str(model.get('version_id'))))}"
            )
        lines.append("Release: " + ", ".join(parts) + ".")
    if p.full_plan_url:
        lines.append(f"Full plan: {_link('workflow run artifact', p.full_plan_url)}.")
    if p.protected:
        who = _approvers(p.approvers)
        n = max(int(p.approvals_required or 0), 0)
        if n:
            lines.append(
                f":lock: {code(values.text(p.env))} is protected: applying needs "
                f"**{_plural(n, 'approval')}**" + (f" from {who}" if who else "") + "."
            )
        else:
            lines.append(f":lock: {code(values.text(p.env))} is protected: applying needs explicit confirmation.")
    return "\n".join(lines)


def _approvers(text: str | None) -> str:
    """Approvers come from the environment's settings (trusted Markdown, e.g. with `code`) but stay on one line and
    cannot open HTML."""
    if not text:
        return ""
    return _one_line(text).replace("<", "&lt;").replace(">", "&gt;")


def _verdict(counts: dict[str, int], n_outputs: int, errored: bool) -> str:
    parts = [f"{counts[k]} {_VERDICT_WORDS[k]}" for k in ("add", "change", "destroy", "replace")]
    parts += [f"{counts[k]} {_VERDICT_WORDS[k]}" for k in ("import", "moved", "forget") if counts[k]]
    text = ", ".join(parts)
    if not any(counts.values()):
        text = f"no resource changes, {_plural(n_outputs, 'output')} to change" if n_outputs else "no changes"
    elif n_outputs:
        text += f"; {_plural(n_outputs, 'output')} to change"
    if errored:
        text = "planning FAILED, the plan is incomplete: " + text
    return text


def _counts_table(counts: dict[str, int]) -> str:
    columns = [k for k in COUNT_COLUMNS if k in ("add", "change", "destroy", "replace") or counts[k]]
    return (
        "| "
        + " | ".join(columns)
        + " |\n| "
        + " | ".join("---:" for _ in columns)
        + " |\n| "
        + " | ".join(str(counts[k]) for k in columns)
        + " |"
    )


# --------------------------------------------------------------------------------------------------------------
# The comment
# --------------------------------------------------------------------------------------------------------------


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
    values = _Values(masker)
    plan = p.plan or {}
    changes = _changes(plan.get("resource_changes"))
    counts = count_changes(changes)
    outputs = _output_changes(plan)
    drift = _drift_section(p, values)
    errored = bool(plan.get("errored"))
    env = code(values.text(p.env))
    if not changes and not outputs and drift is None and not errored:
        commit = str((p.provenance or {}).get("git_commit") or "")
        at = f" at commit {code(values.text(commit[:12]))}" if commit and commit != "unknown" else ""
        return (
            f"{marker(p.env)}\n:white_check_mark: {env}: **no changes**, infrastructure matches the configuration{at}."
        )

    header = _SEP.join(
        [
            f"{marker(p.env)}\n### Terraform plan for {env}",
            f"{':x:' if errored else ':memo:'} **Plan: {_verdict(counts, len(outputs), errored)}.**",
            _counts_table(counts),
        ]
    )
    footer = "---\n" + _provenance(p, values)
    # Display order; fitting order is by priority (the index into `priority`).
    sections: dict[str, _Fitted | None] = {
        "destroy": _destroy_section(p, changes, values),
        "drift": drift,
        "outputs": _outputs_section(p, values),
        "details": _details_section(p, changes, values),
        "scan": _scan_section(p, values),
    }
    present = {k: s for k, s in sections.items() if s is not None}
    fixed = len(header) + len(footer) + len(_SEP) * (len(present) + 1)
    room = limit - fixed - sum(len(s.minimal) for s in present.values())
    rendered: dict[str, str] = {}
    for name in ("destroy", "drift", "scan", "outputs", "details"):
        section = present.get(name)
        if section is None:
            continue
        text = section.fit(len(section.minimal) + max(room, 0))
        room -= len(text) - len(section.minimal)
        rendered[name] = text
    return _SEP.join([header, *(rendered[k] for k in sections if k in rendered), footer])
