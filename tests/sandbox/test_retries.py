"""A retried SDK invocation the sandbox already carried out gets its first answer (platform_cli/sandbox/retries.py)."""

from __future__ import annotations

from platform_cli.sandbox.retries import REMEMBER_SECONDS, ReplayRetriedInvocations, attempt_of


class Counting:
    """An app that carries out every call (a counter) and answers with the count, or 400 once it is told to."""

    def __init__(self):
        self.calls = 0
        self.status = "200 OK"

    def __call__(self, environ, start_response):
        self.calls += 1
        start_response(self.status, [("Content-Type", "application/json")])
        return [f'{{"call": {self.calls}}}'.encode()]


def call(app, invocation=None, attempt=None):
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "HTTP_X_AMZ_TARGET": "AppRunner.UpdateService"}
    if invocation:
        environ["HTTP_AMZ_SDK_INVOCATION_ID"] = invocation
    if attempt:
        environ["HTTP_AMZ_SDK_REQUEST"] = f"attempt={attempt}; max=25"
    seen = {}
    body = b"".join(app(environ, lambda status, headers: seen.update(status=status)))
    return seen["status"], body


def test_a_later_attempt_of_a_carried_out_invocation_gets_the_first_answer_and_is_not_carried_out_again(capsys):
    inner = Counting()
    app = ReplayRetriedInvocations(inner)
    assert call(app, "inv-1", 1) == ("200 OK", b'{"call": 1}')
    assert call(app, "inv-1", 2) == ("200 OK", b'{"call": 1}')
    assert inner.calls == 1
    assert "retry: attempt 2 of AppRunner.UpdateService (invocation inv-1)" in capsys.readouterr().err


def test_new_invocations_first_attempts_and_calls_without_sdk_headers_are_carried_out():
    inner = Counting()
    app = ReplayRetriedInvocations(inner)
    call(app, "inv-1", 1)
    assert call(app, "inv-2", 1)[1] == b'{"call": 2}'
    assert call(app, "inv-1", 1)[1] == b'{"call": 3}'  # a first attempt is never an SDK retry
    assert call(app)[1] == b'{"call": 4}'
    assert inner.calls == 4


def test_an_error_answer_is_not_replayed_the_retry_is_carried_out():
    inner = Counting()
    app = ReplayRetriedInvocations(inner)
    inner.status = "500 Internal Server Error"
    call(app, "inv-1", 1)
    inner.status = "200 OK"
    assert call(app, "inv-1", 2) == ("200 OK", b'{"call": 2}')


def test_answers_are_forgotten_after_the_retry_window():
    now = [0.0]
    inner = Counting()
    app = ReplayRetriedInvocations(inner, clock=lambda: now[0])
    call(app, "inv-1", 1)
    now[0] = REMEMBER_SECONDS + 1
    assert call(app, "inv-1", 2)[1] == b'{"call": 2}'


def test_attempt_of_reads_the_sdk_request_header():
    assert attempt_of({"HTTP_AMZ_SDK_REQUEST": "ttl=20261207T010000Z; attempt=3; max=5"}) == 3
    assert attempt_of({}) == 1
