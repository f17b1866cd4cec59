"""A release that fired a model alarm while it was watched is never promoted; the log says which alarm and when.
Entries are plain dicts as the log holds them; no AWS."""

from __future__ import annotations

from platform_cli.commands.history import _what
from platform_cli.core import promotion
from platform_cli.core.release import Release

D1 = "sha256:" + "1" * 64
A = Release(image=D1, model={"key": "m.json", "version_id": "vA", "sha256": "a" * 64})
B = Release(image=D1, model={"key": "m.json", "version_id": "vB", "sha256": "b" * 64})


def _watch(release: Release, *firing: dict) -> dict:
    return {
        "kind": "watch",
        "release": release.as_dict(),
        "release_id": release.id,
        "seconds": 60,
        "firing": list(firing),
    }


MEAN_LOW = {"alarm": "svc-staging-model-mean-low", "at": "2026-12-06T10:00:00+00:00", "reason": "r", "model": True}
FIVE_XX = {"alarm": "svc-staging-5xx", "at": "2026-12-06T10:00:00+00:00", "reason": "r", "model": False}


def test_a_model_alarm_in_any_watch_of_the_release_is_found():
    entries = [_watch(B, MEAN_LOW), _watch(B)]  # quiet later: still not trusted
    assert promotion.model_alarm_while_watched(entries, B) == MEAN_LOW


def test_another_releases_alarm_and_a_service_alarm_do_not_count():
    entries = [_watch(B, MEAN_LOW), _watch(A, FIVE_XX), _watch(A)]
    assert promotion.model_alarm_while_watched(entries, A) is None


def test_history_says_what_a_watch_saw():
    assert _what(_watch(A)) == "watched 60s: no alarm"
    assert _what(_watch(B, MEAN_LOW, FIVE_XX)) == (
        "ALARM: svc-staging-model-mean-low (model) at 2026-12-06T10:00:00+00:00, svc-staging-5xx at 2026-12-06T10:00:00+00:00"
    )
