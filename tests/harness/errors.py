"""What the harness refuses. Each error names the workflow step (or job) and the thing it does not know, so a test
fails on a gap in the harness instead of running a workflow with a step quietly skipped or a value guessed."""

from __future__ import annotations


class HarnessError(Exception):
    """The harness cannot run this workflow faithfully."""


class UnsupportedExpression(HarnessError):
    """An expression uses a function, context or syntax the harness does not evaluate."""


class UnsupportedAction(HarnessError):
    """A `uses:` action the harness has no local replacement for, or an input of one it does not honour."""


class FileCommandError(HarnessError):
    """A step wrote $GITHUB_OUTPUT / $GITHUB_ENV in a form the runner would reject."""
