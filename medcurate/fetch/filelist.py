"""The bucket's per-group file list as a download index: which key, its checksum, and when it changed.

(`stages/readers/pmc_filelist.py` reads the same lists for the article metadata ingest needs; this
reads the columns a downloader needs, which that one drops.) The lists run to millions of rows, so
they are streamed from disk.
"""
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcurate.errors import UsageError

_PMCID = re.compile(r"(?:PMC)?(\d+)", re.I)


@dataclass(frozen=True)
class Entry:
    key: str
    etag: str | None
    pmcid: str
    last_updated: str            # "YYYY-MM-DD HH:MM:SS" UTC: sorts as text
    row: dict                    # the list's own columns, written back beside the downloads for ingest


def _column(header: list[str], *names: str) -> str | None:
    for h in header:
        if re.sub(r"[^a-z]", "", h.split("(")[0].lower()) in names:
            return h
    return None


def read_entries(path: Path) -> Iterator[Entry]:
    """The list's entries. Raises ValueError when the Key or AccessionID column is missing."""
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        delimiter = "\t" if "\t" in fh.readline() else ","
        fh.seek(0)
        reader = csv.DictReader(fh, delimiter=delimiter)
        header = reader.fieldnames or []
        key, acc = _column(header, "key"), _column(header, "accessionid")
        etag, updated = _column(header, "etag"), _column(header, "lastupdatedutc", "lastupdated")
        if not key or not acc:
            raise UsageError(f"{path.name}: file list without Key/AccessionID columns (header: {header!r})")
        for row in reader:
            pmcid = _PMCID.fullmatch((row.get(acc) or "").strip())
            if pmcid and row.get(key):
                yield Entry(row[key].strip(), _value(row, etag).strip('"') or None, f"PMC{pmcid.group(1)}",
                            _value(row, updated), row)


def _value(row: dict, column: str | None) -> str:
    return (row.get(column) or "").strip() if column else ""
