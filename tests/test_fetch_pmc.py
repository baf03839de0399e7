"""`medcurate fetch pmc` against a real HTTP server on 127.0.0.1 laid out like the PMC OA bucket.

The server serves a temp folder filled at test time with real articles from ../shared/data and a file
list generated from them; like S3 it sends an MD5 ETag and honours `Range: bytes=N-`.
"""
import csv
import hashlib
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcurate.cli import app
from medcurate.fetch.pmc import FETCHED_LIST, FetchOptions, fetch_ids, fetch_since_last

COMM = ["PMC10200000", "PMC10300000", "PMC6000000"]
NONCOMM = ["PMC10000000"]
HEADER = ["Key", "ETag", "Article Citation", "AccessionID", "Last Updated UTC (YYYY-MM-DD HH:MM:SS)", "PMID",
          "License", "Retracted"]
runner = CliRunner()


class BucketHandler(SimpleHTTPRequestHandler):
    ranges: list[str] = []

    def do_GET(self):
        self._serve(body=True)

    def do_HEAD(self):
        self._serve(body=False)

    def _serve(self, body: bool):
        path = Path(self.translate_path(self.path))
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


@pytest.fixture
def bucket(tmp_path, shared_data):
    root = tmp_path / "bucket"
    b = Bucket(root, shared_data / "pmc_jats" / "pubmed_client_fixtures")
    for i, pmcid in enumerate(COMM):
        b.add("oa_comm", pmcid, f"2026-01-0{i + 1} 10:00:00")
    b.add("oa_noncomm", NONCOMM[0], "2026-01-02 12:00:00")
    handler = type("Handler", (BucketHandler,), {"ranges": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(root)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    b.url, b.handler = f"http://127.0.0.1:{server.server_address[1]}/", handler
    yield b
    server.shutdown()
    server.server_close()


def options(bucket, out: Path, **kw) -> FetchOptions:
    return FetchOptions(out, bucket.url, retries=1, backoff=0.01, **kw)


def statuses(report) -> dict[str, str]:
    return {r.key.rsplit("/", 1)[-1].removesuffix(".xml"): r.status for r in report.results}


def test_fetch_by_ids_finds_each_group_and_reports_a_404(bucket, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["fetch", "pmc", "--out", str(out), "--base-url", bucket.url, "--backoff", "0.01",
                                 "--ids", "PMC10200000,10000000,PMC999999999"])
    assert result.exit_code == 1, result.output               # one failure -> exit 1, after the summary
    assert result.stdout.strip() == str(out)
    assert "2 downloaded" in result.stderr and "1 failed" in result.stderr
    assert "PMC999999999: not found in groups comm, noncomm, other (404)" in result.stderr
    assert (out / "oa_comm/xml/all/PMC10200000.xml").read_bytes() == (bucket.root / "oa_comm/xml/all/PMC10200000.xml").read_bytes()
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
    key.write_bytes(key.read_bytes().replace(b"</article>", b"<!-- changed --></article>"))  # list still has the old MD5
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
    assert '"documents": 4' in result.stdout
    from medcurate.store import VersionStore
    docs = VersionStore(str(store)).list()[0].read("documents").to_pylist()
    assert {d["retracted"] for d in docs} == {False}           # PMC states it in the file list, not in the XML
