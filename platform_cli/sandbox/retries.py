"""Answer an SDK's retry of a call the sandbox already carried out with the answer it gave the first time.

AWS SDKs retry a call whose answer they never got (a connection reset, a timeout) and mark every attempt with the
same `amz-sdk-invocation-id` and `amz-sdk-request: attempt=N`. For an App Runner call that starts an operation,
the retry finds the operation still running (`InvalidStateException ... OPERATION_IN_PROGRESS`) or the service
already there (`... already exists`), and the apply fails on a call that worked: on a loaded loopback that is a
flake no user can act on. So the sandbox remembers its successful answers per invocation for a while and replays
one to a later attempt of the same invocation, with a line in server.log saying so (`retry: ...`).

Only App Runner's app is wrapped: S3's after-the-write faults (faults.py) exist to make clients retry into what is
already there, and must keep doing so.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from .wire import answer_of

Environ = dict[str, Any]
WSGIApp = Callable[[Environ, Any], Iterable[bytes]]

REMEMBER_SECONDS = 300.0  # longer than any SDK's whole retry sequence
REMEMBER_AT_MOST = 512
_ATTEMPT_RE = re.compile(r"attempt=(\d+)")


def attempt_of(environ: Environ) -> int:
    """The attempt number an SDK put in `amz-sdk-request` (1 when it says nothing)."""
    match = _ATTEMPT_RE.search(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
    return int(match.group(1)) if match else 1


class ReplayRetriedInvocations:
    """WSGI middleware: a later attempt of an invocation that already got a 2xx answer gets that answer again."""

    def __init__(self, app: WSGIApp, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.clock = clock
        self._lock = threading.Lock()
        self._answers: OrderedDict[str, tuple[float, str, list[tuple[str, str]], bytes]] = OrderedDict()

    def _remembered(self, invocation: str) -> tuple[str, list[tuple[str, str]], bytes] | None:
        with self._lock:
            now = self.clock()
            while self._answers and next(iter(self._answers.values()))[0] < now - REMEMBER_SECONDS:
                self._answers.popitem(last=False)
            answer = self._answers.get(invocation)
        return answer[1:] if answer else None

    def _remember(self, invocation: str, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        with self._lock:
            self._answers[invocation] = (self.clock(), status, headers, body)
            while len(self._answers) > REMEMBER_AT_MOST:
                self._answers.popitem(last=False)

    def __call__(self, environ: Environ, start_response: Any) -> Iterable[bytes]:
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation:
            return self.app(environ, start_response)
        attempt = attempt_of(environ)
        target = environ.get("HTTP_X_AMZ_TARGET") or environ.get("PATH_INFO", "")
        if attempt > 1:
            answer = self._remembered(invocation)
            if answer is not None:
                print(
                    f"retry: attempt {attempt} of {target} (invocation {invocation}) was carried out at attempt "
                    "1 or later: replaying its answer",
                    file=sys.stderr,
                    flush=True,
                )
                status, headers, body = answer
                start_response(status, headers)
                return [body]
            print(f"retry: attempt {attempt} of {target} (invocation {invocation})", file=sys.stderr, flush=True)

        status, headers, body = answer_of(self.app, environ)
        if status.startswith("2"):
            self._remember(invocation, status, headers, body)
        start_response(status, headers)
        return [body]
