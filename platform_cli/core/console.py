"""One output helper: colour (off for NO_COLOR, --no-color or a non-terminal), JSON mode, tables.

Everything the CLI prints goes through a Console so tests and colour handling live in one place. Streamed
Terraform lines are written through `stream_line`, which is thread-safe so parallel plans do not interleave
mid-line.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import IO, Any

from .masks import Masker

_STYLES = {"green": "32", "red": "31", "yellow": "33", "bold": "1", "dim": "2", "cyan": "36"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def colour_wanted(no_color_flag: bool = False, stream: IO[str] | None = None) -> bool:
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


class Console:
    def __init__(
        self,
        color: bool = False,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        json_mode: bool = False,
        masker: Masker | None = None,
    ):
        self.color = color
        self.masker = masker or Masker()  # PLATFORMCTL_MASKS: applied to everything printed and logged
        self.json_mode = json_mode
        self._out = out
        self._err = err
        self._lock = threading.Lock()

    @property
    def out(self) -> IO[str]:
        return self._out or sys.stdout

    @property
    def err(self) -> IO[str]:
        return self._err or sys.stderr

    def style(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(_STYLES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def mask(self, text: str) -> str:
        return self.masker.mask(text)

    def _write(self, stream: IO[str], text: str) -> None:
        text = self.mask(text)
        with self._lock:
            stream.write(text + "\n")
            stream.flush()

    def print(self, text: str = "", *styles: str) -> None:
        self._write(self.out, self.style(text, *styles))

    def info(self, text: str) -> None:
        """Progress and context: stderr, so stdout stays clean for --json and piping."""
        self._write(self.err, self.style(text, "dim"))

    def warn(self, text: str) -> None:
        self._write(self.err, self.style(f"warning: {text}", "yellow"))

    def error(self, text: str) -> None:
        self._write(self.err, self.style(f"Error: {text}", "red"))

    def stream_line(self, line: str, prefix: str = "") -> None:
        """A line of Terraform output, passed through as-is (colour stripped when colour is off)."""
        if not self.color:
            line = strip_ansi(line)
        line = self.mask(line)
        if prefix:
            line = f"{self.style(prefix, 'cyan')} {line}"
        # Terraform's output is the main content of plan/apply, so stdout -- unless stdout is reserved for --json.
        stream = self.err if self.json_mode else self.out
        with self._lock:
            stream.write(line if line.endswith("\n") else line + "\n")
            stream.flush()

    def json(self, data: Any) -> None:
        self._write(self.out, json.dumps(data, indent=2, sort_keys=True, default=str))

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[Any]], status_col: int | None = None) -> None:
        rows = [[("" if c is None else str(c)) for c in row] for row in rows]
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
        self.print("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=False)).rstrip(), "bold")
        for row in rows:
            cells = []
            for i, (cell, w) in enumerate(zip(row, widths, strict=False)):
                padded = cell.ljust(w)
                if i == status_col:
                    padded = self.style(padded, {"ok": "green", "FAIL": "red", "fail": "red"}.get(cell, "yellow"))
                cells.append(padded)
            self.print("  ".join(cells).rstrip())
