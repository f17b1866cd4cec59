"""The one model of a Terraform plan: what changes, how, from where, and which attributes.

Built once from `terraform show -json` (format_version 1.x) or from the same-shaped dict tfplan_reader decodes
from the plan file (no attribute values there), and read by everything that describes a plan: the plan record's
summary and exit code (saved_plan), the pull-request comment (github/), drift and promotion.

A change has one kind (what happens to the object: create, update, delete, replace, forget, no-op) and may also
be an import and/or a move (previous_address): a moved resource can be updated too, and an import can be a
no-op. `labels` lists all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# The count keys every reader shares (record, plan output, comment, promotion), in display order.
COUNT_KEYS = ("add", "change", "destroy", "replace", "import", "moved", "forget")
# The kind of change -> its count key.
_COUNTED_KIND = {"create": "add", "update": "change", "delete": "destroy", "replace": "replace", "forget": "forget"}


def kind_of(actions: Iterable[str]) -> str:
    """Terraform's action list as one kind: create, update, delete, replace, forget, read or no-op."""
    actions = list(actions)
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


# --------------------------------------------------------------------------------------------------------------
# Attribute values
# --------------------------------------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def is_identifier(name: str) -> bool:
    return bool(_IDENT.match(name))


def _key(prefix: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    key = str(key)
    if _IDENT.match(key):
        return f"{prefix}.{key}" if prefix else key
    return f"{prefix}[{json.dumps(key, ensure_ascii=False)}]"


def path_text(path: Iterable[Any]) -> str:
    """An attribute path (["tags", "Name"], ["rule", 0]) as Terraform writes it: tags.Name, rule[0]."""
    text = ""
    for part in path:
        text = _key(text, part)
    return text


class Sensitive:
    """A sensitive leaf: compares by its hidden value (so a changed secret still shows as changed), prints as
    (sensitive), and never lets the value out."""

    __slots__ = ("_raw",)

    def __init__(self, raw: Any):
        self._raw = json.dumps(raw, sort_keys=True, default=str)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return "(sensitive)"


class _Unknown:
    def __repr__(self) -> str:
        return "(known after apply)"


UNKNOWN = _Unknown()


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
    """{attribute path: leaf value}, with Sensitive / UNKNOWN leaves where the plan marks them; nulls dropped."""
    out = {} if out is None else out
    if sensitive is True:
        out[prefix] = Sensitive(value)
        return out
    if unknown is True:
        out[prefix] = UNKNOWN
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
                    out[_key(prefix, i)] = UNKNOWN
    elif value is not None:
        out[prefix] = value
    return out


def _json_doc(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[" and len(value) > 2:
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class AttributeChange:
    """One changed leaf: `before` None means added, `after` None means removed. A path inside a JSON document held
    in a string (a policy) carries "(json)" after the attribute's own path."""

    path: str
    before: Any
    after: Any
    forces_replacement: bool = False

    @property
    def attribute(self) -> str:
        """The resource attribute this leaf belongs to (the JSON document's attribute for a path inside one)."""
        return self.path.split("(json)")[0]


def attribute_diff(change: dict[str, Any], kind: str) -> list[AttributeChange]:
    """The changed leaves of one `change` object (show -json), noise left out, sorted by path."""
    if kind == "delete":
        return []
    after = flatten(change.get("after"), change.get("after_sensitive", False), change.get("after_unknown", False))
    if kind == "create":
        # Empty blocks and lists say nothing about a new object: leave them out, as Terraform's own output does.
        return [
            AttributeChange(p, None, v) for p, v in sorted(after.items()) if not (isinstance(v, (dict, list)) and not v)
        ]
    before = flatten(change.get("before"), change.get("before_sensitive", False))
    forcing = [path_text(p) for p in change.get("replace_paths") or [] if isinstance(p, list)]

    def forces(path: str) -> bool:
        return any(path == f or path.startswith((f + ".", f + "[", f + "(json)")) for f in forcing if f)

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
        out.append(AttributeChange(path, b, a, forces(path)))
    return out


# --------------------------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------------------------


@dataclass
class ResourceChange:
    address: str
    kind: str  # create | update | delete | replace | forget | read | no-op
    module: str = ""
    previous_address: str | None = None  # set only when the resource moved (a different address before)
    importing: bool = False
    import_id: str | None = None
    deposed: str | None = None
    action_reason: str | None = None
    actions: list[str] = field(default_factory=list)
    change: dict[str, Any] = field(default_factory=dict)  # show -json `change` (empty when read from the plan file)
    mode: str = "managed"
    type: str = ""

    @property
    def moved(self) -> bool:
        return self.previous_address is not None

    @property
    def is_change(self) -> bool:
        """Whether the plan does anything to this resource (a move or an import alone counts)."""
        return self.kind not in ("no-op", "read") or self.importing or self.moved

    @property
    def labels(self) -> list[str]:
        """Every kind of change this is, e.g. ["import", "update"] or ["move"]."""
        labels = ["import"] if self.importing else []
        labels += ["move"] if self.moved else []
        if self.kind not in ("no-op", "read") or not labels:
            labels.append(self.kind)
        return labels

    @property
    def count_key(self) -> str:
        """The one word the plan record lists it under (add, change, destroy, replace, forget, import, moved)."""
        if self.kind in _COUNTED_KIND:
            return _COUNTED_KIND[self.kind]
        return "import" if self.importing else "moved" if self.moved else self.kind

    @property
    def replace_paths(self) -> list[str]:
        return [path_text(p) for p in self.change.get("replace_paths") or [] if isinstance(p, list)]

    @cached_property
    def attributes(self) -> list[AttributeChange]:
        return attribute_diff(self.change, "update" if self.kind in ("no-op", "read") else self.kind)

    @classmethod
    def from_json(cls, rc: dict[str, Any]) -> ResourceChange:
        change = rc.get("change") or {}
        previous = rc.get("previous_address")
        importing = change.get("importing")
        return cls(
            address=rc.get("address", "?"),
            kind=kind_of(change.get("actions") or ["no-op"]),
            module=rc.get("module_address") or "",
            previous_address=previous if previous and previous != rc.get("address") else None,
            importing=importing is not None,
            import_id=(importing or {}).get("id") if isinstance(importing, dict) else None,
            deposed=rc.get("deposed") or None,
            action_reason=rc.get("action_reason"),
            actions=list(change.get("actions") or ["no-op"]),
            change=change,
            mode=rc.get("mode", "managed"),
            type=rc.get("type", ""),
        )


@dataclass
class OutputChange:
    name: str
    kind: str
    before: Any
    after: Any  # Sensitive / UNKNOWN where the plan says so

    @classmethod
    def from_json(cls, name: str, oc: dict[str, Any]) -> OutputChange:
        # Any sensitivity mark on an output hides the whole value (sensitive outputs are all-or-nothing).
        before = Sensitive(oc.get("before")) if oc.get("before_sensitive") else oc.get("before")
        if oc.get("after_sensitive"):
            after = Sensitive(oc.get("after"))
        elif oc.get("after_unknown") is True:
            after = UNKNOWN
        else:
            after = oc.get("after")
        return cls(name, kind_of(oc.get("actions") or ["no-op"]), before, after)


def _resource_changes(entries: Iterable[dict[str, Any]] | None) -> list[ResourceChange]:
    """Managed resources the plan does something to, sorted by module then address."""
    out = [ResourceChange.from_json(rc) for rc in entries or [] if rc.get("mode") != "data"]
    return sorted((c for c in out if c.is_change), key=lambda c: (c.module, c.address))


@dataclass
class Plan:
    changes: list[ResourceChange]  # what the plan does, by module then address
    outputs: list[OutputChange]  # outputs whose value changes, by name
    drift: list[ResourceChange]  # resource_drift: objects changed outside Terraform since the last apply
    terraform_version: str | None = None
    errored: bool = False
    relevant_attributes: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, shown: dict[str, Any]) -> Plan:
        """From `terraform show -json` of a plan, or tfplan_reader's same-shaped summary of the plan file."""
        outputs = [OutputChange.from_json(n, oc) for n, oc in (shown.get("output_changes") or {}).items()]
        return cls(
            changes=_resource_changes(shown.get("resource_changes")),
            outputs=sorted((o for o in outputs if o.kind not in ("no-op", "read")), key=lambda o: o.name),
            drift=_resource_changes(shown.get("resource_drift")),
            terraform_version=shown.get("terraform_version"),
            errored=bool(shown.get("errored")),
            relevant_attributes=list(shown.get("relevant_attributes") or []),
        )

    def counts(self) -> dict[str, int]:
        """{add, change, destroy, replace, import, moved, forget}: a moved or imported resource that is also
        updated counts under both."""
        counts = dict.fromkeys(COUNT_KEYS, 0)
        for c in self.changes:
            if c.kind in _COUNTED_KIND:
                counts[_COUNTED_KIND[c.kind]] += 1
            counts["import"] += c.importing
            counts["moved"] += c.moved
        return counts

    @property
    def has_changes(self) -> bool:
        return bool(self.changes or self.outputs)

    @property
    def changed_addresses(self) -> set[str]:
        """Addresses of resources that exist after the plan and are created, updated, replaced, imported or moved:
        what a policy scan of this plan covers."""
        return {c.address for c in self.changes if c.kind not in ("delete", "forget")}
