"""Errors a user can act on.

Every expected failure is a PlatformError: a one-line message saying what was refused and why, plus a hint saying
what to do next. The CLI prints them as one line (no traceback unless -v); the core never prints them itself.
"""

from __future__ import annotations


class PlatformError(Exception):
    """An expected failure with a one-line message and an optional hint."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UnknownEnvironment(PlatformError):
    pass


class SettingsError(PlatformError):
    """An environment's files are malformed or invalid; the message names file, field and reason."""


class TerraformMissing(PlatformError):
    pass


class TerraformTooOld(PlatformError):
    pass


class TerraformFailed(PlatformError):
    """Terraform exited with an error we could not classify more precisely; its log path is in the hint."""


class NoCredentials(PlatformError):
    pass


class BackendUnreachable(PlatformError):
    pass


class StateLocked(PlatformError):
    def __init__(self, message: str, hint: str | None = None, *, lock_id: str = "", who: str = "", created: str = ""):
        super().__init__(message, hint)
        self.lock_id, self.who, self.created = lock_id, who, created


class NoPlan(PlatformError):
    pass


class StalePlan(PlatformError):
    def __init__(self, message: str, hint: str | None = None, *, changed: list[str] | None = None):
        super().__init__(message, hint)
        self.changed = changed or []


class Refused(PlatformError):
    """A guard rail said no (protected environment, missing approval, wrong confirmation)."""


class Interrupted(PlatformError):
    exit_code = 130
