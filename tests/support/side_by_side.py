"""Independent test flows run at once, each on its own environment."""

from __future__ import annotations

import threading
from collections.abc import Callable


def side_by_side(flows: dict[str, Callable[[], None]]) -> dict[str, str]:
    """Run independent flows (each on its own environment) at once; the error of each that failed, by name. Their
    time is mostly the aws provider's waits, so together they take about as long as the longest."""
    errors: dict[str, str] = {}

    def run(name: str, flow: Callable[[], None]) -> None:
        try:
            flow()
        except Exception as failed:  # noqa: BLE001 (each flow's failure is reported by name, whatever it is)
            errors[name] = f"{type(failed).__name__}: {failed}"

    threads = [threading.Thread(target=run, args=item) for item in flows.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
