"""The body of an environment's drift issue, with the same escaping as the plan comment (github/markdown.py)."""

from __future__ import annotations

from typing import Any

from .markdown import code, plural


def drift_issue_body(env: str, drifted: list[dict[str, Any]]) -> str:
    """Markdown for `platformctl drift ENV --github-issue`: what drifted, or that the drift is gone."""
    if not drifted:
        return f"No drift in {code(env)} any more: real resources match the Terraform state again."
    lines = [
        f"{code(f'platformctl drift {env}')} found {plural(len(drifted), 'resource')} changed outside Terraform:",
        "",
    ]
    for item in drifted:
        attributes = item.get("attributes") or []
        shown = f" ({', '.join(code(a) for a in attributes)})" if attributes else ""
        lines.append(f"- {code('/'.join(item['actions']))} {code(item['address'])}{shown}")
    lines += [
        "",
        "Bring the change into code through a reviewed plan, or undo it; this issue closes itself once "
        "the next drift check finds nothing.",
    ]
    return "\n".join(lines)
