"""`medcurate fetch pmc`: download PMC articles for ingest."""
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from medcurate.cli.app import sub_app
from medcurate.cli.common import fail
from medcurate.fetch.jobs import FetchOptions
from medcurate.fetch.layout import DEFAULT_BASE_URL, DEFAULT_GROUPS, load_layout
from medcurate.fetch.pmc import fetch_ids, fetch_since_last
from medcurate.fetch.report import print_report

fetch_app = sub_app("fetch", "Download raw inputs for ingest (PMC Open Access articles).", no_args_is_help=True)


@fetch_app.command("pmc")
def fetch_pmc(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to download into; then run "
                                      "`medcurate ingest pmc OUT`.")] = Path("pmc-oa"),
    ids: Annotated[Optional[str], typer.Option(help="PMCIDs, comma separated: PMC123 (its newest version), "
                                               "PMC456.2 (that version).")] = None,
    ids_file: Annotated[Optional[Path], typer.Option(help="A file of PMCIDs, one a line (# comments).")] = None,
    since_last: Annotated[bool, typer.Option("--since-last", help="Fetch what changed since the previous "
                                             "--since-last run into OUT (cloud: the daily inventory; legacy: "
                                             "the groups' file lists).")] = False,
    since: Annotated[Optional[str], typer.Option(help="With --since-last: start after this time instead "
                                                 "(\"YYYY-MM-DD HH:MM:SS\", UTC; a date alone works).")] = None,
    layout: Annotated[str, typer.Option(help="cloud (today's per-article-version layout), legacy (the "
                                        "per-licence-group one, removed by PMC in August 2026), or a YAML file "
                                        "naming one and overriding its key templates.")] = "cloud",
    groups: Annotated[str, typer.Option(help="Licence groups: comm, noncomm, other (the Open Access subset); "
                                        "cloud also manuscript (author manuscripts outside it), legacy also a "
                                        "bucket folder name such as phe_timebound.")] = ",".join(DEFAULT_GROUPS),
    text: Annotated[bool, typer.Option("--text", help="Cloud layout: also download each article's plain-text "
                                       "version (ingest reads the XML).")] = False,
    base_url: Annotated[str, typer.Option(help="The bucket over HTTPS, or a mirror.")] = DEFAULT_BASE_URL,
    prefix: Annotated[Optional[str], typer.Option(help="Key prefix in the bucket, e.g. deprecated/ for "
                                                  "PMC's moved legacy layout.")] = None,
    workers: Annotated[int, typer.Option(help="Downloads in flight.")] = 4,
    retries: Annotated[int, typer.Option(help="Retries per file on connection loss, 429 and 5xx.")] = 4,
    backoff: Annotated[float, typer.Option(help="Seconds before the first retry; doubles each time.")] = 1.0,
):
    """Download PMC articles from the PMC Cloud Service over HTTPS (no credentials): resumable, checksummed.

    Prints the output folder on stdout; exits 1 when some files failed (they are listed with reasons).
    """
    if since_last == bool(ids or ids_file):
        fail("give --ids / --ids-file, or --since-last")
    options = FetchOptions(out, base_url, tuple(g.strip() for g in groups.split(",") if g.strip()),
                           load_layout(layout, prefix), workers, retries, backoff, text)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if since_last:
        report = fetch_since_last(options, since)
    else:
        listed = (ids or "").split(",") + (ids_file.read_text().splitlines() if ids_file else [])
        report = fetch_ids(options, [i for i in (x.split("#")[0].strip() for x in listed) if i])
    print_report(report, str(out), time.perf_counter() - started)
    typer.echo(str(out))
    if report.by_status("failed"):
        raise typer.Exit(1)
