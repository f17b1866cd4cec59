"""The files a step writes to talk to the runner: $GITHUB_OUTPUT and $GITHUB_ENV (`name=value` lines and the
`name<<DELIMITER` heredoc form, parsed as the Actions runner parses them), $GITHUB_PATH (one directory a line,
each put in front of PATH) and $GITHUB_STEP_SUMMARY (markdown, kept as written). Workflow commands printed on
stdout (`::error title=T::message`) are collected as annotations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import FileCommandError


def parse_key_values(text: str, source: str) -> dict[str, str]:
    """`name=value` and `name<<EOF ... EOF` entries; later entries win. Errors as the runner reports them."""
    lines = text.replace("\r\n", "\n").split("\n")
    values: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line == "":
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line[:equals], line[equals + 1 :]
        elif heredoc >= 0:
            name, delimiter = line[:heredoc], line[heredoc + 2 :]
            if not delimiter:
                raise FileCommandError(f"{source}: {line!r} has no heredoc delimiter after '<<'")
            try:
                end = lines.index(delimiter, index)
            except ValueError:
                raise FileCommandError(f"{source}: matching delimiter {delimiter!r} not found for {name!r}") from None
            value = "\n".join(lines[index:end])
            index = end + 1
        else:
            raise FileCommandError(f"{source}: invalid line {line!r} (expected name=value or name<<DELIMITER)")
        if not name:
            raise FileCommandError(f"{source}: {line!r} has an empty name")
        values[name] = value
    return values


def parse_path_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Annotation:
    level: str  # error, warning, notice
    title: str
    message: str


_COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def annotations(stdout: str) -> list[Annotation]:
    found = []
    for line in stdout.splitlines():
        match = _COMMAND.match(line.strip())
        if match:
            props = dict(p.split("=", 1) for p in (match.group(2) or "").split(",") if "=" in p)
            found.append(Annotation(match.group(1), props.get("title", ""), match.group(3)))
    return found


@dataclass
class StepFiles:
    """The fresh, empty files one step gets (the runner makes new ones for every step)."""

    output: Path
    env: Path
    path: Path
    summary: Path

    @classmethod
    def create(cls, directory: Path, step_number: int) -> StepFiles:
        directory.mkdir(parents=True, exist_ok=True)
        files = cls(*(directory / f"{kind}_{step_number}" for kind in ("output", "env", "path", "summary")))
        for file in (files.output, files.env, files.path, files.summary):
            file.write_text("")
        return files

    def environ(self) -> dict[str, str]:
        return {
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_ENV": str(self.env),
            "GITHUB_PATH": str(self.path),
            "GITHUB_STEP_SUMMARY": str(self.summary),
        }
