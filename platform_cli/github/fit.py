"""Fitting a comment into GitHub's limit: sections that render into a character budget, filled by priority.

GitHub refuses bodies over 65,536 characters. Every section has a `minimal` form (what it says when nothing else
fits) that is always kept; the room left is handed out in priority order. A section may take at most a `share` of
the room when it is first fitted, so a low-priority section that is cheap and useful (the per-check scan summary)
keeps a little room without ever taking it from the sections before it; whatever is left at the end goes to the
sections that were cut, again in priority order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

GITHUB_COMMENT_LIMIT = 65536


class Fitted:
    """A section that renders into a character budget. `minimal` is what it shows when nothing else fits."""

    def __init__(self, minimal: str, render: Callable[[int], str] | None = None):
        self.minimal, self._render = minimal, render

    def fit(self, budget: int) -> str:
        if self._render is None or budget <= len(self.minimal):
            return self.minimal
        text = self._render(budget)
        return text if len(text) <= budget else self.minimal


def fit_lines(head: str, items: list[str], budget: int, more: Callable[[int], str], joiner: str = "\n") -> str:
    """head + as many items as fit + a line saying exactly how many were not shown."""
    full = joiner.join([head, *items])
    if len(full) <= budget:
        return full
    kept: list[str] = []
    used = len(head)
    for n, item in enumerate(items):
        if used + 2 * len(joiner) + len(item) + len(more(max(len(items) - n - 1, 1))) > budget:
            break
        kept.append(item)
        used += len(joiner) + len(item)
    return joiner.join([head, *kept, more(len(items) - len(kept))])


@dataclass
class Slot:
    """A section with its place in the priority order and the most of the room it may take at first."""

    name: str
    section: Fitted
    share: float = 1.0


def fit_sections(slots: list[Slot], room: int) -> dict[str, str]:
    """{name: text} for sections given in priority order, sharing `room` characters beyond their minimal forms."""
    rendered: dict[str, str] = {}
    for slot in slots:
        cap = int(max(room, 0) * slot.share)
        text = slot.section.fit(len(slot.section.minimal) + cap)
        room -= len(text) - len(slot.section.minimal)
        rendered[slot.name] = text
    for slot in slots:  # what is left goes to sections that were held to their share
        if slot.share >= 1.0 or room <= 0:
            continue
        before = rendered[slot.name]
        text = slot.section.fit(len(before) + room)
        if len(text) > len(before):
            room -= len(text) - len(before)
            rendered[slot.name] = text
    return rendered
