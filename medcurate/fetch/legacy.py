"""`medcurate fetch pmc --layout legacy`: the per-licence-group layout PMC moved under `deprecated/` in April
2026 and removes in August 2026, kept for mirrors and for the months in between.

By id, each id is looked for in the licence groups in order (the layout has no id-to-group index).
With `since_last`, each group's file list says what changed after the previous run's high-water mark;
the mark only moves past entries that are on disk, so a failed entry is tried again next time. The
file-list rows of what was fetched go to `fetched.filelist.csv`, which gives ingest the PMID, licence
and retraction status.
"""
import csv
import os
from pathlib import Path

from medcurate.errors import UsageError
from medcurate.fetch.download import Downloader, Result
from medcurate.fetch.filelist import Entry, read_entries
from medcurate.fetch.jobs import FetchOptions, FetchReport, downloader, high_water, run_jobs
from medcurate.fetch.layout import folder
from medcurate.fetch.state import load_marks, save_marks

FETCHED_LIST = "fetched.filelist.csv"
LISTS_DIR = ".filelists"          # the groups' full file lists: hidden, too big for ingest to read whole


def fetch_ids(options: FetchOptions, ids: list[tuple[str, int | None]]) -> FetchReport:
    if named := [f"{pmcid}.{version}" for pmcid, version in ids if version is not None]:
        raise UsageError(f"the legacy layout has one file per article, no versions: {', '.join(named)}")
    pmcids = list(dict.fromkeys(pmcid for pmcid, _ in ids))
    with downloader(options) as dl:
        return FetchReport(run_jobs(options, pmcids, lambda pmcid: _fetch_one_id(dl, options, pmcid)))


def fetch_since_last(options: FetchOptions, since: str | None = None) -> FetchReport:
    """Entries of the groups' file lists updated after the last run's mark (or after `since`)."""
    marks = load_marks(options.out_dir)
    report = FetchReport(marks=dict(marks))
    with downloader(options) as dl:
        for group in options.groups:
            name = folder(group)
            key = options.layout.filelist_key(group)
            local = options.out_dir / LISTS_DIR / Path(key).name
            listed = dl.fetch(key, local)
            if listed.status in ("missing", "failed"):
                report.results.append(Result(key, "failed", f"file list: {listed.reason}"))
                continue
            mark = since or marks.get(name, "")
            entries = sorted((e for e in read_entries(local) if e.last_updated > mark), key=lambda e: e.last_updated)
            results = run_jobs(options, entries, lambda e: _listed(dl.fetch(e.key, options.out_dir / e.key, e.etag)))
            report.results += results
            _record_fetched(options.out_dir, [e for e, r in zip(entries, results) if r.status != "failed"])
            report.marks[name] = high_water(entries, results, mark)
    save_marks(options.out_dir, report.marks)
    return report


def _listed(result: Result) -> Result:
    """A key the file list names but the bucket does not have is a failure, not a probe's miss."""
    return Result(result.key, "failed", f"listed but {result.reason}") if result.status == "missing" else result


def _fetch_one_id(dl: Downloader, options: FetchOptions, pmcid: str) -> Result:
    for group in options.groups:
        key = options.layout.article_key(group, pmcid)
        result = dl.fetch(key, options.out_dir / key)
        if result.status != "missing":
            return result
    return Result(pmcid, "failed", f"not found in groups {', '.join(options.groups)} (404)")


def _record_fetched(out_dir: Path, entries: list[Entry]) -> None:
    """Merge the entries' file-list rows into `fetched.filelist.csv` (one row per accession)."""
    if not entries:
        return
    path = out_dir / FETCHED_LIST
    rows: dict[str, dict] = {}
    header = list(entries[0].row)
    if path.exists():
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or header
            rows = {_accession(row): row for row in reader}
    rows |= {e.pmcid: e.row for e in entries}
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows.values())
    os.replace(tmp, path)


def _accession(row: dict) -> str:
    return next((v for k, v in row.items() if k and k.replace(" ", "").lower() == "accessionid"), "")
