"""Values that must never leave the machine in text we publish (PR comments, issues, logs).

PLATFORMCTL_MASKS is a comma-separated list of entries:

    env:NAME         mask the value of environment variable NAME (if it is set and non-empty)
    regexp:PATTERN   mask every match of the Python regular expression PATTERN

e.g. PLATFORMCTL_MASKS="env:DB_PASSWORD,env:GITHUB_TOKEN,regexp:AKIA[0-9A-Z]{16}". A PATTERN cannot contain a
comma (the separator); write `{16}`-style counts as e.g. `[0-9A-Z]{16}` and alternatives with `|`.
Every occurrence becomes `***`. A malformed entry is a SettingsError: publishing with a mask silently dropped would
be worse than refusing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from .errors import SettingsError

MASKS_ENVVAR = "PLATFORMCTL_MASKS"
MASK = "***"
_HINT = "entries are env:NAME or regexp:PATTERN, separated by commas, e.g. env:DB_PASSWORD,regexp:AKIA[0-9A-Z]{16}"


class Masker:
    """Replaces literal values and regular-expression matches with `***`, in one pass over the text."""

    def __init__(self, values: Iterable[str] = (), patterns: Iterable[str] = ()):
        # Longest literal first, so a value that contains another is masked whole.
        literals = sorted({v for v in values if v}, key=len, reverse=True)
        parts = [re.escape(v) for v in literals] + [f"(?:{p})" for p in patterns]
        self._regex = re.compile("|".join(parts)) if parts else None

    def __bool__(self) -> bool:
        return self._regex is not None

    def mask(self, text: str) -> str:
        if self._regex is None or not text:
            return text
        # A pattern that can match the empty string would put *** between every character: skip empty matches.
        return self._regex.sub(lambda m: MASK if m.group(0) else "", text)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Masker:
        environ = os.environ if environ is None else environ
        return cls.parse(environ.get(MASKS_ENVVAR, ""), environ)

    @classmethod
    def parse(cls, spec: str, environ: Mapping[str, str]) -> Masker:
        values: list[str] = []
        patterns: list[str] = []
        for raw in spec.split(","):
            entry = raw.strip()
            if not entry:
                continue
            kind, sep, arg = entry.partition(":")
            if not sep or not arg:
                raise SettingsError(f"{MASKS_ENVVAR}: entry {entry!r} has no prefix and value", hint=_HINT)
            if kind == "env":
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", arg):
                    raise SettingsError(
                        f"{MASKS_ENVVAR}: entry {entry!r} does not name an environment variable", hint=_HINT
                    )
                value = environ.get(arg, "")
                if value:
                    values.append(value)
            elif kind == "regexp":
                try:
                    re.compile(arg)
                except re.error as exc:
                    raise SettingsError(
                        f"{MASKS_ENVVAR}: entry {entry!r} is not a valid regular expression ({exc})", hint=_HINT
                    ) from None
                patterns.append(arg)
            else:
                raise SettingsError(f"{MASKS_ENVVAR}: entry {entry!r} has unknown prefix {kind!r}", hint=_HINT)
        return cls(values, patterns)
