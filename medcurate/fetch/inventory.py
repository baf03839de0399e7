"""The Cloud Service's daily S3 inventory of `metadata/`: every article version, when it last changed.

Per the bucket README (section 5.2) a report lives in a folder named by the time its scan began
(`.../metadata/2026-01-18T01-00Z/manifest.json`); its manifest lists gzipped CSV data files with their
MD5 and, as every S3 inventory manifest does, the CSV columns (`fileSchema`, e.g. "Bucket, Key,
LastModifiedDate, ETag"). A metadata JSON's LastModifiedDate and ETag change whenever any object of its
article version changes, since the JSON holds every object's MD5. Reports are kept 30 days.
"""
import csv
import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from medcurate.fetch.download import Downloader, Result
from medcurate.fetch.layout import CloudLayout
from medcurate.fetch.s3 import common_prefixes

_STAMP = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)Z/$")
_COLUMNS = ("Bucket", "Key", "LastModifiedDate", "ETag")   # the README's example rows, if a manifest says none


@dataclass(frozen=True)
class Report:
    folder: str                          # ".../metadata/2026-01-18T01-00Z/"
    taken: str                           # "2026-01-18T01:00:00.000Z": when its scan began, as LastModifiedDate reads
    files: list[tuple[str, str | None]]  # data files: key, MD5
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Listed:
    """One article version the inventory lists, by its metadata JSON."""
    pmcid: str
    version: int
    etag: str | None                     # the metadata JSON's MD5
    last_updated: str                    # LastModifiedDate, ISO 8601 UTC: sorts as text
    superseded: bool = False             # a newer version of the article is listed as changed too


def latest_report(dl: Downloader, layout: CloudLayout) -> Report | Result:
    """The newest report with a manifest (a report still being written has none yet)."""
    root = layout.prefix + layout.inventory
    listed = common_prefixes(dl, root)
    if isinstance(listed, Result):
        return Result(root, "failed", f"inventory: {listed.reason}")
    for folder in sorted((p for p in listed if _STAMP.search(p)), reverse=True):
        got = dl.read(folder + "manifest.json")
        if isinstance(got, Result) and got.status == "missing":
            continue
        if isinstance(got, Result):
            return Result(got.key, "failed", f"inventory manifest: {got.reason}")
        return _report(folder, got)
    return Result(root, "failed", "inventory: no report with a manifest.json under this prefix")


def _report(folder: str, data: bytes) -> Report | Result:
    try:
        manifest = json.loads(data)
        files = [(f["key"], f.get("MD5checksum")) for f in manifest["files"]]
    except (ValueError, KeyError, TypeError) as exc:
        return Result(folder + "manifest.json", "failed", f"inventory manifest unreadable: {exc!r}")
    if str(manifest.get("fileFormat", "CSV")).upper() != "CSV":
        return Result(folder + "manifest.json", "failed", f"inventory format {manifest['fileFormat']} (CSV expected)")
    columns = tuple(c.strip() for c in str(manifest.get("fileSchema") or ", ".join(_COLUMNS)).split(","))
    if not {"Key", "LastModifiedDate"} <= set(columns):
        return Result(folder + "manifest.json", "failed", f"inventory without Key/LastModifiedDate: {columns}")
    day, hour, minute = _STAMP.search(folder).groups()
    return Report(folder, f"{day}T{hour}:{minute}:00.000Z", files, columns)


def changed_since(paths: list[Path], report: Report, layout: CloudLayout, mark: str) -> list[Listed]:
    """Article versions whose metadata changed after `mark`, oldest change first."""
    key, modified = report.columns.index("Key"), report.columns.index("LastModifiedDate")
    etag = report.columns.index("ETag") if "ETag" in report.columns else None
    found = []
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                if len(row) <= max(key, modified) or row[modified] <= mark:
                    continue
                if version := layout.metadata_version(row[key]):
                    found.append(Listed(*version, row[etag].strip('"') if etag is not None else None, row[modified]))
    return sorted(found, key=lambda entry: entry.last_updated)
