"""The wire layer the services register their rewrites with (platform_cli/sandbox/wire.py)."""

from __future__ import annotations

from platform_cli.sandbox.wire import FidelityMiddleware


def test_middleware_passes_unmatched_requests_through_untouched():
    def app(environ, start_response):
        start_response("200 OK", [("X-Original", "yes")])
        return [b"body"]

    seen = {}
    body = FidelityMiddleware(app)(
        {"REQUEST_METHOD": "GET", "QUERY_STRING": ""},
        lambda status, headers: seen.update(status=status, headers=headers),
    )
    assert list(body) == [b"body"] and seen["headers"] == [("X-Original", "yes")]
