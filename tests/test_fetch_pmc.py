"""`medcurate fetch pmc` against a real HTTP server on 127.0.0.1 laid out like the PMC Cloud Service bucket.

The server serves a temp folder filled at test time with real articles from ../shared/data: either in
today's per-article-version layout (`service`: PMCID.V/ folders with XML, text and metadata JSON, the
`metadata/` copies and a daily S3 inventory report) or in the legacy per-group layout (`bucket`, with
file lists). Like S3 it sends an MD5 ETag, honours `Range: bytes=N-` and answers ListObjectsV2 listings
(`?list-type=2&prefix=...&delimiter=/`, paged with continuation tokens).
"""
import csv
import gzip
import hashlib
import json
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest
from test_ingest_pmc_packages import versioned
from typer.testing import CliRunner

from medcurate.cli import app
from medcurate.errors import UsageError
from medcurate.fetch.layout import CloudLayout, LegacyLayout, load_layout
from medcurate.fetch.pmc import FETCHED_LIST, FetchOptions, fetch_ids, fetch_since_last
from medcurate.fetch.state import load_marks
from medcurate.store import VersionStore
from medcurate.supersede import SUPERSEDED

COMM = ["PMC10200000", "PMC10300000", "PMC6000000"]
NONCOMM = ["PMC10000000"]
HEADER = ["Key", "ETag", "Article Citation", "AccessionID", "Last Updated UTC (YYYY-MM-DD HH:MM:SS)", "PMID",
          "License", "Retracted"]
runner = CliRunner()


class BucketHandler(SimpleHTTPRequestHandler):
    ranges: list[str] = []
    broken: set[str] = set()      # keys answered with 503, every time
    page: int = 1000              # keys + prefixes per listing page, as S3's max-keys

    def do_GET(self):
        if parse_qs(urlsplit(self.path).query).get("list-type") == ["2"]:
            self._list(parse_qs(urlsplit(self.path).query))
        else:
            self._serve(body=True)

    def do_HEAD(self):
        self._serve(body=False)

    def _list(self, query: dict):
        """ListObjectsV2 with a delimiter: the keys and "folders" right under the prefix, one page at a time."""
        root, prefix = Path(self.directory), query.get("prefix", [""])[0]
        keys = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        under = sorted({prefix + k[len(prefix):].split("/")[0] + ("/" if "/" in k[len(prefix):] else "")
                        for k in keys if k.startswith(prefix)})
        start = int(query.get("continuation-token", ["0"])[0])
        shown, more = under[start:start + self.page], start + self.page < len(under)
        body = "".join(f"<CommonPrefixes><Prefix>{escape(k)}</Prefix></CommonPrefixes>" if k.endswith("/")
                       else f"<Contents><Key>{escape(k)}</Key></Contents>" for k in shown)
        token = f"<NextContinuationToken>{start + self.page}</NextContinuationToken>" if more else ""
        data = (f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/'
                f'2006-03-01/"><Prefix>{escape(prefix)}</Prefix><IsTruncated>{str(more).lower()}</IsTruncated>'
                f"{body}{token}</ListBucketResult>").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _serve(self, body: bool):
        path = Path(self.translate_path(self.path))
        if urlsplit(self.path).path.lstrip("/") in self.broken:
            self.send_error(503)
            return
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        if match := re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", "")):
            start = int(match.group(1))
            type(self).ranges.append(self.headers["Range"])
            if start >= len(data):
                self.send_error(416)
                return
        self.send_response(206 if start else 200)
        self.send_header("ETag", f'"{hashlib.md5(data).hexdigest()}"')
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if body:
            self.wfile.write(data[start:])

    def log_message(self, *args):
        pass


class Bucket:
    def __init__(self, root: Path, source: Path):
        self.root, self.source, self.rows = root, source, {"oa_comm": [], "oa_noncomm": []}

    def add(self, folder: str, pmcid: str, updated: str) -> bytes:
        data = (self.source / f"{pmcid}.xml").read_bytes()
        key = f"{folder}/xml/all/{pmcid}.xml"
        (self.root / key).parent.mkdir(parents=True, exist_ok=True)
        (self.root / key).write_bytes(data)
        licence = "CC BY" if folder == "oa_comm" else "CC BY-NC"
        self.rows[folder].append([key, hashlib.md5(data).hexdigest(), "Citation", pmcid, updated, "", licence, "no"])
        self.write_lists()
        return data

    def write_lists(self):
        for folder, rows in self.rows.items():
            path = self.root / f"{folder}/xml/metadata/csv/{folder}.filelist.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", newline="") as fh:
                csv.writer(fh).writerows([HEADER, *rows])


def serve(root: Path):
    """A threaded HTTP server on a free port for `root`; yields (url, its handler class)."""
    root.mkdir(parents=True, exist_ok=True)
    handler = type("Handler", (BucketHandler,), {"ranges": [], "broken": set()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(root)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def bucket(tmp_path, shared_data):
    root = tmp_path / "bucket"
    b = Bucket(root, shared_data / "pmc_jats" / "pubmed_client_fixtures")
    for i, pmcid in enumerate(COMM):
        b.add("oa_comm", pmcid, f"2026-01-0{i + 1} 10:00:00")
    b.add("oa_noncomm", NONCOMM[0], "2026-01-02 12:00:00")
    for b.url, b.handler in serve(root):
        yield b


def options(bucket, out: Path, **kw) -> FetchOptions:
    """Fetch options for the legacy `bucket` (or, with layout=CloudLayout(), the `service`)."""
    return FetchOptions(out, bucket.url, retries=1, backoff=0.01, **{"layout": LegacyLayout(), **kw})


def statuses(report) -> dict[str, str]:
    return {r.key.rsplit("/", 1)[-1].removesuffix(".xml"): r.status for r in report.results}


def test_fetch_by_ids_finds_each_group_and_reports_a_404(bucket, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["fetch", "pmc", "--out", str(out), "--base-url", bucket.url, "--backoff", "0.01",
                                 "--layout", "legacy", "--ids", "PMC10200000,10000000,PMC999999999"])
    assert result.exit_code == 1, result.output               # one failure -> exit 1, after the summary
    assert result.stdout.strip() == str(out)
    assert "2 downloaded" in result.stderr and "1 failed" in result.stderr
    assert "PMC999999999: not found in groups comm, noncomm, other (404)" in result.stderr
    key = "oa_comm/xml/all/PMC10200000.xml"
    assert (out / key).read_bytes() == (bucket.root / key).read_bytes()
    assert (out / "oa_noncomm/xml/all/PMC10000000.xml").exists()
    again = fetch_ids(options(bucket, out), ["PMC10200000", "PMC10000000"])
    assert set(statuses(again).values()) == {"skipped"}     # present, checksum matches the ETag: not refetched


def test_since_last_fetches_only_new_entries_the_second_time(bucket, tmp_path):
    out = tmp_path / "out"
    first = fetch_since_last(options(bucket, out, groups=("comm", "noncomm")))
    assert statuses(first) == {p: "downloaded" for p in COMM + NONCOMM}
    assert first.marks == {"oa_comm": "2026-01-03 10:00:00", "oa_noncomm": "2026-01-02 12:00:00"}
    bucket.add("oa_comm", "PMC6500000", "2026-02-01 08:00:00")
    second = fetch_since_last(options(bucket, out, groups=("comm", "noncomm")))
    assert statuses(second) == {"PMC6500000": "downloaded"}
    assert second.marks["oa_comm"] == "2026-02-01 08:00:00"
    with open(out / FETCHED_LIST, newline="") as fh:
        assert sorted(r["AccessionID"] for r in csv.DictReader(fh)) == sorted(COMM + NONCOMM + ["PMC6500000"])
    assert fetch_since_last(options(bucket, out, groups=("comm", "noncomm"))).results == []


def test_a_killed_download_resumes_from_its_part_file(bucket, tmp_path):
    out = tmp_path / "out"
    key = "oa_comm/xml/all/PMC10300000.xml"
    data = (bucket.root / key).read_bytes()
    part = out / (key + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:30_000])                            # what a killed run left behind
    report = fetch_ids(options(bucket, out), ["PMC10300000"])
    assert [(r.status, r.reason) for r in report.results] == [("downloaded", "resumed")]
    assert bucket.handler.ranges == ["bytes=30000-"]
    assert (out / key).read_bytes() == data and not part.exists()


def test_a_checksum_mismatch_is_reported_and_not_kept(bucket, tmp_path):
    out = tmp_path / "out"
    key = bucket.root / "oa_comm/xml/all/PMC6000000.xml"
    key.write_bytes(key.read_bytes().replace(b"</article>", b"<!-- changed --></article>"))  # the list: old MD5
    report = fetch_since_last(options(bucket, out, groups=("comm",)))
    failed = [r for r in report.results if r.status == "failed"]
    assert [r.key for r in failed] == ["oa_comm/xml/all/PMC6000000.xml"]
    assert "checksum mismatch" in failed[0].reason
    assert not (out / "oa_comm/xml/all/PMC6000000.xml").exists()
    assert not list(out.rglob("*.part"))
    assert report.marks["oa_comm"] == "2026-01-02 10:00:00"   # stops before the failure: retried next run


def test_the_fetched_folder_ingests(bucket, tmp_path):
    out, store = tmp_path / "out", tmp_path / "store"
    fetch_since_last(options(bucket, out, groups=("comm", "noncomm")))
    result = runner.invoke(app, ["ingest", "pmc", str(out), "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    assert '"documents": 3' in result.stdout                  # and PMC10000000, title only, dropped
    docs = VersionStore(str(store)).list()[0].read("documents").to_pylist()
    assert {d["retracted"] for d in docs} == {False}           # PMC states it in the file list, not in the XML


# --- today's layout: the PMC Cloud Service's article-version folders and daily inventory ---------------

INVENTORY = "inventory-reports/pmc-oa-opendata/metadata/"


class Service:
    """The bucket as the README (section 4) lays it out: PMCID.V/PMCID.V.{xml,txt,json}, metadata/PMCID.V.json,
    and inventory reports (manifest.json -> data/*.csv.gz of bucket, key, last modified, ETag)."""

    def __init__(self, root: Path, shared_data: Path):
        self.root, self.shared_data, self.modified = root, shared_data, {}

    def add(self, pmcid: str, version: int, modified: str, licence: str = "CC BY", open_access: bool = True) -> bytes:
        """Version `version` of the real article `pmcid` (its text says which version it is)."""
        name = f"{pmcid}.{version}"
        xml = versioned(self.shared_data, version, source=f"pubmed_client_fixtures/{pmcid}.xml")
        text = b"Plain text of " + name.encode()
        (self.root / name).mkdir(parents=True, exist_ok=True)
        (self.root / name / f"{name}.xml").write_bytes(xml)
        (self.root / name / f"{name}.txt").write_bytes(text)
        record = {"pmcid": pmcid, "version": version, "pmid": None, "doi": None, "title": "t", "citation": "c",
                  "is_pmc_openaccess": open_access, "is_manuscript": not open_access, "is_historical_ocr": False,
                  "is_retracted": False, "license_code": licence,
                  "xml_url": f"s3://pmc-oa-opendata/{name}/{name}.xml?md5={hashlib.md5(xml).hexdigest()}",
                  "text_url": f"s3://pmc-oa-opendata/{name}/{name}.txt?md5={hashlib.md5(text).hexdigest()}",
                  "pdf_url": None, "media_urls": []}
        for path in (self.root / name / f"{name}.json", self.root / "metadata" / f"{name}.json"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(record, indent=2))
        self.modified[f"metadata/{name}.json"] = modified
        return xml

    def publish(self, stamp: str) -> None:
        """Today's inventory report, named by when its scan began ("2026-01-18T01-00Z")."""
        rows = [["pmc-oa-opendata", key, modified, hashlib.md5((self.root / key).read_bytes()).hexdigest()]
                for key, modified in sorted(self.modified.items())]
        data = self.root / INVENTORY / "data" / f"{stamp}.csv.gz"
        data.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(data, "wt", newline="") as fh:
            csv.writer(fh, quoting=csv.QUOTE_ALL).writerows(rows)
        manifest = {"sourceBucket": "pmc-oa-opendata", "destinationBucket": "arn:aws:s3:::pmc-oa-opendata",
                    "version": "2016-11-30", "fileFormat": "CSV", "fileSchema": "Bucket, Key, LastModifiedDate, ETag",
                    "files": [{"key": data.relative_to(self.root).as_posix(), "size": data.stat().st_size,
                               "MD5checksum": hashlib.md5(data.read_bytes()).hexdigest()}]}
        (self.root / INVENTORY / stamp).mkdir(parents=True)
        (self.root / INVENTORY / stamp / "manifest.json").write_text(json.dumps(manifest))
        (self.root / INVENTORY / "hive" / f"dt={stamp}").mkdir(parents=True)


@pytest.fixture
def service(tmp_path, shared_data):
    s = Service(tmp_path / "service", shared_data)
    s.add("PMC10777901", 1, "2026-01-05T09:00:00.000Z")
    s.add("PMC10777901", 2, "2026-01-08T11:47:59.000Z")
    s.add("PMC10200000", 1, "2026-01-06T10:00:00.000Z")
    s.add("PMC10300000", 1, "2026-01-07T10:00:00.000Z", licence="CC BY-NC-ND")
    s.add("PMC6000000", 1, "2026-01-07T12:00:00.000Z", licence="TDM", open_access=False)
    s.publish("2026-01-09T01-00Z")
    for s.url, s.handler in serve(s.root):
        yield s


def cloud(service, out: Path, **kw) -> FetchOptions:
    return options(service, out, layout=CloudLayout(), **kw)


def fetched(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(out).parts)}


def test_by_id_the_newest_version_with_its_metadata(service, tmp_path):
    out = tmp_path / "out"
    service.handler.page = 1                     # the version listing comes in pages: follow the tokens
    result = runner.invoke(app, ["fetch", "pmc", "--out", str(out), "--base-url", service.url, "--ids", "PMC10777901"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out) and "1 downloaded" in result.stderr
    assert fetched(out) == {"PMC10777901.2/PMC10777901.2.xml", "PMC10777901.2/PMC10777901.2.json"}
    for name in fetched(out):
        assert (out / name).read_bytes() == (service.root / name).read_bytes()
    again = fetch_ids(cloud(service, out), ["PMC10777901"])
    assert [(r.key, r.status) for r in again.results] == [("PMC10777901.2", "skipped")]   # checksums match


def test_by_id_a_named_version_and_its_text(service, tmp_path):
    out = tmp_path / "out"
    report = fetch_ids(cloud(service, out, text=True), ["PMC10777901.1", "10200000"])
    versions = ("PMC10777901.1", "PMC10200000.1")
    assert {(r.key, r.status) for r in report.results} == {(v, "downloaded") for v in versions}
    assert fetched(out) == {f"{v}/{v}.{ext}" for v in versions for ext in ("xml", "txt", "json")}


def test_by_id_failures_have_reasons_and_exit_1(service, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["fetch", "pmc", "--out", str(out), "--base-url", service.url, "--backoff", "0.01",
                                 "--groups", "comm,noncomm", "--ids",
                                 "PMC10200000,PMC999999999,PMC10777901.7,PMC6000000"])
    assert result.exit_code == 1, result.output
    assert "1 downloaded" in result.stderr and "3 failed" in result.stderr
    assert "PMC999999999: no article version listed under 'PMC999999999.'" in result.stderr
    assert "PMC10777901.7: metadata JSON not found (404)" in result.stderr
    assert "PMC6000000.1: licence group manuscript not among --groups" in result.stderr   # not in the OA subset
    assert fetched(out) == {"PMC10200000.1/PMC10200000.1.xml", "PMC10200000.1/PMC10200000.1.json"}
    assert runner.invoke(app, ["fetch", "pmc", "--out", str(out), "--ids", "PMC12x"]).exit_code == 2


def test_since_last_twice_the_second_run_fetches_only_what_changed(service, tmp_path):
    out = tmp_path / "out"
    first = fetch_since_last(cloud(service, out))
    assert {(r.key, r.status) for r in first.results} == {
        ("PMC10777901.1", "excluded"), ("PMC10777901.2", "downloaded"),      # only the newest changed version
        ("PMC10200000.1", "downloaded"), ("PMC10300000.1", "downloaded"),
        ("PMC6000000.1", "excluded")}                                         # an author manuscript, not OA
    assert load_marks(out) == {"inventory": "2026-01-08T11:47:59.000Z"}
    assert not (out / "PMC6000000.1").exists() and not (out / "PMC10777901.1").exists()

    service.add("PMC10200000", 2, "2026-01-12T08:00:00.000Z")                # a new version of a fetched article
    service.add("PMC10400000", 1, "2026-01-12T09:30:00.000Z")
    assert fetch_since_last(cloud(service, out)).results == []               # today's report not out yet
    service.publish("2026-01-13T01-00Z")
    second = fetch_since_last(cloud(service, out))
    assert {(r.key, r.status) for r in second.results} == {("PMC10200000.2", "downloaded"),
                                                           ("PMC10400000.1", "downloaded")}
    assert second.marks == {"inventory": "2026-01-12T09:30:00.000Z"}
    assert {"PMC10200000.1/PMC10200000.1.xml", "PMC10200000.2/PMC10200000.2.xml"} <= fetched(out)
    assert [p.name for p in (out / ".inventory").iterdir()] == ["2026-01-13T01-00Z"]    # older reports removed
    assert fetch_since_last(cloud(service, out)).results == []


def test_the_mark_stays_below_the_start_of_the_inventory_scan(service, tmp_path):
    service.add("PMC10400000", 1, "2026-01-13T01:20:00.000Z")   # changed mid-scan
    service.publish("2026-01-13T01-00Z")
    out = tmp_path / "out"
    assert fetch_since_last(cloud(service, out), since="2026-01-10").marks["inventory"] == "2026-01-13T01:00:00.000Z"
    again = fetch_since_last(cloud(service, out))
    assert [(r.key, r.status) for r in again.results] == [("PMC10400000.1", "skipped")]   # checked, not refetched


def test_a_failed_download_is_reported_retried_and_holds_the_mark(service, tmp_path):
    out = tmp_path / "out"
    xml = service.root / "PMC10300000.1" / "PMC10300000.1.xml"
    xml.write_bytes(xml.read_bytes() + b"<!-- changed after its MD5 was published -->")
    service.handler.broken.add("PMC10200000.1/PMC10200000.1.xml")
    result = runner.invoke(app, ["fetch", "pmc", "--since-last", "--out", str(out), "--base-url", service.url,
                                 "--retries", "1", "--backoff", "0.01"])
    assert result.exit_code == 1 and "2 failed" in result.stderr, result.output
    assert "PMC10200000.1: xml: HTTP 503 (after 2 attempts)" in result.stderr
    assert re.search(r"PMC10300000\.1: xml: checksum mismatch: MD5 [0-9a-f]{32}, expected", result.stderr)
    assert not (out / "PMC10300000.1" / "PMC10300000.1.xml").exists() and not list(out.rglob("*.part"))
    assert load_marks(out) == {"inventory": "2026-01-05T09:00:00.000Z"}      # before the first failure (Jan 6)
    service.handler.broken.clear()
    service.add("PMC10300000", 1, "2026-01-07T10:00:00.000Z")    # the XML as published
    retried = fetch_since_last(cloud(service, out))
    assert {(r.key, r.status) for r in retried.results} == {
        ("PMC10200000.1", "downloaded"), ("PMC10300000.1", "downloaded"), ("PMC6000000.1", "excluded"),
        ("PMC10777901.2", "skipped")}


def test_a_report_still_being_written_is_passed_over(service, tmp_path):
    (service.root / INVENTORY / "2026-01-10T01-00Z").mkdir(parents=True)
    (service.root / INVENTORY / "2026-01-10T01-00Z" / "manifest.checksum").write_text("0" * 32)
    report = fetch_since_last(cloud(service, tmp_path / "out"))
    assert len(report.by_status("downloaded")) == 3


def test_the_fetched_cloud_folder_ingests_one_article_per_pmcid_the_newest_version(service, tmp_path):
    out = tmp_path / "out"
    fetch_ids(cloud(service, out), ["PMC10777901.1", "PMC10777901.2", "PMC10200000"])
    result = runner.invoke(app, ["ingest", "pmc", str(out), "--store", str(tmp_path / "store"), "--json"])
    assert result.exit_code == 0, result.output
    version = VersionStore(str(tmp_path / "store")).list()[0]
    docs = {d["pmcid"]: d for d in version.read("documents").to_pylist()}
    assert set(docs) == {"PMC10777901", "PMC10200000"}
    text = docs["PMC10777901"]["text"]
    assert "Text of version 2." in text and "Text of version 1." not in text
    assert version.manifest["funnel"]["dropped"] == {SUPERSEDED: 1}
    assert docs["PMC10200000"]["license"] and docs["PMC10200000"]["retracted"] is False   # from the metadata JSON


def test_layouts_by_name_or_file(tmp_path):
    assert load_layout() == CloudLayout() and load_layout("legacy", "deprecated/") == LegacyLayout("deprecated/")
    mirror = tmp_path / "mirror.yaml"
    mirror.write_text("layout: cloud\nprefix: pmc/\n")
    assert load_layout(str(mirror)).metadata_key("PMC1", 2) == "pmc/metadata/PMC1.2.json"
    old = tmp_path / "old.yaml"
    old.write_text("prefix: deprecated/\n")                                  # files written for the legacy layout
    assert load_layout(str(old)) == LegacyLayout("deprecated/")
    old.write_text("layout: cloud\nfilelist: x\n")
    with pytest.raises(UsageError, match="unknown key"):
        load_layout(str(old))
    with pytest.raises(UsageError, match="no versions"):
        fetch_ids(FetchOptions(tmp_path, layout=LegacyLayout()), ["PMC1.2"])


def test_a_version_changed_after_the_inventory_was_taken_is_fetched_as_it_is_now(service, tmp_path):
    service.add("PMC10200000", 1, "2026-01-06T10:00:00.000Z", licence="CC BY-NC")  # the JSON changed since
    out = tmp_path / "out"
    report = fetch_since_last(cloud(service, out, groups=("noncomm",)))
    assert {(r.key, r.status) for r in report.results if r.status != "excluded"} == {
        ("PMC10200000.1", "downloaded"), ("PMC10300000.1", "downloaded")}
    assert json.loads((out / "PMC10200000.1" / "PMC10200000.1.json").read_text())["license_code"] == "CC BY-NC"
    with pytest.raises(UsageError, match="groups"):
        fetch_since_last(cloud(service, out, groups=("oa_comm",)))


def test_a_mirror_under_a_prefix(service, tmp_path):
    out = tmp_path / "out"
    for url, _ in serve(tmp_path):                     # the whole bucket under "service/" on another server
        mirror = FetchOptions(out, url, layout=load_layout("cloud", "service/"), retries=1, backoff=0.01)
        assert len(fetch_since_last(mirror).by_status("downloaded")) == 3
        assert [r.status for r in fetch_ids(mirror, ["PMC10777901"]).results] == ["skipped"]
    assert "PMC10777901.2/PMC10777901.2.xml" in fetched(out)
