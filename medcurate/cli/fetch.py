"""`medcurate fetch pmc`: download PMC Open Access articles for ingest."""
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from medcurate.cli.app import sub_app
from medcurate.cli.common import fail
from medcurate.fetch.layout import DEFAULT_BASE_URL, DEFAULT_GROUPS, Layout
from medcurate.fetch.pmc import FetchOptions, fetch_ids, fetch_since_last
from medcurate.fetch.report import print_report

fetch_app = sub_app("fetch", "Download raw inputs for ingest (PMC Open Access articles).", no_args_is_help=True)


@fetch_app.command("pmc")
def fetch_pmc(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to download into; then run "
                                      "`medcurate ingest pmc OUT`.")] = Path("pmc-oa"),
    ids: Annotated[Optional[str], typer.Option(help="PMCIDs, comma separated: PMC123,PMC456.")] = None,
    ids_file: Annotated[Optional[Path], typer.Option(help="A file of PMCIDs, one a line (# comments).")] = None,
    since_last: Annotated[bool, typer.Option("--since-last", help="Fetch the file-list entries updated since "
                                             "the previous --since-last run into OUT.")] = False,
    since: Annotated[Optional[str], typer.Option(help="With --since-last: start after this time instead "
                                                 "(\"YYYY-MM-DD HH:MM:SS\", UTC; a date alone works).")] = None,
    groups: Annotated[str, typer.Option(help="Licence groups: comm, noncomm, other (or a bucket folder "
                                        "name such as phe_timebound).")] = ",".join(DEFAULT_GROUPS),
    base_url: Annotated[str, typer.Option(help="The bucket over HTTPS, or a mirror.")] = DEFAULT_BASE_URL,
    prefix: Annotated[Optional[str], typer.Option(help="Key prefix in the bucket, e.g. deprecated/ for "
                                                  "PMC's moved legacy layout.")] = None,
    layout: Annotated[Optional[Path], typer.Option(help="YAML with prefix / article / filelist key "
                                                   "templates, for a changed bucket layout.")] = None,
    workers: Annotated[int, typer.Option(help="Downloads in flight.")] = 4,
    retries: Annotated[int, typer.Option(help="Retries per file on connection loss, 429 and 5xx.")] = 4,
    backoff: Annotated[float, typer.Option(help="Seconds before the first retry; doubles each time.")] = 1.0,
):
    """Download PMC Open Access articles over HTTPS (no credentials): resumable, checksummed.

    Prints the output folder on stdout; exits 1 when some files failed (they are listed with reasons).
    """
    if since_last == bool(ids or ids_file):
        fail("give --ids / --ids-file, or --since-last")
    options = FetchOptions(out, base_url, tuple(g.strip() for g in groups.split(",") if g.strip()),
                           Layout.from_file(layout and str(layout), prefix), workers, retries, backoff)
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


