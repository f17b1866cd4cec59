"""Plans for the comment tests: the real fixtures (tests/github/fixtures, from scripts/make_comment_fixtures.py),
plans synthesised from them, and a cmarkgfm-based view of what a reviewer sees."""

from __future__ import annotations

import copy
import json
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
REAL_PLANS = ("large", "small", "destroy", "replace", "drift", "import_moved", "no_change")

PROVENANCE = {
    "git_commit": "0123456789abcdef0123456789abcdef01234567",
    "terraform_version": "1.11.4",
    "providers": {"registry.terraform.io/hashicorp/aws": "5.100.0"},
    "created_at": "2026-01-02T03:04:05+00:00",
    "plan_sha256": "ab" * 32,
}
SCAN = {
    "passed": 41,
    "failed": 1,
    "skipped": 2,
    "failures": [
        {
            "check_id": "CKV_AWS_144",
            "check_name": "Ensure that S3 bucket has cross-region replication enabled",
            "resource": "module.artifact_store.module.bucket.aws_s3_bucket.this",
            "file": "/modules/secure_bucket/main.tf",
        }
    ],
}
RUN_URL = "https://github.com/octo/platform/actions/runs/123456789"


def load_plan(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def many_changes(total: int = 3000, destroys: int = 5, base: str = "large") -> dict:
    """A plan with `total` resource changes, made by replicating the real resource_changes of a fixture under new
    module addresses; the last `destroys` of them become deletions."""
    plan = load_plan(base)
    real = [rc for rc in plan["resource_changes"] if rc["change"]["actions"] == ["create"]]
    changes = []
    for n in range(total):
        rc = copy.deepcopy(real[n % len(real)])
        module = f"module.copy_{n // len(real):04d}"
        rc["address"] = f"{module}.{rc['address']}"
        rc["module_address"] = f"{module}.{rc['module_address']}" if rc.get("module_address") else module
        changes.append(rc)
    for rc in changes[-destroys:] if destroys else []:
        rc["change"] = {
            "actions": ["delete"],
            "before": rc["change"]["after"],
            "after": None,
            "after_unknown": {},
            "before_sensitive": {},
            "after_sensitive": False,
        }
        rc["action_reason"] = "delete_because_no_resource_config"
    plan["resource_changes"] = changes
    return plan


def stack_plan(total: int = 3000, changed: int = 18) -> dict:
    """A plan of a `total`-resource stack (the real resources of the large fixture replicated under new module
    addresses) that changes `changed` of them: every other resource is a no-op, as in a real plan of a big stack.
    planned_values holds every resource, so checkov sees what it would see in a real plan of that stack."""
    plan = many_changes(total, destroys=0)
    module_resources: dict[str, list[dict]] = {}
    for n, rc in enumerate(plan["resource_changes"]):
        after = rc["change"]["after"]
        if n % (total // changed) or n // (total // changed) >= changed:  # unchanged: before == after
            rc["change"] = {**rc["change"], "actions": ["no-op"], "before": after, "after_unknown": {}}
        elif n // (total // changed) % 2:  # every other change an in-place update of the tags
            before = {**after, "tags": {**(after.get("tags") or {}), "owner": "someone-else"}}
            rc["change"] = {**rc["change"], "actions": ["update"], "before": before, "after_unknown": {}}
        entry = {k: rc[k] for k in ("address", "mode", "type", "name", "provider_name") if k in rc}
        entry.update(schema_version=0, values=after, sensitive_values={})
        if "index" in rc:
            entry["index"] = rc["index"]
        module_resources.setdefault(rc.get("module_address") or "", []).append(entry)
    plan["planned_values"] = {
        "root_module": {
            "resources": module_resources.pop("", []),
            "child_modules": [{"address": m, "resources": r} for m, r in sorted(module_resources.items())],
        }
    }
    plan["output_changes"] = {}
    return plan


def preexisting_findings(plan: dict, checks: int = 300, per_check: int = 3) -> dict:
    """A scan with hundreds of findings on resources the plan does not change, plus one on a changed resource."""
    unchanged = [rc["address"] for rc in plan["resource_changes"] if rc["change"]["actions"] == ["no-op"]]
    changed = next(rc["address"] for rc in plan["resource_changes"] if rc["change"]["actions"] == ["update"])
    failures = [
        {
            "check_id": f"CKV_AWS_{1000 + c}",
            "check_name": f"Ensure that pre-existing setting number {c} of this stack follows the policy",
            "resource": unchanged[(c * per_check + i) % len(unchanged)],
            "file": "/plan.json",
        }
        for c in range(checks)
        for i in range(per_check)
    ]
    failures.append({"check_id": "CKV_AWS_9", "check_name": "Changed and failing", "resource": changed, "file": None})
    return {"passed": 5000, "failed": len(failures), "skipped": 0, "failures": failures}


class Structure(HTMLParser):
    """What a reviewer sees: tags, table rows and cells, text outside code, details nesting, HTML comments."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.comments: list[str] = []
        self.text_outside_code: list[str] = []
        self.code_text: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.details_balanced = True
        self._stack: list[str] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()
        self.details_balanced = self.details_balanced and "details" not in self._stack

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in ("br", "hr", "input", "img"):
            self._stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "details" and "details" not in self._stack:
            self.details_balanced = False
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        (self.code_text if "code" in self._stack else self.text_outside_code).append(data)
        if self._cell is not None:
            self._cell.append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def to_html(markdown: str) -> str:
    # UNSAFE keeps raw HTML (the marker, <details>) so we see it; GitHub's sanitizer keeps those too.
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def structure(markdown: str) -> Structure:
    return Structure(to_html(markdown))
