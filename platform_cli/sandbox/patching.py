"""The one guard every service's install() uses: moto's classes are patched once per process, however often
install() is called (the server, a test, another service that needs it)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

_installed: set[str] = set()
_lock = threading.RLock()  # an install() may install another service it builds on


def install_once(install: Callable[[], None]) -> Callable[[], None]:
    """Decorate a service module's install(): the first call applies its patches, later calls do nothing."""
    key = f"{install.__module__}.{install.__qualname__}"

    @functools.wraps(install)
    def guarded() -> None:
        with _lock:
            if key in _installed:
                return
            install()
            _installed.add(key)

    return guarded
