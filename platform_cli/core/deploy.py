"""The flow of one change through an environment, with its audit trail:

plan (a release: image by digest, model by version) -> request (protected environments) -> approvals -> apply
(exactly the approved bytes) -> verify -> promote to the next environment, or roll back to a release that
verified. Each step appends to the environment's log in its state bucket (core.records).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import ecs_rollout, promotion
from .artifact_copy import check_model_readable, copy_model, model_sha256
from .baseline import copy_baseline
from .errors import NoPlan, PlatformError, Refused
from .promotion import Requester, records_for
from .provenance import sha256_bytes
from .records import EnvRecords, now
from .registry_copy import check_image_readable, copy_image, resolve_image
from .release import ImageRef, Release, parse_model_spec
from .saved_plan import PlanRecord
from .stack import EnvStack
from .verify import Check, verify_environment

WATCH_POLL_SECONDS = 15


@dataclass
class Planned:
    record: PlanRecord
    request: dict[str, Any] | None  # the request written for a protected environment


def resolve_release(
    stack: EnvStack, image: str | None, model_spec: str | None
) -> tuple[str | None, dict[str, Any] | None]:
    """`--image` (tag or digest) as a digest the registry holds; `--model KEY@VERSION` with its sha256."""
    if image is None and model_spec is None:
        return None, None
    outputs = stack.state_outputs()
    digest = None
    if image is not None:
        repository = outputs.get("repository_name")
        if not repository:
            raise Refused(
                f"{stack.name} has no registry yet, so {image!r} cannot be looked up",
                hint=f"apply {stack.name} once without --image (creates the registry), push, then plan",
            )
        ref = ImageRef.parse(image)
        if ref.repository is not None and ref.repository != outputs.get("registry_url"):
            raise Refused(
                f"image {image!r} is not from {stack.name}'s registry {outputs.get('registry_url')}",
                hint="push it there and give its tag or digest (promote copies an image between registries)",
            )
        digest = resolve_image(stack.target, stack.settings.region, repository, image)
    model = None
    if model_spec is not None:
        key, version = parse_model_spec(model_spec)
        bucket = outputs.get("artifact_bucket_name")
        if not bucket:
            raise Refused(f"{stack.name} has no artifact store yet", hint=f"apply {stack.name} once first")
        model = {
            "key": key,
            "version_id": version,
            "sha256": model_sha256(stack.target, stack.settings.region, bucket, key, version),
        }
    return digest, model


def plan(
    stack: EnvStack,
    *,
    image: str | None = None,
    model_spec: str | None = None,
    with_json: bool = False,
    request_by: Callable[[], Requester] | None = None,
) -> Planned:
    """Plan the environment. Only with `request_by` (a deliberate `plan --request` of a protected environment) does
    the plan become a request for approval, and only when it changes something: a pull request's plan never does."""
    if request_by is not None and not stack.settings.protected:
        raise Refused(
            f"{stack.name} is not protected: its plans apply without a request",
            hint="drop --request (requests are for environments with approvals in env.yaml)",
        )
    digest, model = resolve_release(stack, image, model_spec)
    record = stack.plan(image=digest, model=model, with_json=with_json)
    request = None
    if request_by is not None and record.has_changes:
        request = promotion.write_request(
            records_for(stack.target, stack.settings),
            record=record,
            plan_bytes=stack.saved_plan.file.read_bytes(),
            release=Release.from_variables(record.variables),
            requester=request_by(),
            reason="plan",
        )
    return Planned(record, request)


def _fetch_approved_plan(stack: EnvStack, records: EnvRecords, request: dict[str, Any]) -> None:
    """Make the local saved plan the approved bytes (a later CI job starts with no plan at all)."""
    saved = stack.saved_plan
    local_sha = sha256_bytes(saved.file.read_bytes()) if saved.file.is_file() else None
    if local_sha == request["plan_sha256"] and saved.exists():
        return
    stored = records.load_plan(request["request_id"])
    if stored is None:
        raise NoPlan(
            f"the plan of request {request['request_id']} is not in the state bucket", hint="promote or plan again"
        )
    if sha256_bytes(stored) != request["plan_sha256"]:
        raise Refused(
            f"the stored plan of request {request['request_id']} has sha256 {sha256_bytes(stored)[:12]}, "
            f"not the approved {request['plan_sha256'][:12]}: refusing to apply it",
            hint="someone replaced the stored plan; promote or plan again and have it approved",
        )
    record = records.load_plan_record(request["request_id"])
    saved.install(stored, record)


def apply(
    stack: EnvStack,
    requester: Requester | Callable[[], Requester],
    *,
    request_id: str | None = None,
    auto_rollback_reason: str | None = None,
    expected_plan_sha256: str | None = None,
) -> dict[str, Any]:
    """Apply the saved plan (protected: exactly the approved request's plan), then verify and record both.

    auto_rollback_reason: a rollback request made by `apply --watch` after an alarm; env.yaml's
    `auto_rollback: true` stands in for the approvals, and the log records that and why."""
    settings = stack.settings
    if not settings.protected:
        stack.saved_plan.load()  # no plan, or already applied: say so before any AWS call
    records = records_for(stack.target, settings)
    requester = requester() if callable(requester) else requester
    # Everything the decision rests on (the log, the request, its approvals, "already applied") is read under the
    # lock, so nothing can change between the check and the apply.
    token = records.acquire(requester.label(), f"apply {stack.name}")
    try:
        entries = records.verified_entries(stack.name, "apply")
        request = None
        if settings.protected:
            request = promotion.find_request(entries, stack.name, request_id)
            promotion.ensure_plan(request, expected_plan_sha256, stack.name)
            promotion.ensure_latest(entries, request, stack.name)
            done = promotion.outcome_of(entries, request["request_id"])
            if done and (done["outcome"] == "applied" or done.get("finished")):
                raise NoPlan(
                    f"request {request['request_id']} for {stack.name} was already applied at {done['at']}",
                    hint=f"make a new request for {stack.name}",
                )
            if auto_rollback_reason and settings.auto_rollback and request["reason"].startswith("rollback"):
                approvers = [f"auto_rollback ({auto_rollback_reason})"]
            else:
                approvers = promotion.check_approved(entries, request, settings)
            _fetch_approved_plan(stack, records, request)
            record = stack.saved_plan.load()
            if record.plan_sha256 != request["plan_sha256"]:
                raise Refused(
                    f"the saved plan {record.plan_sha256[:12]} is not the approved plan "
                    f"{request['plan_sha256'][:12]} of request {request['request_id']}",
                    hint=f"apply runs only approved plans; `platformctl history {stack.name}` shows them",
                )
        else:
            record = stack.saved_plan.load()
            approvers = []
        release = Release.from_variables(record.variables)
        request_key = request["request_id"] if request else record.plan_sha256[:12]
        resumed = _close_unfinished(stack, records, entries, request_key, release)
        if resumed:  # the interrupted apply had finished after all: verify it, do not apply twice
            return {
                "record": record,
                "request": request,
                "release": release,
                "checks": verify(stack, release=release),
                "resumed": True,
            }
        start = records.append(
            "apply-start",
            request_id=request_key,
            plan_sha256=record.plan_sha256,
            release=release.as_dict(),
            release_id=release.id,
            by=requester.as_dict(),
            approvers=approvers,
        )
        try:
            stack.apply()
        except BaseException as exc:
            outcome = (
                "unknown" if isinstance(exc, KeyboardInterrupt) or getattr(exc, "exit_code", 1) == 130 else "failed"
            )
            records.append(
                "apply-outcome",
                request_id=request_key,
                plan_sha256=record.plan_sha256,
                release_id=release.id,
                outcome=outcome,
                start=start["id"],
                detail=exc.one_line() if isinstance(exc, PlatformError) else type(exc).__name__,
            )
            raise
        undone = ecs_rollout.rolled_back(stack.target, settings.region, stack.outputs())
        records.append(
            "apply-outcome",
            request_id=request_key,
            plan_sha256=record.plan_sha256,
            release_id=release.id,
            outcome="rolled-back" if undone else "applied",
            start=start["id"],
            **({"detail": f"ECS rolled the deployment back: {undone}"} if undone else {}),
        )
        if undone:
            raise PlatformError(
                f"{stack.name}: ECS rolled the deployment back: {undone}",
                hint=f"{release.describe()} is not running; `platformctl history {stack.name}` records it",
            )
    finally:
        records.release(token)
    # A protected environment is verified right away (promotion's last step); others by `platformctl verify`.
    checks = verify(stack, release=release) if settings.protected else []
    return {"record": record, "request": request, "release": release, "checks": checks}


def _close_unfinished(
    stack: EnvStack, records: EnvRecords, entries: list[dict[str, Any]], request_key: str, release: Release
) -> bool:
    """An apply of this request that started but never reported (platformctl was killed) gets its outcome now,
    once: "unknown" (platformctl cannot know that every step finished), with whether the state shows the release
    deployed. True when it does: nothing is left to apply, only to verify."""
    finished = {e.get("start") for e in entries if e["kind"] == "apply-outcome"}
    dangling = [
        e for e in entries if e["kind"] == "apply-start" and e["request_id"] == request_key and e["id"] not in finished
    ]
    if not dangling:
        return False
    state = stack.state()
    request = next((e for e in entries if e["kind"] == "request" and e.get("request_id") == request_key), None)
    moved = (
        request is not None
        and state.get("serial") is not None
        and (request.get("state_serial") is None or state["serial"] > request["state_serial"])
    )
    done = moved and stack.deployed_release() == release
    for start in dangling:
        records.append(
            "apply-outcome",
            request_id=request_key,
            plan_sha256=start["plan_sha256"],
            release_id=start.get("release_id"),
            outcome="unknown",
            finished=done,
            start=start["id"],
            detail="interrupted; the state "
            + ("shows the release deployed" if done else "does not show the release deployed"),
        )
    if done:
        stack.saved_plan.mark_applied(stack.saved_plan.read())
    return done


def verify(stack: EnvStack, *, release: Release | None = None) -> list[Check]:
    outputs = stack.outputs()
    if not outputs:
        raise PlatformError(
            f"{stack.name} has no stack outputs: nothing deployed to verify",
            hint=f"run `platformctl plan {stack.name}` and `platformctl apply {stack.name}` first",
        )
    checks = verify_environment(stack.target, stack.settings.region, outputs)
    release = release or Release.from_outputs(outputs)
    failed = [f"{c.area}/{c.name}" for c in checks if c.failed]
    records_for(stack.target, stack.settings).append(
        "verify",
        release=release.as_dict(),
        release_id=release.id,
        ok=not failed,
        failed_checks=failed,
        checks=len(checks),
    )
    return checks


def _registry_account(outputs: dict[str, Any]) -> str | None:
    """The account a registry is in, as its ARN (arn:aws:ecr:REGION:ACCOUNT:repository/NAME) or its URL
    (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME) names it."""
    arn = str(outputs.get("repository_arn") or "").split(":")
    host = str(outputs.get("registry_url") or "").split(".", 1)[0]
    for account in (arn[4] if len(arn) > 5 else "", host):
        if account.isdigit() and len(account) == 12:
            return account
    return None


def promote(source: EnvStack, destination: EnvStack, requester: Requester) -> Planned:
    """Take the release `source` runs and verified, copy it into `destination`'s registry and artifact store by
    digest and version, plan `destination` with it and write the request for approval."""
    release = source.deployed_release()
    if not release.image:
        raise Refused(
            f"{source.name} runs no service image, so there is nothing to promote",
            hint=f"deploy an image to {source.name} first",
        )
    src_entries = records_for(source.target, source.settings).entries()
    verified = promotion.last_verified(src_entries, release)
    if verified is None:
        raise Refused(
            f"{source.name} runs {release.describe()}, which never ran `platformctl verify` there",
            hint=f"run `platformctl verify {source.name}` first",
        )
    if not verified.get("ok"):
        raise Refused(
            f"{release.describe()} failed verify in {source.name} ({', '.join(verified['failed_checks'])})",
            hint=f"fix {source.name} and verify again before promoting",
        )
    alarmed = promotion.model_alarm_while_watched(src_entries, release)
    if alarmed is not None:
        raise Refused(
            f"{release.describe()} fired model alarm {alarmed['alarm']} at {alarmed['at']} while {source.name} "
            "watched it, so it is not promoted",
            hint=f"ship a release whose model passes the watch (`platformctl history {source.name}` shows it)",
        )
    src_out, dst_out = source.state_outputs(), destination.state_outputs()
    if not dst_out.get("repository_name"):
        raise Refused(
            f"{destination.name} has no registry yet",
            hint=f"plan, approve and apply {destination.name}'s foundation first",
        )
    # Each side with its own credentials: the source read as the source is reached, the destination written as the
    # destination is (two accounts from one terminal); one target when one principal reaches both. A promote role
    # of the destination's account reads the source's through the grants bootstrap made there (registryId names it).
    reader, writer = source.target, destination.target
    src_image = (source.settings.region, src_out["repository_name"])
    src_store = (source.settings.region, src_out.get("artifact_bucket_name") or "")
    src_registry = _registry_account(src_out)
    # A tag deployment (outside platformctl) is promoted as the digest its tag names: copies go by digest.
    digest = release.image if release.by_digest else resolve_image(reader, *src_image, release.image, src_registry)
    # Everything the copy reads, read first: a source these credentials may not read leaves the destination as it was.
    check_image_readable(reader, source=src_image, digest=digest, source_registry=src_registry)
    if release.model:
        check_model_readable(reader, source=src_store, model=release.model)
    dst_records = records_for(destination.target, destination.settings)
    token = dst_records.acquire(requester.label(), f"promote {source.name} -> {destination.name}")
    try:
        image = copy_image(
            reader,
            writer,
            source=src_image,
            destination=(destination.settings.region, dst_out["repository_name"]),
            digest=digest,
            source_registry=src_registry,
        )
        model = None
        if release.model:
            model = copy_model(
                reader,
                writer,
                source=src_store,
                destination=(destination.settings.region, dst_out["artifact_bucket_name"]),
                model=release.model,
            )
            copy_baseline(
                reader,
                writer,
                source=src_store,
                destination=(destination.settings.region, dst_out["artifact_bucket_name"]),
                model=release.model,
                copied=model,
            )
        evidence = {
            "source": source.name,
            "source_release": release.as_dict(),
            "source_release_id": release.id,
            "source_verify": {"entry": verified["id"], "at": verified["at"], "ok": verified["ok"]},
            # Where the copies came from, for an auditor who reads only the target's log.
            "source_account": src_registry or source.settings.account_id,
            "source_registry": src_out.get("registry_url") or src_out["repository_name"],
            "source_artifact_bucket": src_out.get("artifact_bucket_name"),
            "image_copy": image,
        }
        record = destination.plan(image=digest, model=model)
        if not record.has_changes:  # already promoted: a plan without changes never becomes a request
            return Planned(record, None)
        request = promotion.write_request(
            dst_records,
            record=record,
            plan_bytes=destination.saved_plan.file.read_bytes(),
            release=Release.from_variables(record.variables),
            requester=requester,
            reason=f"promote from {source.name}",
            evidence=evidence,
        )
    finally:
        dst_records.release(token)
    return Planned(record, request)


def rollback(
    stack: EnvStack, requester: Requester, *, to_entry: str | None = None, reason: str = "rollback"
) -> Planned:
    """Plan the environment back to a release that verified there, as a new request."""
    reason = reason if reason.startswith("rollback") else f"rollback: {reason}"
    records = records_for(stack.target, stack.settings)
    entries = records.entries()
    current = stack.deployed_release()
    # Only a release that ran an image can be gone back to: a foundation (no image) plans "keep the running one".
    verified = [v for v in promotion.verified_releases(entries) if Release.from_dict(v["release"]).image]
    if to_entry:
        named = [e for e in entries if e["id"] == to_entry or e.get("request_id") == to_entry]
        if not named:
            raise Refused(
                f"no history entry {to_entry!r} in {stack.name}", hint=f"see `platformctl history {stack.name}`"
            )
        release_id = promotion.release_id_of(named[0])
        target_entry = next((v for v in verified if v["release_id"] == release_id), None)
        if target_entry is None:
            raise Refused(
                f"entry {to_entry} names release {release_id}, which never ran an image and verified in {stack.name}",
                hint="roll back only to a release that ran an image and passed verify there",
            )
    else:
        earlier = [v for v in verified if v["release_id"] != current.id]
        if not earlier:
            raise Refused(
                f"{stack.name} has no earlier release that ran an image and verified", hint="nothing to roll back to"
            )
        target_entry = earlier[-1]
    target = Release.from_dict(target_entry["release"])
    record = stack.plan(image=target.image, model=target.model)
    if not record.has_changes:
        raise Refused(
            f"{stack.name} already runs {target.describe()}: the rollback plan changes nothing, so nothing was written",
            hint=f"see `platformctl history {stack.name}`",
        )
    request = None
    if stack.settings.protected:
        request = promotion.write_request(
            records,
            record=record,
            plan_bytes=stack.saved_plan.file.read_bytes(),
            release=target,
            requester=requester,
            reason=reason,
            evidence={"from_release": current.as_dict(), "to_verify": target_entry["id"]},
        )
    records.append(
        "rollback",
        from_release_id=current.id,
        to_release_id=target.id,
        reason=reason,
        request_id=request["request_id"] if request else None,
        by=requester.as_dict(),
    )
    return Planned(record, request)


def watch(
    stack: EnvStack, seconds: float, *, poll: float = WATCH_POLL_SECONDS, sleep: Callable[[float], None] = time.sleep
) -> list[dict[str, Any]]:
    """Watch the stack's alarms for `seconds` after an apply and record what was seen as a `watch` entry of the
    running release: the alarms that went to ALARM (name, when, CloudWatch's reason, whether it is a model alarm),
    empty when all stayed quiet. `promote` reads these entries."""
    outputs = stack.outputs()
    since = now()
    firing = _firing_alarms(stack, outputs.get("alarm_names") or [], seconds, poll=poll, sleep=sleep)
    model_alarms = set(outputs.get("model_alarm_names") or [])
    for alarm in firing:
        alarm["model"] = alarm["alarm"] in model_alarms
    release = Release.from_outputs(outputs)
    records_for(stack.target, stack.settings).append(
        "watch", release=release.as_dict(), release_id=release.id, since=since, seconds=seconds, firing=firing
    )
    return firing


def _firing_alarms(
    stack: EnvStack, names: list[str], seconds: float, *, poll: float, sleep: Callable[[float], None]
) -> list[dict[str, Any]]:
    if not names:
        return []
    cloudwatch = stack.target.client("cloudwatch", stack.settings.region)
    deadline = time.monotonic() + seconds
    while True:
        firing = [
            {
                "alarm": a["AlarmName"],
                "at": a["StateUpdatedTimestamp"].isoformat(timespec="seconds"),
                "reason": a.get("StateReason", ""),
            }
            for a in cloudwatch.describe_alarms(AlarmNames=list(names))["MetricAlarms"]
            if a["StateValue"] == "ALARM"
        ]
        if firing or time.monotonic() >= deadline:
            return firing
        sleep(min(poll, max(0.0, deadline - time.monotonic())))


def identity(stack: EnvStack) -> Requester:
    """The caller as AWS proves it (STS). A GitHub login is added only by what GitHub proves (commands/_identity)."""
    return Requester(aws=stack.target.identity(stack.settings.region)["arn"])
