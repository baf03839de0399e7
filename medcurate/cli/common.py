"""Options and helpers the command modules share."""
import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml

from medcurate.console import console
from medcurate.errors import UsageError
from medcurate.report import print_run, version_summary
from medcurate.runner import RunResult
from medcurate.store import Version, VersionStore, default_store_path

StoreOpt = Annotated[Optional[str], typer.Option(
    "--store", help="Store folder or URI (default ./medcurate-store, or $MEDCURATE_STORE).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
AssumeOpt = Annotated[Optional[str], typer.Option(
    "--assume-deidentified", metavar="WHY", help="External tables given as paths are already de-identified, "
    "for this reason (recorded in the version). Without it, tables that look like clinical notes are refused.")]
TagOpt = Annotated[Optional[str], typer.Option("--tag", help="Also tag the resulting version with this name.")]


def open_store(path: str | None) -> VersionStore:
    return VersionStore(path or default_store_path())


def resolve_version(store: VersionStore, ref: str) -> Version:
    version = store.resolve(ref)
    if version is None:
        raise UsageError(f"no version, tag or unique id prefix {ref!r} in store {store.root}")
    return version


def load_settings(path: Path | None) -> dict:
    """A YAML or JSON settings file as a mapping (empty when no file is given)."""
    if path is None:
        return {}
    if not path.is_file():
        raise UsageError(f"--config {path}: no such file")
    values = yaml.safe_load(path.read_text())
    if values is not None and not isinstance(values, dict):
        raise UsageError(f"--config {path}: expected a mapping of keys to values, not a {type(values).__name__}")
    return values or {}


def finish(store: VersionStore, result: RunResult, started: float, tag: str | None, as_json: bool) -> None:
    """The run's summary on stderr; its id (or JSON) on stdout; the tag, if asked for."""
    print_run(result, time.perf_counter() - started)
    if tag:
        store.tag(tag, result.version.id)
        console.print(f"  tagged [bold]{tag}[/]")
    if as_json:
        typer.echo(json.dumps({**version_summary(result.version), "cached": result.cached,
                               "funnel": result.version.manifest["funnel"]}, indent=2))
    else:
        typer.echo(result.version.id)


def fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
