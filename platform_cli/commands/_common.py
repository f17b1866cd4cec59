"""Small helpers shared by commands (Click-aware; the core is not)."""

from __future__ import annotations

import click

from platform_cli.core.context import Context

pass_app = click.make_pass_decorator(Context)

json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output on stdout.")
