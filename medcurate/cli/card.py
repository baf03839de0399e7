"""`medcurate card REF`: a dataset card for a version."""
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from medcurate.card import write_card
from medcurate.cli.app import app
from medcurate.cli.common import StoreOpt, open_store, resolve_version
from medcurate.console import console


@app.command()
def card(
    ref: Annotated[str, typer.Argument(help="Version id, prefix or tag.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write here instead of into the "
                                                "version's folder.")] = None,
    store: StoreOpt = None,
):
    """Write a dataset card (README.md with Hugging Face metadata, plus PNG plots) for a version.

    Prints the README path on stdout.
    """
    st = open_store(store)
    version = resolve_version(st, ref)
    started = time.perf_counter()
    readme = write_card(st, version.id, str(out) if out else None)
    console.print(f"card for {version.id} written in {time.perf_counter() - started:.1f}s")
    typer.echo(readme)
