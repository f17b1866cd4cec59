"""Small helpers shared by commands (Click-aware; the core is not)."""

from __future__ import annotations

import click

from ._context import AppContext

__all__ = ["AppContext", "json_option", "pass_app"]

pass_app = click.make_pass_decorator(AppContext)

json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output on stdout.")
