"""platformctl: the Click group and global options. Each command lives in platform_cli/commands/<name>.py."""

from __future__ import annotations

import importlib
import traceback

import click

from platform_cli.commands._context import AppContext
from platform_cli.core.console import Console, colour_wanted
from platform_cli.core.errors import Interrupted, PlatformError
from platform_cli.core.masks import Masker
from platform_cli.core.paths import ROOT_ENVVAR, Paths

# Exit codes: 0 ok, 1 error, 2 changes or drift (like terraform -detailed-exitcode), 64 usage error (sysexits
# EX_USAGE; Click's own 2 would read as "changes present" to a CI step), 130 interrupted.
EXIT_USAGE = 64


class UserError(click.ClickException):
    """A PlatformError shown the Click way: one line on stderr, the error's own exit code."""

    def __init__(self, error: PlatformError, masker: Masker | None = None):
        super().__init__(masker.mask(error.one_line()) if masker else error.one_line())
        self.exit_code = error.exit_code  # type: ignore[misc]  # Click types it as a class constant; per error here


# name -> module under platform_cli.commands; imported only when that command runs, so `platformctl plan`
# does not pay for importing boto3, checkov glue or the sandbox server on every start.
COMMANDS = {
    name: name
    for name in (
        "envs",
        "init",
        "plan",
        "apply",
        "output",
        "verify",
        "drift",
        "destroy",
        "scan",
        "comment",
        "promote",
        "approve",
        "history",
        "rollback",
        "doctor",
        "sandbox",
    )
}


class PlatformGroup(click.Group):
    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            exc.exit_code = EXIT_USAGE
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str):
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"platform_cli.commands.{COMMANDS[name]}")
        return getattr(module, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # also raised while a subcommand parses its own arguments
            exc.exit_code = EXIT_USAGE  # type: ignore[misc]  # see UserError
            raise
        except KeyboardInterrupt:  # Ctrl-C outside a Terraform run: still one line and 130, never a traceback
            from platform_cli.core.terraform import interrupt_all

            interrupt_all()
            raise UserError(
                Interrupted("interrupted", hint="nothing was left half-written; run the command again")
            ) from None
        except PlatformError as exc:
            obj = ctx.find_object(AppContext)
            if obj is not None and obj.verbose:
                traceback.print_exc()
            raise UserError(exc, obj.console.masker if obj is not None else None) from None


@click.group(cls=PlatformGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks and extra detail.")
@click.option(
    "--sandbox",
    "use_sandbox",
    is_flag=True,
    envvar="PLATFORMCTL_SANDBOX",
    help="Run against the local AWS sandbox (started if needed).",
)
@click.option("--no-color", is_flag=True, help="Plain output (also when NO_COLOR is set).")
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True),
    envvar=ROOT_ENVVAR,
    help="Repository root (default: nearest parent with envs/ and infra/).",
)
@click.version_option(package_name="platform-kit", prog_name="platformctl")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, use_sandbox: bool, no_color: bool, root: str | None) -> None:
    """Plan, apply and verify the platform stack per environment."""
    color = colour_wanted(no_color)
    try:
        masker = Masker.from_environ()
    except PlatformError as exc:  # a mask silently dropped could publish a secret: refuse to run instead
        raise UserError(exc) from None
    ctx.obj = AppContext(
        paths=Paths.discover(root),
        console=Console(color=color, masker=masker),
        verbose=verbose,
        sandbox=use_sandbox,
        color=color,
    )


def main() -> None:
    cli(prog_name="platformctl")


if __name__ == "__main__":
    main()  # Click exits with the command's code
