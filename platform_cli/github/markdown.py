"""GitHub-flavoured Markdown primitives that hold any text literally: every comment and issue body uses these.

Every string that comes from a plan, provenance, scan or drift check is rendered only inside an inline code span
(fence longer than any backtick run, `|` escaped inside tables, newlines shown as \\n), inside a fenced code block
(fence longer than any fence-like run in the block) or, for the hidden markers, percent-encoded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import quote

MARKER_PREFIX = "platformctl:plan:env="
DRIFT_MARKER_PREFIX = "platformctl:drift:env="

_MARKER_SAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def _marker_value(env: str) -> str:
    # Percent-encode everything but [A-Za-z0-9_.-]: no `>`, so `-->` can never end the comment early.
    return _MARKER_SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), env)


def marker(env: str) -> str:
    """The hidden HTML comment that identifies an environment's plan comment on a pull request."""
    return f"<!-- {MARKER_PREFIX}{_marker_value(env)} -->"


def drift_marker(env: str) -> str:
    """The hidden HTML comment that identifies an environment's drift issue."""
    return f"<!-- {DRIFT_MARKER_PREFIX}{_marker_value(env)} -->"


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def one_line(text: str) -> str:
    """Control characters (newlines first of all) shown as escapes, so a value stays on its line."""
    return _CONTROL.sub(
        lambda m: json.dumps(m.group(0))[1:-1] if m.group(0) not in "\u2028\u2029" else f"\\u{ord(m.group(0)):04x}",
        text,
    )


def code(text: str, *, in_table: bool = False) -> str:
    """An inline code span holding `text` literally, whatever it contains."""
    text = one_line(str(text))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()):
        text = f" {text} "
    if not text:
        text = " "
    if in_table:
        # GFM splits table rows on `|` before inline parsing, even inside code spans; `\|` is its escape there.
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def code_block(lines: Iterable[str], lang: str = "") -> str:
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"^[ ]{0,3}(`{3,}|~{3,})", body, re.M)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_URL_SAFE = ":/?#[]@!$&'*+,;=%~-._"


def link(label: str, url: str | None) -> str:
    """A Markdown link to an http(s) URL; anything else is shown as code, never as a link."""
    if not url:
        return ""
    if not re.match(r"https?://", url, re.I):
        return code(url)
    return f"[{label}](<{quote(url, safe=_URL_SAFE)}>)"


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural_word or word + 's')}"


def trusted_line(text: str | None) -> str:
    """Markdown from settings we trust (e.g. with `code`), kept on one line and unable to open HTML."""
    if not text:
        return ""
    return one_line(text).replace("<", "&lt;").replace(">", "&gt;")
