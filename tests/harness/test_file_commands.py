"""$GITHUB_OUTPUT / $GITHUB_ENV parsing, heredocs included, and the malformed files the runner rejects."""

from __future__ import annotations

import pytest

from harness.errors import FileCommandError
from harness.file_commands import annotations, parse_key_values


def test_name_value_and_heredoc_entries_later_ones_win():
    text = "a=1\nb=x=y\n\nbody<<EOF\nline 1\n\nline=3\nEOF\na=2\nempty=\n"
    assert parse_key_values(text, "out") == {"a": "2", "b": "x=y", "body": "line 1\n\nline=3", "empty": ""}


def test_a_heredoc_whose_delimiter_comes_after_an_equals_sign_is_a_plain_value():
    assert parse_key_values("k=a<<b\n", "out") == {"k": "a<<b"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("body<<EOF\nno end\n", "matching delimiter 'EOF' not found"),
        ("just words\n", "invalid line"),
        ("=value\n", "empty name"),
        ("name<<\n", "no heredoc delimiter"),
    ],
)
def test_malformed_files_are_refused_naming_the_file(text, message):
    with pytest.raises(FileCommandError, match=message):
        parse_key_values(text, "step 'x': $GITHUB_OUTPUT")


def test_workflow_commands_become_annotations():
    found = annotations("hello\n::error title=staging not planned::No plan role\n::notice::fine\n")
    assert [(a.level, a.title, a.message) for a in found] == [
        ("error", "staging not planned", "No plan role"),
        ("notice", "", "fine"),
    ]
