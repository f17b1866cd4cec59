"""PLATFORMCTL_MASKS: env:NAME and regexp:PATTERN entries, every occurrence replaced with ***."""

from __future__ import annotations

import pytest

from platform_cli.core.errors import SettingsError
from platform_cli.core.masks import Masker


def test_env_entries_mask_the_variable_value_everywhere():
    masker = Masker.from_environ(
        {"PLATFORMCTL_MASKS": "env:DB_PASSWORD, env:API_KEY", "DB_PASSWORD": "hunter2", "API_KEY": "k-123"}
    )
    assert masker.mask("pw=hunter2 key=k-123 again hunter2") == "pw=*** key=*** again ***"


def test_unset_or_empty_variables_mask_nothing():
    masker = Masker.from_environ({"PLATFORMCTL_MASKS": "env:MISSING,env:EMPTY", "EMPTY": ""})
    assert not masker and masker.mask("nothing to hide") == "nothing to hide"


def test_regexp_entries_mask_every_match():
    masker = Masker.from_environ({"PLATFORMCTL_MASKS": "regexp:AKIA[0-9A-Z]{16}"})
    assert masker.mask("a AKIAABCDEFGHIJKLMNOP b AKIAZZZZZZZZZZZZZZZZ") == "a *** b ***"


def test_longer_value_is_masked_whole_when_it_contains_a_shorter_one():
    masker = Masker.from_environ({"PLATFORMCTL_MASKS": "env:A,env:B", "A": "abc", "B": "abcdef"})
    assert masker.mask("abcdef abc") == "*** ***"


def test_values_with_regex_characters_are_literal():
    masker = Masker.from_environ({"PLATFORMCTL_MASKS": "env:P", "P": "a.b*c(d"})
    assert masker.mask("a.b*c(d axbbbc(d") == "*** axbbbc(d"


def test_pattern_matching_empty_string_does_not_spray():
    masker = Masker.from_environ({"PLATFORMCTL_MASKS": "regexp:x*"})
    assert masker.mask("abxxc") == "ab***c"


def test_no_setting_masks_nothing():
    assert Masker.from_environ({}).mask("text") == "text"
    assert Masker.from_environ({"PLATFORMCTL_MASKS": " , "}).mask("text") == "text"


@pytest.mark.parametrize(
    "entry, words",
    [
        ("secret", "has no prefix"),
        ("file:/etc/passwd", "unknown prefix 'file'"),
        ("regexp:([a-z]", "not a valid regular expression"),
        ("env:", "has no prefix and value"),
        ("env:NOT-A-NAME", "does not name an environment variable"),
    ],
)
def test_malformed_entries_are_settings_errors(entry, words):
    with pytest.raises(SettingsError) as info:
        Masker.from_environ({"PLATFORMCTL_MASKS": f"env:OK,{entry}"})
    assert info.value.message.startswith(f"PLATFORMCTL_MASKS: entry {entry!r}")
    assert words in info.value.message and "env:NAME or regexp:PATTERN" in info.value.hint


def test_reads_os_environ_by_default(monkeypatch):
    monkeypatch.setenv("PLATFORMCTL_MASKS", "env:MY_SECRET")
    monkeypatch.setenv("MY_SECRET", "s3cr3t")
    assert Masker.from_environ().mask("x s3cr3t") == "x ***"
