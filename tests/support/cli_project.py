"""What the CLI tests' small projects share: the sandbox account and region they deploy to, the state bucket
their backends name, and where this interpreter's platformctl lives (tests/cli/conftest.py builds the projects)."""

from __future__ import annotations

import sys
from pathlib import Path

from moto.core import DEFAULT_ACCOUNT_ID

VENV_BIN = Path(sys.executable).parent
STATE_BUCKET = "pctl-test-state"
REGION = "eu-west-1"
ACCOUNT = DEFAULT_ACCOUNT_ID  # the account the sandbox answers for, so the identity check passes
