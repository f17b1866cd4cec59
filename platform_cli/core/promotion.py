"""Promotion to a protected environment: requests, approvals, the gated apply, verification records, rollback.

Every step appends to the environment's audit log (core.records) and reads the previous step's entry; nothing is
recomputed. A request binds one plan (its sha256, the bytes stored beside it in the state bucket) and one
release; approvals bind that plan sha256; apply applies exactly those bytes. Identities are passed in by the
caller (the command layer knows whether it is a terminal or a GitHub Actions run).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .aws import AwsTarget
from .errors import NoPlan, Refused
from .records import EnvRecords
from .release import Release
from .saved_plan import PlanRecord
from .settings import EnvSettings


def records_for(target: AwsTarget, settings: EnvSettings) -> EnvRecords:
    bucket = target.backend_overrides.get("bucket", settings.state_bucket)
    return EnvRecords(
        target=target,
        region=target.backend_overrides.get("region", settings.region),
        bucket=bucket,
        state_key=settings.state_key,
    )


@dataclass
class Requester:
    """Who asked or approved, as far as it is proven: the AWS caller (STS), and a GitHub login only when GitHub
    said so (a verified OIDC token of the job, or the run's approvals API), never an environment variable."""

    aws: str
    github: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"aws": self.aws, "github": self.github}

    def same_person(self, other: dict[str, Any], people: Mapping[str, Mapping[str, Any]] | None = None) -> bool:
        """Any proven identity in common, or both records naming the same person of env.yaml's `people`."""
        if self.github and other.get("github") and self.github.lower() == str(other["github"]).lower():
            return True
        if self.aws and self.aws == other.get("aws"):
            return True
        mine = person_of(self.as_dict(), people or {})
        return mine is not None and mine == person_of(other, people or {})

    def label(self) -> str:
        return f"{self.github} (GitHub)" if self.github else self.aws


def person_of(identity: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The name env.yaml's `people` gives this record (by GitHub login, or AWS ARN pattern), if any."""
    login, arn = str(identity.get("github") or "").lower(), str(identity.get("aws") or "")
    for name, person in people.items():
        if login and str(person.get("github") or "").lower() == login:
            return name
        if arn and any(fnmatch.fnmatchcase(arn, pattern) for pattern in person.get("aws") or []):
            return name
    return None


def _of_kind(entries: list[dict[str, Any]], *kinds: str) -> list[dict[str, Any]]:
    return [e for e in entries if e["kind"] in kinds]


# -- requests ------------------------------------------------------------------------------------------------
def write_request(
    records: EnvRecords,
    *,
    record: PlanRecord,
    plan_bytes: bytes,
    release: Release,
    requester: Requester,
    reason: str,
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A request to apply this exact plan: stored plan bytes first, then the log entry naming them."""
    from .records import new_id

    request_id = new_id()
    records.store_plan(request_id, plan_bytes, record.to_dict())
    return records.append(
        "request",
        request_id=request_id,
        reason=reason,
        release=release.as_dict(),
        release_id=release.id,
        plan_sha256=record.plan_sha256,
        summary=record.summary_line(),
        counts=record.counts,
        state_serial=record.provenance.get("state_serial"),
        git_commit=record.provenance.get("git_commit"),
        git_branch=record.provenance.get("git_branch"),
        requested_by=requester.as_dict(),
        evidence=evidence or {},
    )


def find_request(entries: list[dict[str, Any]], env: str, request_id: str | None) -> dict[str, Any]:
    requests = _of_kind(entries, "request")
    if request_id:
        found = [r for r in requests if r["request_id"] == request_id]
        if not found:
            raise Refused(
                f"no request {request_id!r} for {env}",
                hint=f"see `platformctl history {env}` for the requests there are",
            )
        return found[0]
    if not requests:
        raise NoPlan(
            f"no request to apply in {env}",
            hint=f"make one with `platformctl plan {env}` or `platformctl promote ... {env}`",
        )
    return requests[-1]


def ensure_latest(entries: list[dict[str, Any]], request: dict[str, Any], env: str) -> None:
    """A request replaced by a newer one may not be approved or applied."""
    latest = _of_kind(entries, "request")[-1]
    if latest["request_id"] != request["request_id"]:
        raise Refused(
            f"request {request['request_id']} for {env} was replaced by {latest['request_id']} "
            f"(plan {latest['plan_sha256'][:12]})",
            hint=f"review and approve the newer request: `platformctl approve {env} {latest['request_id']}`",
        )


def outcome_of(entries: list[dict[str, Any]], request_id: str) -> dict[str, Any] | None:
    outcomes = [e for e in _of_kind(entries, "apply-outcome") if e["request_id"] == request_id]
    return outcomes[-1] if outcomes else None


# -- approvals -----------------------------------------------------------------------------------------------
def approvers_of(
    entries: list[dict[str, Any]], request: dict[str, Any], people: Mapping[str, Mapping[str, Any]] | None = None
) -> list[str]:
    """Distinct people who approved this request's exact plan (never its requester)."""
    seen: list[str] = []
    approvals: list[Requester] = []
    for entry in _of_kind(entries, "approval"):
        if entry["request_id"] != request["request_id"] or entry["plan_sha256"] != request["plan_sha256"]:
            continue
        approver = Requester(**entry["approved_by"])
        if approver.same_person(request["requested_by"], people):
            continue
        if any(approver.same_person(a.as_dict(), people) for a in approvals):
            continue
        approvals.append(approver)
        seen.append(approver.label())
    return seen


def ensure_plan(request: dict[str, Any], expected_plan_sha256: str | None, env: str) -> None:
    """The request names the plan the caller was told about (deploy.yml passes the promote job's sha256 on)."""
    if expected_plan_sha256 and request["plan_sha256"] != expected_plan_sha256:
        raise Refused(
            f"request {request['request_id']} for {env} is plan {request['plan_sha256'][:12]}, not the "
            f"{expected_plan_sha256[:12]} given with --plan-sha256",
            hint="act only on the plan that was reviewed: promote or plan --request again",
        )


def approve(
    records: EnvRecords,
    env: str,
    request_id: str | None,
    approver: Requester,
    *,
    current_state_serial: int | None,
    expected_plan_sha256: str | None = None,
    people: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    entries = records.verified_entries(env, "approve")
    request = find_request(entries, env, request_id)
    ensure_plan(request, expected_plan_sha256, env)
    ensure_latest(entries, request, env)
    outcome = outcome_of(entries, request["request_id"])
    if outcome and outcome["outcome"] == "applied":
        raise Refused(f"request {request['request_id']} for {env} was already applied", hint="nothing to approve")
    if approver.same_person(request["requested_by"], people):
        raise Refused(
            f"{approver.label()} asked for request {request['request_id']} and may not approve it",
            hint="another person must approve it",
        )
    if request.get("state_serial") != current_state_serial:
        raise Refused(
            f"request {request['request_id']} for {env} is stale: its plan was made against state serial "
            f"{request.get('state_serial')}, the state is now at {current_state_serial}",
            hint=f"make a new request (`platformctl plan {env} --request` or promote again)",
        )
    if any(
        approver.same_person(e["approved_by"], people)
        for e in _of_kind(entries, "approval")
        if e["request_id"] == request["request_id"] and e["plan_sha256"] == request["plan_sha256"]
    ):
        raise Refused(
            f"{approver.label()} already approved request {request['request_id']}",
            hint="a second approval must come from someone else",
        )
    return records.append(
        "approval", request_id=request["request_id"], plan_sha256=request["plan_sha256"], approved_by=approver.as_dict()
    )


def check_approved(entries: list[dict[str, Any]], request: dict[str, Any], settings: EnvSettings) -> list[str]:
    required = max(settings.approvals_required, 1 if settings.protected else 0)
    approvers = approvers_of(entries, request, settings.people)
    if len(approvers) < required:
        raise Refused(
            f"{settings.name} is protected: request {request['request_id']} (plan "
            f"{request['plan_sha256'][:12]}) has {len(approvers)} of {required} required approval(s)",
            hint=f"another person runs `platformctl approve {settings.name} {request['request_id']}`",
        )
    return approvers


# -- what verified -------------------------------------------------------------------------------------------
def release_id_of(entry: dict[str, Any]) -> str | None:
    """The release id of a log entry, recomputed from the release it stores where it stores one (Release.id
    says what the id is), so an entry written before image references were canonicalised (a verify of a tag
    deployment recorded the id of `REGISTRY/REPO:TAG`) still names the release `promote` and `rollback` look for."""
    stored = entry.get("release")
    if isinstance(stored, dict):
        return Release.from_dict(stored).id
    release_id = entry.get("release_id")
    return str(release_id) if release_id is not None else None


def last_verified(entries: list[dict[str, Any]], release: Release) -> dict[str, Any] | None:
    """The latest verify entry of this release, if it is newer than the last apply of anything else."""
    for entry in reversed(entries):
        if entry["kind"] == "verify" and release_id_of(entry) == release.id:
            return dict(entry)
        if (
            entry["kind"] == "apply-outcome"
            and entry.get("outcome") == "applied"
            and release_id_of(entry) != release.id
        ):
            return None
    return None


def verified_releases(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Verify entries that passed, oldest first, one per release (its last), each with its canonical
    `release_id` (release_id_of)."""
    by_release: dict[str, dict[str, Any]] = {}
    for entry in _of_kind(entries, "verify"):
        release_id = release_id_of(entry)
        if entry.get("ok") and release_id is not None:
            by_release.pop(release_id, None)
            by_release[release_id] = {**entry, "release_id": release_id}
    return list(by_release.values())


def model_alarm_while_watched(entries: list[dict[str, Any]], release: Release) -> dict[str, Any] | None:
    """The first model alarm any watch of this release saw (a release that predicted nonsense once is not
    trusted again), or None."""
    for entry in _of_kind(entries, "watch"):
        if release_id_of(entry) == release.id:
            alarm = next((a for a in entry.get("firing") or [] if a.get("model")), None)
            if alarm is not None:
                return dict(alarm)
    return None
