"""The Typer app every command module adds to, and the one place failures become a line and an exit code."""
import os
import traceback

import typer
import yaml
from typer.core import TyperGroup

from medcurate.console import console
from medcurate.errors import RunFailed, UsageError

USAGE_ERRORS = (UsageError, FileNotFoundError, yaml.YAMLError)     # exit 2


def debugging() -> bool:
    return os.environ.get("MEDCURATE_DEBUG", "") not in ("", "0")


class CommandGroup(TyperGroup):
    """Runs a command; a known failure prints one line (`error: what, where`) and exits 2 or 1. Anything
    else prints its type and where it was raised, never its message: messages of unforeseen errors may hold
    values read from the input, and inputs may be clinical notes. `--debug` re-raises with the traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):     # click's own handling: usage, --help
            raise
        except Exception as exc:
            if debugging() or ctx.find_root().params.get("debug"):
                raise
            code, message = describe_failure(exc)
            console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(code) from None


def describe_failure(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, USAGE_ERRORS):
        return 2, _one_line(exc)
    if isinstance(exc, RunFailed):
        return 1, _one_line(exc)
    if isinstance(exc, OSError):          # an environment fault: permissions, disk full, a vanished file
        where = f" ({exc.filename})" if exc.filename else ""
        return 1, f"{(exc.strerror or type(exc).__name__).lower()}{where}"
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{os.path.relpath(frame.filename)}:{frame.lineno}" if frame else "?"
    return 1, (f"unexpected {type(exc).__name__} at {where} (details are not shown, as they may hold input "
               "text; rerun with --debug or MEDCURATE_DEBUG=1 for the traceback)")


def _one_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


app = typer.Typer(cls=CommandGroup, help="Curate medical text into versioned Arrow datasets.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)


@app.callback()
def main(debug: bool = typer.Option(False, "--debug", help="Show the full traceback when something fails.")):
    """Curate medical text into versioned Arrow datasets."""


def sub_app(name: str, help: str, **kwargs) -> typer.Typer:
    """A command group (`medcurate versions ...`) under the same error handling."""
    group = typer.Typer(cls=CommandGroup, help=help, pretty_exceptions_enable=False, **kwargs)
    app.add_typer(group, name=name)
    return group
