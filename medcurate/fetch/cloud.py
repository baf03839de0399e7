"""`medcurate fetch pmc` on the PMC Cloud Service's per-article-version layout (medcurate.fetch.layout).

Each article version lands in its own folder under --out, as in the bucket: `PMC123.2/PMC123.2.json`
(the metadata JSON: PMID, licence code, retraction flag, each object's MD5) and `PMC123.2/PMC123.2.xml`
(and `.txt` with --text). Every object is checked against the MD5 the service states for it: the
JSON's `md5=` for the XML and text, the response's ETag for the JSON (the JSON may have changed since the
inventory was taken; one already on disk is compared with the inventory's ETag first, so an unchanged
version costs no request).

By id, a bare PMCID means its newest version, found by listing the `PMC123.` prefixes; `PMC123.2` names
one. With `since_last`, the newest inventory report lists every metadata JSON with its last change; the
versions changed after the previous run's high-water mark are fetched (only the newest of an article's
changed versions), and the mark moves up to the first failure, never past the time the report's scan
began (a change during the scan may be listed with its old time), so nothing is missed in between.

The licence groups (--groups) come from each version's metadata: comm / noncomm / other are the Open
Access subset by licence (as PMC groups them), manuscript the author manuscripts outside it (text-mining
licence "TDM"). A version outside the groups is not kept (and reported excluded, or failed when asked by id).
"""
import json
import posixpath
import shutil
from dataclasses import replace

from medcurate.errors import UsageError
from medcurate.fetch.download import Downloader, Result, file_md5
from medcurate.fetch.inventory import Listed, changed_since, latest_report
from medcurate.fetch.jobs import FetchOptions, FetchReport, downloader, high_water, run_jobs
from medcurate.fetch.layout import CloudLayout
from medcurate.fetch.s3 import common_prefixes, s3_object
from medcurate.fetch.state import load_marks, save_marks
from medcurate.licences import license_group

MARK = "inventory"                   # the state file's key for this layout's high-water mark
INVENTORY_DIR = ".inventory"         # the report's data files: hidden from ingest
_GROUPS = {"commercial": "comm", "non-commercial": "noncomm", "other": "other"}
GROUPS = (*_GROUPS.values(), "manuscript")


def fetch_ids(options: FetchOptions, ids: list[tuple[str, int | None]]) -> FetchReport:
    _check_groups(options)
    with downloader(options) as dl:
        return FetchReport(run_jobs(options, ids, lambda item: _by_id(dl, options, *item)))


def fetch_since_last(options: FetchOptions, since: str | None = None) -> FetchReport:
    _check_groups(options)
    marks = load_marks(options.out_dir)
    report = FetchReport(marks=dict(marks))
    mark = since.replace(" ", "T") if since else marks.get(MARK, "")
    with downloader(options) as dl:
        inventory = latest_report(dl, options.layout)
        if isinstance(inventory, Result):
            report.results.append(inventory)
            return report
        local = options.out_dir / INVENTORY_DIR / posixpath.basename(inventory.folder.rstrip("/"))
        paths = []
        for key, md5 in inventory.files:       # bucket keys: under a mirror's prefix, like every key
            got = dl.fetch(options.layout.prefix + key, local / posixpath.basename(key), md5)
            if got.status in ("missing", "failed"):
                report.results.append(Result(key, "failed", f"inventory data file: {got.reason}"))
                return report
            paths.append(local / posixpath.basename(key))
        entries = _newest_versions(changed_since(paths, inventory, options.layout, mark))
        results = run_jobs(options, entries, lambda e: _listed(dl, options, e))
    report.results += results
    report.marks[MARK] = min(high_water(entries, results, mark), inventory.taken) if entries else mark
    save_marks(options.out_dir, report.marks)
    for old in (local.parent.iterdir() if local.parent.is_dir() else []):
        if old != local:
            shutil.rmtree(old)                # earlier reports: the newest lists everything
    return report


def _check_groups(options: FetchOptions) -> None:
    if unknown := [g for g in options.groups if g not in GROUPS]:
        raise UsageError(f"--groups {','.join(unknown)}: the cloud layout's groups are {', '.join(GROUPS)}")


def _by_id(dl: Downloader, options: FetchOptions, pmcid: str, version: int | None) -> Result:
    layout: CloudLayout = options.layout
    if version is None:
        listed = common_prefixes(dl, layout.versions_prefix(pmcid))
        if isinstance(listed, Result):
            return Result(pmcid, "failed", listed.reason)
        versions = [v for p in listed if (v := layout.version_of_folder(pmcid, p)) is not None]
        if not versions:
            return Result(pmcid, "failed", f"no article version listed under {layout.versions_prefix(pmcid)!r}")
        version = max(versions)
    return _fetch_version(dl, options, pmcid, version, None, asked=True)


def _listed(dl: Downloader, options: FetchOptions, entry: Listed) -> Result:
    if entry.superseded:
        return Result(f"{entry.pmcid}.{entry.version}", "excluded", "a newer version of it is listed too")
    return _fetch_version(dl, options, entry.pmcid, entry.version, entry.etag, asked=False)


def _fetch_version(dl: Downloader, options: FetchOptions, pmcid: str, version: int, md5: str | None,
                   asked: bool) -> Result:
    """One article version: its metadata JSON, then (if its licence group is wanted) its XML and text."""
    layout: CloudLayout = options.layout
    name, folder = f"{pmcid}.{version}", options.out_dir / layout.folder(pmcid, version)
    meta_path, key = folder / layout.file_name(pmcid, version, "json"), layout.metadata_key(pmcid, version)
    if md5 and meta_path.is_file() and file_md5(meta_path) == md5:
        got = Result(key, "skipped", "already present, checksum matches")
    else:   # checked against the response's ETag: the JSON may have changed since the inventory was taken
        got = dl.fetch(key, meta_path)
    if got.status in ("missing", "failed"):
        # listed in yesterday's inventory but gone today: the rare removal the README mentions
        status = "missing" if got.status == "missing" and not asked else "failed"
        return Result(name, status, f"metadata JSON {got.reason}")
    try:
        meta = json.loads(meta_path.read_bytes())
        group = _group(meta)
    except (ValueError, AttributeError) as exc:
        meta_path.unlink()
        return Result(name, "failed", f"metadata JSON unreadable ({type(exc).__name__})")
    if group not in options.groups:
        meta_path.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()
        return Result(name, "failed" if asked else "excluded", f"licence group {group} not among --groups")
    files = [got]
    for ext, field in (("xml", "xml_url"), ("txt", "text_url"))[:2 if options.text else 1]:
        key, object_md5 = s3_object(meta.get(field)) or (layout.article_key(pmcid, version, ext), None)
        if key != posixpath.normpath(key) or posixpath.basename(key) in ("", "..", "."):
            return Result(name, "failed", f"metadata JSON: {field} is not an object key")
        result = dl.fetch(layout.prefix + key, folder / posixpath.basename(key), object_md5)
        files.append(Result(result.key, "failed", f"{ext}: {result.reason}")
                     if result.status in ("missing", "failed") else result)
    return _combined(name, files)


def _group(meta: dict) -> str:
    if meta.get("is_pmc_openaccess") is False:
        return "manuscript"
    return _GROUPS[license_group(meta.get("license_code"))]


def _combined(name: str, results: list[Result]) -> Result:
    """One result per article version: failed if any of its files failed, downloaded if any was."""
    if failed := [r for r in results if r.status == "failed"]:
        return Result(name, "failed", failed[0].reason)
    downloaded = [r for r in results if r.status == "downloaded"]
    if not downloaded:
        return Result(name, "skipped", "already present, checksums match")
    return Result(name, "downloaded", "resumed" if any(r.reason == "resumed" for r in downloaded) else "",
                  sum(r.bytes for r in downloaded))


def _newest_versions(entries: list[Listed]) -> list[Listed]:
    """Mark all but the newest of an article's changed versions superseded (they are not fetched)."""
    newest: dict[str, int] = {}
    for e in entries:
        newest[e.pmcid] = max(newest.get(e.pmcid, 0), e.version)
    return [e if newest[e.pmcid] == e.version else replace(e, superseded=True) for e in entries]
