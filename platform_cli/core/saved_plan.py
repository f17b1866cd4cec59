"""A saved plan: the one module that owns a plan file, its record and its `terraform show -json`.

Everything that reads a plan (apply, scan, comment, promotion, drift) goes through here:

  .platformctl/envs/<env>/plan.tfplan        the plan file Terraform wrote (`plan -out`)
  .platformctl/envs/<env>/plan-record.json   the record: summary + provenance, complete when written, never edited
  .platformctl/envs/<env>/plan.json          `terraform show -json`, written on first use (costs ~3 s of schemas)
  .platformctl/envs/<env>/plan.json.source   sha256 of the plan file plan.json was rendered from
  .platformctl/envs/<env>/plan-scan.json     checkov's findings for what the plan changes (core.scan), with the
                                             sha256 of the plan file they are for: scanned once, read by comment
                                             and scan
  .platformctl/envs/<env>/applied.json       written once the plan was applied (the record itself stays as made)

The summary (counts, changed addresses) is read from the plan file itself (tfplan_reader) so `plan` need not pay
for `terraform show -json`; when the plan format is one we do not know, we fall back to show -json.
This module knows no Terraform runner: callers pass a `show` function that returns show -json text for a file.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from .errors import NoPlan, PlatformError, StalePlan
from .paths import Paths
from .plan_model import Plan
from .provenance import sha256_file, staleness
from .tfplan_reader import read_plan_facts, read_plan_summary

SCHEMA_VERSION = 3  # 3: counts and changes include moved and forget, changes name a previous_address
ShowJson = Callable[[Path], str]  # plan file -> `terraform show -json` text
Scanner = Callable[[dict[str, Any]], dict[str, Any]]  # show -json -> policy scan result (core.scan)


def scan_changes(env: str, code_root: Path | None = None) -> Scanner:
    """The policy scan of what a plan changes (checkov, see core.scan); code_root: the stack's code."""
    from .scan import scan_plan_changes

    return lambda shown: scan_plan_changes(shown, env, code_root=code_root).as_dict()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def summarize(plan: dict[str, Any]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Counts per kind of change and the changed resources, from show -json (or the reader's same-shaped dict),
    through the one plan model (core.plan_model) every reader of a plan shares."""
    model = Plan.from_json(plan)
    changes = [
        {
            "address": c.address,
            "action": c.count_key,
            "actions": c.actions,
            "importing": c.importing,
            "previous_address": c.previous_address,
        }
        for c in model.changes
    ]
    return model.counts(), sorted(changes, key=lambda c: c["address"])


def changed_outputs(plan: dict[str, Any]) -> list[str]:
    return [o.name for o in Plan.from_json({"output_changes": plan.get("output_changes")}).outputs]


def read_changes(plan_file: Path, show: ShowJson) -> dict[str, Any]:
    """resource_changes / resource_drift / output_changes of any plan file: from the file, else show -json."""
    summary = read_plan_summary(plan_file)
    return summary if summary is not None else json.loads(show(plan_file))


@dataclass(frozen=True)
class PlanRecord:
    environment: str
    created_at: str
    plan_sha256: str
    has_changes: bool
    counts: dict[str, int]
    changes: list[dict[str, Any]]
    provenance: dict[str, Any]
    output_changes: list[str] = field(default_factory=list)
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanRecord:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @property
    def variables(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.provenance.get("variables", {}))

    def summary_line(self) -> str:
        c = self.counts
        if not self.has_changes:
            return f"{self.environment}: no changes"
        parts = [
            f"{c['add']} to add",
            f"{c['change']} to change",
            f"{c['destroy']} to destroy",
            f"{c['replace']} to replace",
        ]
        extras = (("import", "to import"), ("moved", "moved"), ("forget", "to forget"))
        parts += [f"{c[key]} {words}" for key, words in extras if c.get(key)]
        if not self.changes and self.output_changes:
            parts = [f"{len(self.output_changes)} output(s) to change"]
        return f"{self.environment}: " + ", ".join(parts)


class SavedPlan:
    """One environment's saved plan in the work dir."""

    def __init__(self, paths: Paths, env: str):
        self.paths = paths
        self.env = env

    # -- where it lives ---------------------------------------------------------------------------------------
    @property
    def file(self) -> Path:
        return self.paths.plan_file(self.env)

    @property
    def record_file(self) -> Path:
        return self.paths.plan_record(self.env)

    @property
    def json_file(self) -> Path:
        return self.paths.plan_json(self.env)

    @property
    def json_source_file(self) -> Path:
        return self.json_file.with_name(self.json_file.name + ".source")

    @property
    def scan_file(self) -> Path:
        return self.json_file.with_name("plan-scan.json")

    @property
    def applied_file(self) -> Path:
        return self.paths.env_work_dir(self.env) / "applied.json"

    def exists(self) -> bool:
        return self.file.is_file() and self.record_file.is_file()

    def discard(self) -> None:
        """Remove every part of the previous plan, so a failed plan never leaves an old one looking current."""
        for path in (
            self.file,
            self.record_file,
            self.json_file,
            self.json_source_file,
            self.scan_file,
            self.applied_file,
        ):
            path.unlink(missing_ok=True)

    # -- making one -------------------------------------------------------------------------------------------
    def write_record(
        self,
        *,
        provenance: dict[str, Any],
        has_changes: bool,
        plan_log: str | None,
        show: ShowJson,
        with_json: bool = False,
        scanner: Scanner | None = None,
    ) -> PlanRecord:
        """Build the complete record for the plan file Terraform just wrote, and save it. with_json also writes
        plan.json and the policy scan of what the plan changes now (what a CI plan job hands to the comment job)."""
        plan = self._write_json(show) if with_json else read_changes(self.file, self._caching(show))
        if with_json:
            try:
                self._write_scan(plan, scanner or scan_changes(self.env, self.paths.stack_dir))
            except PlatformError:
                pass  # no scan file: comment and scan run it on first use and report why it fails there
        facts = read_plan_facts(self.file)
        counts, changes = summarize(plan)
        outputs = changed_outputs(plan)
        record = PlanRecord(
            environment=self.env,
            created_at=_now(),
            plan_sha256=sha256_file(self.file),
            # Terraform's -detailed-exitcode, or any change the model sees (a moves-only plan is a change too).
            has_changes=has_changes or bool(changes or outputs),
            counts=counts,
            changes=changes,
            output_changes=outputs,
            provenance={
                **provenance,
                "terraform_version": plan.get("terraform_version"),
                "providers": facts["providers"],
                "state_serial": facts["state_serial"],
                "state_lineage": facts["state_lineage"],
                "plan_log": plan_log,
            },
        )
        _write_atomic(self.record_file, json.dumps(record.to_dict(), indent=2, sort_keys=True))
        return record

    def _caching(self, show: ShowJson) -> ShowJson:
        """A show function that keeps what it rendered as plan.json (the fallback path pays for it once)."""

        def shown(plan_file: Path) -> str:
            text = show(plan_file)
            _write_atomic(self.json_file, text)
            _write_atomic(self.json_source_file, sha256_file(plan_file))
            return text

        return shown

    def _write_json(self, show: ShowJson) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(self._caching(show)(self.file)))

    # -- reading one ------------------------------------------------------------------------------------------
    def read(self) -> PlanRecord:
        """The record of the saved plan, checked against the plan file it describes."""
        if not self.exists():
            raise NoPlan(f"no saved plan for {self.env}", hint=f"run `platformctl plan {self.env}` first")
        try:
            record = PlanRecord.from_dict(json.loads(self.record_file.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise NoPlan(
                f"the plan record of {self.env} is unreadable ({self.record_file}: {exc})",
                hint=f"run `platformctl plan {self.env}` again",
            ) from None
        if sha256_file(self.file) != record.plan_sha256:
            raise StalePlan(
                f"the plan file for {self.env} does not match its plan record (plan file replaced)",
                hint=f"run `platformctl plan {self.env}` again",
                changed=["plan file"],
            )
        return record

    def load(self) -> PlanRecord:
        """The record of a plan that may still be applied: present, not applied, file unchanged."""
        if not self.exists():
            raise NoPlan(
                f"no saved plan for {self.env}: apply only applies a saved plan",
                hint=f"run `platformctl plan {self.env}` first, review it, then apply",
            )
        record = self.read()
        applied = self.applied()
        if applied and applied.get("plan_sha256") == record.plan_sha256:
            raise NoPlan(
                f"the saved plan for {self.env} was already applied at {applied.get('applied_at', '?')}",
                hint=f"run `platformctl plan {self.env}` for a new plan",
            )
        return record

    def show_json(self, show: ShowJson) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(self.json_path(show).read_text(encoding="utf-8")))

    def json_path(self, show: ShowJson) -> Path:
        """plan.json, rendered on first use and reused while it was rendered from this very plan file (so a CI job
        that downloaded both as artifacts needs no Terraform to read it)."""
        if not self.file.is_file():
            raise NoPlan(f"no saved plan for {self.env}", hint=f"run `platformctl plan {self.env}` first")
        try:
            current = self.json_file.is_file() and self.json_source_file.read_text(
                encoding="utf-8"
            ).strip() == sha256_file(self.file)
        except OSError:
            current = False
        if not current:
            self._write_json(show)
        return self.json_file

    def policy_scan(self, plan_json: Callable[[], Path], scanner: Scanner | None = None) -> dict[str, Any]:
        """The policy scan of this exact plan: kept beside it (plan-scan.json) and reused while the plan file is
        unchanged, so checkov runs once per plan whoever asks (plan --with-json, comment, scan). `plan_json` gives
        this plan's show -json file (EnvStack.plan_json renders it on first use)."""
        try:
            kept = json.loads(self.scan_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = None
        if isinstance(kept, dict) and kept.get("plan_sha256") == sha256_file(self.file):
            return cast(dict[str, Any], kept["result"])
        shown = json.loads(plan_json().read_text(encoding="utf-8"))
        return self._write_scan(shown, scanner or scan_changes(self.env, self.paths.stack_dir))

    def _write_scan(self, shown: dict[str, Any], scanner: Scanner) -> dict[str, Any]:
        result = scanner(shown)
        kept = {"plan_sha256": sha256_file(self.file), "result": result}
        _write_atomic(self.scan_file, json.dumps(kept, indent=2, sort_keys=True))
        return result

    def prior_outputs(self) -> dict[str, Any]:
        """The stack outputs in the state the plan was made against."""
        return cast(dict[str, Any], read_plan_facts(self.file)["outputs"])

    def ensure_current(
        self, record: PlanRecord, now: dict[str, Any], *, state_serial: int | None, state_lineage: str | None
    ) -> None:
        reasons = staleness(record.provenance, now, state_serial=state_serial, state_lineage=state_lineage)
        if reasons:
            raise StalePlan(
                f"refusing to apply a stale plan for {self.env}: " + "; ".join(reasons),
                hint=f"run `platformctl plan {self.env}` again and review it",
                changed=reasons,
            )

    def install(self, plan_bytes: bytes, record: dict[str, Any]) -> None:
        """Put a plan made elsewhere (an approved request's stored bytes and record) in place here."""
        self.discard()
        self.file.parent.mkdir(parents=True, exist_ok=True)
        self.file.write_bytes(plan_bytes)
        _write_atomic(self.record_file, json.dumps(record, indent=2, sort_keys=True))

    # -- after apply ------------------------------------------------------------------------------------------
    def mark_applied(self, record: PlanRecord) -> None:
        _write_atomic(self.applied_file, json.dumps({"plan_sha256": record.plan_sha256, "applied_at": _now()}))

    def applied(self) -> dict[str, Any] | None:
        try:
            return cast(dict[str, Any] | None, json.loads(self.applied_file.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
