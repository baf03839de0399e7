"""`medcurate audit phi`: scan a version or a whole store for identifiers before release."""
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from medcurate.audit import PHI, Roster, audit
from medcurate.cli.app import sub_app
from medcurate.cli.common import JsonOpt, StoreOpt, open_store, resolve_version
from medcurate.console import console
from medcurate.errors import UsageError

audit_app = sub_app("audit", "Check what the store holds before it is released.", no_args_is_help=True)


@audit_app.command("phi")
def audit_phi(
    ref: Annotated[Optional[str], typer.Argument(help="Version id, prefix or tag; omit to audit the whole store.")]
    = None,
    store: StoreOpt = None,
    known: Annotated[Optional[Path], typer.Option(help="A file of identifiers you hold (names, MRNs; one a line or "
                                                  "CSV cells): compared as salted hashes, never stored.")] = None,
    as_json: JsonOpt = False,
):
    """Scan every string of a version (or the whole store), its manifest, card, the LLM cache and review
    exports for identifiers; report location and category, never the value. Exits 1 on any PHI finding."""
    st = open_store(store)
    versions = [resolve_version(st, ref)] if ref else st.list()
    if known is not None and not known.is_file():
        raise UsageError(f"--known {known}: no such file")
    roster = Roster.from_file(known) if known else None
    report = audit(st, versions, roster)
    if as_json:
        typer.echo(json.dumps({**report.summary(), "locations": [vars(f) for f in report.findings]}, indent=2))
    _print(report, len(versions), roster)
    if report.phi:
        raise typer.Exit(1)


def _print(report, versions: int, roster: Roster | None) -> None:
    scanned = report.scanned
    console.print(f"audited {versions} version(s): {scanned['rows']:,} rows, {scanned['strings']:,} strings, "
                  f"{scanned['manifests']} manifests" + (f", {len(roster):,} known identifiers" if roster else ""))
    if not report.findings:
        console.print("[green]nothing found[/]")
        return
    table = Table(header_style="bold", box=None, padding=(0, 2))
    for column in ("severity", "category", "count", "first place"):
        table.add_column(column)
    first: dict = {}
    for finding in report.findings:
        first.setdefault((finding.severity, finding.category), finding.where)
    for item in report.summary()["findings"]:
        key = (item["severity"], item["category"])
        table.add_row(("[red]" if item["severity"] == PHI else "") + item["severity"], item["category"],
                      f"{item['count']:,}", first[key])
    console.print(table)
