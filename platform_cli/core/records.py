"""Records that must outlive a laptop: an environment's audit log, approved plans and its promotion lock.

They live in the environment's state bucket (versioned, SSE-KMS), beside its Terraform state:

  <state key>.platformctl/log/<seq>-<kind>-<id>.json    one object per entry, written once (If-None-Match: *)
  <state key>.platformctl/numbers/<seq>.json             the claim of a number: which entry took it, its sha256
  <state key>.platformctl/plans/<request id>.tfplan      the approved plan's exact bytes (+ .json record)
  <state key>.platformctl/lock.json                      held while a promote/apply/rollback runs

Append-only and tamper-evident: each entry holds the sha256 of the one before it (prev_sha256), and its number is
claimed with a conditional put naming the entry's key and sha256, so two writers cannot take one number (the one
that loses takes the next) and an entry changed, deleted or slipped in afterwards breaks the chain (`read_log`
names the first place). The kind in an entry's key lets a bucket or role policy tell requests from approvals.
Nothing here knows Terraform or the CLI.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

from .artifact_copy import bucket_encryption
from .aws import AwsTarget, error_code
from .errors import PlatformError, Refused

APPEND_ATTEMPTS = 20  # racing writers; each attempt takes the next free sequence number
READ_WORKERS = 8  # log entries read at once (below botocore's default pool of 10 connections)


class RecordError(PlatformError):
    """The records in the state bucket could not be read or written."""


class EnvLocked(Refused):
    """Another promote/apply/rollback holds the environment."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _seq_of(key: str) -> int:
    head = key.rsplit("/", 1)[-1].split("-", 1)[0]
    return int(head) if head.isdigit() else 0


@dataclass
class LogRead:
    """An environment's audit log as read: its entries and the first break in its chain (None: it verifies)."""

    entries: list[dict[str, Any]]
    problem: str | None


def now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def new_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass
class EnvRecords:
    """One environment's records in its state bucket."""

    target: AwsTarget
    region: str
    bucket: str
    state_key: str
    _sse: dict[str, str] | None = field(default=None, repr=False)
    _leases: dict[str, _Renewer] = field(default_factory=dict, repr=False)

    @property
    def prefix(self) -> str:
        return f"{self.state_key}.platformctl/"

    @property
    def _s3(self) -> Any:
        return self.target.client("s3", self.region)

    def _encryption(self) -> dict[str, str]:
        """SSE-KMS with the bucket's own key (its policy refuses uploads without SSE-KMS)."""
        if self._sse is None:
            self._sse = bucket_encryption(self._s3, self.bucket)
        return self._sse

    def _put(self, key: str, body: bytes, *, only_if_new: bool, content_type: str = "application/json") -> bool:
        """Write an object encrypted with the bucket's KMS key; False when only_if_new and it exists already."""
        extra: dict[str, Any] = {"IfNoneMatch": "*"} if only_if_new else {}
        try:
            self._s3.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, **self._encryption(), **extra
            )
        except Exception as exc:  # noqa: BLE001 - botocore ClientError, classified by code
            if error_code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                return False
            raise RecordError(
                f"cannot write s3://{self.bucket}/{key}: {error_code(exc) or exc}",
                hint="check the state bucket exists and these credentials may write to it",
            ) from None
        return True

    def _get(self, key: str) -> bytes | None:
        try:
            return cast(bytes, self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) in ("NoSuchKey", "404"):
                return None
            raise RecordError(
                f"cannot read s3://{self.bucket}/{key}: {error_code(exc) or exc}",
                hint="check the state bucket exists and these credentials may read it",
            ) from None

    def _keys(self, prefix: str) -> Iterator[str]:
        try:
            pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            for page in pages:
                for obj in page.get("Contents", []):
                    yield obj["Key"]
        except Exception as exc:  # noqa: BLE001
            raise RecordError(
                f"cannot list s3://{self.bucket}/{prefix}: {error_code(exc) or exc}",
                hint="check the state bucket exists and these credentials may read it",
            ) from None

    # -- the audit log ----------------------------------------------------------------------------------------
    def _claims(self) -> dict[int, dict[str, str]]:
        """Each number of the chained log -> the entry that took it ({"key", "sha256"})."""
        keys = [k for k in self._keys(self.prefix + "numbers/") if k.rsplit("/", 1)[-1].split(".")[0].isdigit()]
        with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
            bodies = list(pool.map(self._get, keys))
        return {
            int(key.rsplit("/", 1)[-1].split(".")[0]): json.loads(body)
            for key, body in zip(keys, bodies, strict=True)
            if body is not None
        }

    def read_log(self) -> LogRead:
        """Every entry, oldest first, and the first place the chain does not hold (None: it verifies).

        Entries before the first numbered claim are a log written before chaining: read as they are."""
        claims = self._claims()
        first = min(claims, default=None)
        listed = sorted(self._keys(self.prefix + "log/"))
        legacy = [k for k in listed if first is None or _seq_of(k) < first]
        claimed = [claims[n]["key"] for n in sorted(claims)]
        # One GET per entry: side by side, since each waits on the network far longer than on the CPU.
        with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
            raw = dict(zip([*legacy, *claimed], pool.map(self._get, [*legacy, *claimed]), strict=True))
        # An entry that carries prev_sha256 but no claim lost its number to another writer (or its writer died
        # before claiming it): it is not part of the log.
        bodies = [b for b in (raw[k] for k in legacy) if b is not None and "prev_sha256" not in json.loads(b)]
        entries = [json.loads(body) for body in bodies]
        prev = sha256_hex(bodies[-1]) if bodies else None
        problem = None
        for n in range(first or 1, max(claims, default=0) + 1):
            claim = claims.get(n)
            body = raw.get(claim["key"]) if claim else None
            if claim is None or body is None:
                problem = problem or f"entry {n} is missing ({claim['key'] if claim else 'no claim for it'})"
                prev = claim["sha256"] if claim else None
                continue
            entry = json.loads(body)
            if sha256_hex(body) != claim["sha256"]:
                problem = (
                    problem or f"entry {n} ({entry.get('kind')} {entry.get('id')}) was changed after it was written"
                )
            elif entry.get("seq") != n or entry.get("prev_sha256") != prev:
                problem = problem or f"entry {n} ({entry.get('kind')} {entry.get('id')}) does not follow entry {n - 1}"
            entries.append(entry)
            prev = claim["sha256"]
        return LogRead(entries, problem)

    def _entry_key(self, entry: dict[str, Any]) -> str:
        return f"{self.prefix}log/{entry['seq']:06d}-{entry['kind']}-{entry['id']}.json"

    def entries(self) -> list[dict[str, Any]]:
        """Every log entry, oldest first."""
        return self.read_log().entries

    def verified_entries(self, env: str, action: str) -> list[dict[str, Any]]:
        """The entries, or a refusal to `action` on a log that does not verify (an edited, deleted or forked one)."""
        log = self.read_log()
        if log.problem:
            raise Refused(
                f"{action} refused: {env}'s audit log does not verify: {log.problem}",
                hint=f"see `platformctl history {env} --verify`; restore the entry from the bucket's versions",
            )
        return log.entries

    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Add one entry, chained to the one before it; returns it with its id, number and time.

        The entry is written under a key of its own, then its number is claimed with a conditional put naming the
        entry and its sha256: two writers cannot take one number, and the one that loses takes the next."""
        claims = self._claims()
        prev: str | None
        if claims:
            seq = max(claims)
            prev = claims[seq]["sha256"]
        else:  # the first chained entry: after a log written before chaining, if any
            legacy = self.read_log().entries
            seq = max((e["seq"] for e in legacy), default=0)
            last = self._get(self._entry_key(legacy[-1])) if legacy else None
            prev = sha256_hex(last) if last is not None else None
        entry_id = new_id()
        for _ in range(APPEND_ATTEMPTS):
            seq += 1
            entry = {"id": entry_id, "seq": seq, "kind": kind, "at": now(), "prev_sha256": prev, **fields}
            body = json.dumps(entry, sort_keys=True).encode()
            key = self._entry_key(entry)
            self._put(key, body, only_if_new=True)
            claim = json.dumps({"key": key, "sha256": sha256_hex(body)}).encode()
            if self._put(f"{self.prefix}numbers/{seq:06d}.json", claim, only_if_new=True):
                return entry
            taken = json.loads(self._get(f"{self.prefix}numbers/{seq:06d}.json") or b"{}")
            if taken.get("key") == key:  # ours: the response to a write that succeeded was lost and retried
                return entry
            prev = taken.get("sha256")
        raise RecordError(
            f"could not append a {kind} entry after {APPEND_ATTEMPTS} attempts (busy log)", hint="run the command again"
        )

    # -- approved plans ---------------------------------------------------------------------------------------
    def store_plan(self, request_id: str, plan_bytes: bytes, record: dict[str, Any]) -> None:
        base = f"{self.prefix}plans/{request_id}"
        if not self._put(f"{base}.tfplan", plan_bytes, only_if_new=True, content_type="application/octet-stream"):
            raise RecordError(
                f"a plan for request {request_id} is already stored; requests never change", hint="make a new request"
            )
        self._put(f"{base}.json", json.dumps(record, sort_keys=True).encode(), only_if_new=True)

    def load_plan(self, request_id: str) -> bytes | None:
        return self._get(f"{self.prefix}plans/{request_id}.tfplan")

    def load_plan_record(self, request_id: str) -> dict[str, Any]:
        body = self._get(f"{self.prefix}plans/{request_id}.json")
        if body is None:
            raise RecordError(
                f"the plan record of request {request_id} is missing from s3://{self.bucket}",
                hint="promote or plan again",
            )
        return cast(dict[str, Any], json.loads(body))

    # -- the lock ---------------------------------------------------------------------------------------------
    def _get_lock(self) -> tuple[dict[str, Any], str | None]:
        """The lock's body and ETag ({} and None when nobody holds it)."""
        try:
            got = self._s3.get_object(Bucket=self.bucket, Key=self.prefix + "lock.json")
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) in ("NoSuchKey", "404"):
                return {}, None
            raise RecordError(
                f"cannot read s3://{self.bucket}/{self.prefix}lock.json: {error_code(exc) or exc}",
                hint="check the state bucket exists and these credentials may read it",
            ) from None
        return json.loads(got["Body"].read() or b"{}"), got.get("ETag")

    def _put_lock(self, body: dict[str, Any], *, if_match: str | None) -> str | None:
        """Write the lock only if it is absent (if_match None) or still the version read (its ETag): the new ETag,
        or None when someone else wrote it first. Exactly one of several takers wins."""
        condition = {"IfMatch": if_match} if if_match else {"IfNoneMatch": "*"}
        try:
            put = self._s3.put_object(
                Bucket=self.bucket,
                Key=self.prefix + "lock.json",
                Body=json.dumps(body).encode(),
                ContentType="application/json",
                **self._encryption(),
                **condition,
            )
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict", "NoSuchKey"):
                return None
            raise RecordError(
                f"cannot write s3://{self.bucket}/{self.prefix}lock.json: {error_code(exc) or exc}",
                hint="check the state bucket exists and these credentials may write to it",
            ) from None
        return cast(str, put.get("ETag") or "")

    def acquire(self, holder: str, operation: str) -> str:
        """Take the environment's lock or refuse naming who holds it; returns the token that releases it.

        The lock expires LOCK_TTL_SECONDS after it was last renewed; the holder renews it in the background while
        it works. An expired lock, or one left by a dead process of this machine, is taken over with a write
        conditional on the version read, so of two takers only one wins."""
        token = new_id()
        body = {
            "holder": holder,
            "operation": operation,
            "since": now(),
            "token": token,
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }
        etag = self._put_lock(_lease(body), if_match=None)
        if etag is None:
            held, held_etag = self._get_lock()
            if held.get("token") == token:  # ours: the response to a write that succeeded was lost and retried
                etag = held_etag
            elif held_etag is None:  # released meanwhile
                etag = self._put_lock(_lease(body), if_match=None)
            elif _stale(held):
                etag = self._put_lock(_lease(body), if_match=held_etag)
            if etag is None:
                held = held or self._get_lock()[0]
                raise EnvLocked(
                    f"{operation} refused: {held.get('holder', 'someone')} holds the lock "
                    f"({held.get('operation', '?')} since {held.get('since', '?')}"
                    + (f", expires {held['expires']})" if held.get("expires") else ")"),
                    hint="wait for it to finish (an abandoned lock expires on its own); if it died, delete "
                    f"s3://{self.bucket}/{self.prefix}lock.json after checking nothing runs",
                )
        self._leases[token] = _Renewer(self, body, etag)
        return token

    def release(self, token: str) -> None:
        renewer = self._leases.pop(token, None)
        if renewer:
            renewer.stop()
        held, _ = self._get_lock()
        if held.get("token") == token:
            self._s3.delete_object(Bucket=self.bucket, Key=self.prefix + "lock.json")


LOCK_TTL_SECONDS = 600  # an abandoned lock (a CI job killed at its timeout) frees itself after this long


def _lease(body: dict[str, Any]) -> dict[str, Any]:
    expires = _dt.datetime.now(_dt.UTC) + _dt.timedelta(seconds=LOCK_TTL_SECONDS)
    return {**body, "expires": expires.isoformat(timespec="seconds")}


def _stale(held: dict[str, Any]) -> bool:
    """Expired, or left by a process of this machine that no longer runs (a lock without an expiry never expires)."""
    expires = held.get("expires")
    if expires and _dt.datetime.fromisoformat(expires) < _dt.datetime.now(_dt.UTC):
        return True
    return bool(held.get("host") == socket.gethostname() and held.get("pid") and not _alive(int(held["pid"])))


class _Renewer:
    """Keeps a held lock from expiring: rewrites its expiry every third of the lease, conditional on the version
    it wrote last (a lock taken over meanwhile is left alone)."""

    def __init__(self, records: EnvRecords, body: dict[str, Any], etag: str) -> None:
        self._records, self._body, self._etag = records, body, etag
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="platformctl-lock-renewer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(LOCK_TTL_SECONDS / 3):
            try:
                etag = self._records._put_lock(_lease(self._body), if_match=self._etag)
            except RecordError:
                continue  # a failed renewal is retried at the next beat; the lease has time left
            if etag is None:
                return  # taken over after all: nothing of ours to keep
            self._etag = etag

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
