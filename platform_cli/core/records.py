"""Records that must outlive a laptop: an environment's audit log, approved plans and its promotion lock.

They live in the environment's state bucket (versioned, SSE-KMS), beside its Terraform state:

  <state key>.platformctl/log/<seq>-<kind>-<id>.json    one object per entry, written once (If-None-Match: *)
  <state key>.platformctl/plans/<request id>.tfplan      the approved plan's exact bytes (+ .json record)
  <state key>.platformctl/lock.json                      held while a promote/apply/rollback runs

Append-only: an entry is never rewritten; two writers racing for the same sequence number both use a conditional
put, so one wins and the other takes the next number. Nothing here knows Terraform or the CLI.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import socket
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
    def entries(self) -> list[dict[str, Any]]:
        """Every log entry, oldest first."""
        keys = sorted(self._keys(self.prefix + "log/"))
        # One GET per entry: side by side, since each waits on the network far longer than on the CPU.
        with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
            bodies = list(pool.map(self._get, keys))
        return [json.loads(body) for body in bodies if body is not None]

    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Add one entry; returns it with its id, sequence number and time."""
        existing = [k.rsplit("/", 1)[-1] for k in self._keys(self.prefix + "log/")]
        seq = max((int(name.split("-", 1)[0]) for name in existing if name.split("-", 1)[0].isdigit()), default=0)
        entry_id = new_id()
        for _ in range(APPEND_ATTEMPTS):
            seq += 1
            entry = {"id": entry_id, "seq": seq, "kind": kind, "at": now(), **fields}
            key = f"{self.prefix}log/{seq:06d}-{kind}-{entry_id}.json"
            if self._put(key, json.dumps(entry, sort_keys=True).encode(), only_if_new=True):
                return entry
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
    def acquire(self, holder: str, operation: str) -> str:
        """Take the environment's promotion lock or refuse naming who holds it.

        A lock left by a process of this machine that no longer exists (killed mid-apply) is taken over."""
        token = new_id()
        body = json.dumps(
            {
                "holder": holder,
                "operation": operation,
                "since": now(),
                "token": token,
                "host": socket.gethostname(),
                "pid": os.getpid(),
            }
        ).encode()
        if self._put(self.prefix + "lock.json", body, only_if_new=True):
            return token
        held = json.loads(self._get(self.prefix + "lock.json") or b"{}")
        if held.get("host") == socket.gethostname() and held.get("pid") and not _alive(int(held["pid"])):
            self._s3.delete_object(Bucket=self.bucket, Key=self.prefix + "lock.json")
            if self._put(self.prefix + "lock.json", body, only_if_new=True):
                return token
            held = json.loads(self._get(self.prefix + "lock.json") or b"{}")
        raise EnvLocked(
            f"{operation} refused: {held.get('holder', 'someone')} holds the lock "
            f"({held.get('operation', '?')} since {held.get('since', '?')})",
            hint="wait for it to finish; if it died, delete "
            f"s3://{self.bucket}/{self.prefix}lock.json after checking nothing runs",
        )

    def release(self, token: str) -> None:
        held = json.loads(self._get(self.prefix + "lock.json") or b"{}")
        if held.get("token") == token:
            self._s3.delete_object(Bucket=self.bucket, Key=self.prefix + "lock.json")
