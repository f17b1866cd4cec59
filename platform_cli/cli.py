"""platformctl: the Click group and global options. Each command lives in platform_cli/commands/<name>.py."""

from __future__ import annotations

import sys
import traceback

import click

from platform_cli.commands import apply, destroy, doctor, drift, envs, init, output, plan, sandbox, scan, verify
from platform_cli.core.console import Console, colour_wanted
from platform_cli.core.context import Context
from platform_cli.core.errors import PlatformError
from platform_cli.core.paths import ROOT_ENVVAR, Paths


class UserError(click.ClickException):
    """A PlatformError shown the Click way: one line on stderr, the error's own exit code."""

    def __init__(self, error: PlatformError):
        super().__init__(error.one_line())
        self.exit_code = error.exit_code


class PlatformGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PlatformError as exc:
            obj = ctx.find_object(Context)
            if obj is not None and obj.verbose:
                traceback.print_exc()
            raise UserError(exc) from None


@click.group(cls=PlatformGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks and extra detail.")
@click.option("--sandbox", "use_sandbox", is_flag=True, envvar="PLATFORMCTL_SANDBOX",
              help="Run against the local AWS sandbox (started if needed).")
@click.option("--no-color", is_flag=True, help="Plain output (also when NO_COLOR is set).")
@click.option("--root", type=click.Path(file_okay=False, exists=True), envvar=ROOT_ENVVAR,
              help="Repository root (default: nearest parent with envs/ and infra/).")
@click.version_option(package_name="platform-kit", prog_name="platformctl")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, use_sandbox: bool, no_color: bool, root: str | None) -> None:
    """Plan, apply and verify the platform stack per environment."""
    color = colour_wanted(no_color)
    ctx.obj = Context(paths=Paths.discover(root), console=Console(color=color), verbose=verbose,
                      sandbox=use_sandbox, color=color)


for command in (envs.envs, init.init, plan.plan, apply.apply, output.output, verify.verify, drift.drift,
                destroy.destroy, scan.scan, doctor.doctor, sandbox.sandbox):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="platformctl")


if __name__ == "__main__":
    sys.exit(main())
