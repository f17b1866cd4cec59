"""PLATFORMCTL_MASKS values never reach the terminal or the per-run Terraform logs."""

from __future__ import annotations

import io

from platform_cli.core import tfconfig
from platform_cli.core.console import Console
from platform_cli.core.masks import Masker
from platform_cli.core.paths import Paths
from platform_cli.core.terraform import Terraform

SECRET = "hunter2-planted-secret"


def test_terraform_output_is_masked_on_screen_and_in_its_log(tmp_path):
    stack = tmp_path / "repo" / "infra" / "platform"
    stack.mkdir(parents=True)
    # Badly formatted on purpose: `terraform fmt -diff` prints the line holding the secret.
    (stack / "main.tf").write_text(f'locals {{\n  password="{SECRET}"\n}}\n')
    out, err = io.StringIO(), io.StringIO()
    console = Console(out=out, err=err, masker=Masker.parse("env:DB_PASSWORD", {"DB_PASSWORD": SECRET}))
    paths = Paths(tmp_path / "repo", tmp_path / "work")
    tf = Terraform(paths, "staging", tfconfig.resolve(paths), console, color=False)
    result = tf.run(["fmt", "-diff", "-check"], ok=(0, 3))
    assert result.returncode == 3 and SECRET in result.output  # Terraform really printed it
    assert SECRET not in out.getvalue() + err.getvalue() and "***" in out.getvalue()
    log = result.log_path.read_text()
    assert SECRET not in log and "***" in log


def test_console_masks_every_kind_of_line():
    out, err = io.StringIO(), io.StringIO()
    console = Console(out=out, err=err, masker=Masker.parse("regexp:AKIA[0-9A-Z]{16}", {}))
    key = "AKIA" + "A" * 16
    for say in (console.print, console.info, console.warn, console.error):
        say(f"key {key}")
    console.json({"key": key})
    assert key not in out.getvalue() + err.getvalue()
