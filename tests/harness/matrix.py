"""A job's `strategy.matrix` as GitHub expands it: the product of its keys, minus `exclude`, then `include` entries
merged into every leg they do not contradict (or added as their own leg)."""

from __future__ import annotations

import itertools
from typing import Any

from .errors import HarnessError


def expand(matrix: Any, job: str) -> list[dict[str, Any]]:
    if not isinstance(matrix, dict):
        raise HarnessError(f"job {job!r}: strategy.matrix is {type(matrix).__name__}, not a mapping")
    include = matrix.get("include") or []
    exclude = matrix.get("exclude") or []
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    for key, values in axes.items():
        if not isinstance(values, list):
            raise HarnessError(f"job {job!r}: matrix key {key!r} is not a list")
    legs = [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())] if axes else []
    legs = [leg for leg in legs if not any(all(leg.get(k) == v for k, v in ex.items()) for ex in exclude)]
    original = [dict(leg) for leg in legs]
    for entry in include:
        merged = False
        for leg, base in zip(legs[: len(original)], original, strict=True):
            # an include extends a leg when it changes none of the leg's original matrix values
            if all(base.get(k, v) == v for k, v in entry.items() if k in axes):
                leg.update({k: v for k, v in entry.items() if k not in base or k not in axes})
                merged = True
        if not merged:
            legs.append(dict(entry))
    if not legs:
        raise HarnessError(f"job {job!r}: the matrix has no legs (GitHub fails such a job)")
    return legs


def select(legs: list[dict[str, Any]], wanted: dict[str, Any], job: str) -> dict[str, Any]:
    """The one leg that has all of `wanted`'s values (a test names a leg by a few keys, e.g. env=staging)."""
    matches = [leg for leg in legs if all(leg.get(k) == v for k, v in wanted.items())]
    if len(matches) != 1:
        raise HarnessError(f"job {job!r}: {len(matches)} matrix legs match {wanted}; legs are {legs}")
    return matches[0]
