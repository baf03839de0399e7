"""A version id means "this output, from these inputs, by this code": corrupted shards are never read into a new
version, a damaged store still answers, stale staging is cleaned, and every ordinary mistake is one line."""
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcurate.cli import app
from medcurate.store import CorruptShard, VersionStore

SAMPLES = Path(__file__).resolve().parents[1] / "medcurate" / "samples"
MEDCURATE = str(Path(sys.executable).parent / "medcurate")
runner = CliRunner()


def cli(*args, store):
    return runner.invoke(app, [*args, "--store", str(store)])


def one_line_error(result, code: int) -> str:
    """The command failed with `code` and said why in one line, without a traceback."""
    assert result.exit_code == code, result.output
    err = result.stderr.strip()
    assert err.startswith("error:") and "Traceback" not in result.output
    assert len(err.splitlines()) == 1, err
    return err


@pytest.fixture
def pmc(tmp_path):
    result = cli("ingest", "pmc", str(SAMPLES / "pmc"), "--tag", "pmc", store=tmp_path)
    assert result.exit_code == 0, result.output
    return VersionStore(str(tmp_path)), result.stdout.strip().splitlines()[-1]


def _flip_a_byte(store: VersionStore, vid: str, table: str) -> Path:
    version = store.get(vid)
    shard = Path(version.path(table)) / version.tables[table]["shards"][0]["file"]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    return shard


def test_a_corrupted_shard_is_refused_not_laundered(pmc, tmp_path):
    store, vid = pmc
    _flip_a_byte(store, vid, "passages")
    before = {v.id for v in store.list()}
    result = cli("stage", "select", "--input", "pmc:passages", store=tmp_path)
    err = one_line_error(result, 1)
    assert vid in err and "passages" in err and "data-00000.arrow" in err and "checksum" in err
    assert {v.id for v in store.list()} == before                        # nothing new was committed
    with pytest.raises(CorruptShard):
        store.get(vid).read("passages")


def test_verify_reports_changed_missing_and_unlisted_shards(pmc, tmp_path):
    store, vid = pmc
    _flip_a_byte(store, vid, "passages")
    documents = Path(store.get(vid).path("documents"))
    (documents / "data-00000.arrow").unlink()
    (documents / "data-00099.arrow").write_bytes(b"stray")
    result = cli("versions", "verify", vid, store=tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "passages: changed: data-00000.arrow" in result.stderr
    assert "documents: missing: data-00000.arrow" in result.stderr
    assert "documents: not in the manifest: data-00099.arrow" in result.stderr


def test_a_cache_hit_whose_shard_shrank_is_not_served(pmc, tmp_path):
    store, vid = pmc
    version = store.get(vid)
    shard = Path(version.path("passages")) / version.tables["passages"]["shards"][0]["file"]
    shard.write_bytes(shard.read_bytes()[:-10])
    err = one_line_error(cli("ingest", "pmc", str(SAMPLES / "pmc"), store=tmp_path), 1)
    assert vid in err and "missing or changed size" in err


def test_one_broken_manifest_does_not_break_the_store(pmc, tmp_path):
    store, vid = pmc
    other = cli("ingest", "exams", str(SAMPLES / "exams"), store=tmp_path).stdout.strip().splitlines()[-1]
    manifest = Path(store.get(vid).path()) / "manifest.json"
    manifest.write_text(manifest.read_text()[:100])                       # truncated
    listed = cli("versions", "--json", store=tmp_path)
    assert listed.exit_code == 0, listed.output
    rows = {r["id"]: r for r in json.loads(listed.stdout)}
    assert "rows" in rows[other] and "not valid JSON" in rows[vid]["unreadable"]
    assert "unreadable" in cli("versions", store=tmp_path).stderr
    rerun = cli("ingest", "pmc", str(SAMPLES / "pmc"), store=tmp_path)    # the damaged version is made again
    assert rerun.exit_code == 0 and rerun.stdout.strip().splitlines()[-1] == vid
    assert store.get(vid).verify() == {}


def test_gc_removes_stale_staging_and_a_run_clears_its_own_dead_staging(tmp_path):
    store = VersionStore(str(tmp_path))
    old = Path(store.root) / "staging" / "select-0000000000000000.dead0001"
    old.mkdir()
    (old / "passages").mkdir()
    stamp = time.time() - 3 * 24 * 3600
    os.utime(old, (stamp, stamp))
    fresh = Path(store.root) / "staging" / "select-0000000000000001.live0001"
    fresh.mkdir()
    result = cli("gc", store=tmp_path)
    assert result.exit_code == 0 and old.name in result.stderr and not old.exists() and fresh.exists()
    # a run killed mid-write leaves staging owned by a dead process; the next run of that id clears it
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pending = store.begin("select-0000000000000002", {"stage": "select", "config": {}, "inputs": []})
    owner = Path(pending.staging) / "owner.json"
    owner.write_text(json.dumps({"host": os.uname().nodename, "pid": dead.pid}))
    store.begin("select-0000000000000002", {"stage": "select", "config": {}, "inputs": []})
    assert not Path(pending.staging).exists()


@pytest.mark.parametrize("config, words", [
    ({"where": "str"}, ["where must be a list", "not 'str'"]),
    ({"limit": "ten"}, ["limit must be an integer or null", "not 'ten'"]),
    ({"wheer": []}, ["unknown config key(s) wheer", "valid: where (a list)"]),
    ({"where": [{"column": "no_such_column", "op": "==", "value": 1}]}, ["no column 'no_such_column'"]),
])
def test_config_mistakes_are_one_line(pmc, tmp_path, config, words):
    path = tmp_path / "select.yaml"
    path.write_text(json.dumps(config))
    err = one_line_error(cli("stage", "select", "--input", "pmc:passages", "--config", str(path), store=tmp_path), 2)
    for word in words or []:
        assert word in err


def test_a_value_of_the_wrong_type_for_the_column_is_one_line(pmc, tmp_path):
    path = tmp_path / "select.yaml"
    path.write_text(json.dumps({"where": [{"column": "year", "op": ">=", "value": "twenty"}]}))
    err = one_line_error(cli("stage", "select", "--input", "pmc:documents", "--config", str(path), store=tmp_path), 2)
    assert "year >= 'twenty'" in err and "type" in err


@pytest.mark.parametrize("args, code, words", [
    (["stage", "select", "--input", "pmc:nosuchtable"], 2, ["has no table 'nosuchtable'", "documents"]),
    (["versions", "tag", "pmc", "../evil"], 2, ["bad tag name '../evil'"]),
    (["versions", "show", "nope"], 2, ["no version, tag or unique id prefix 'nope'"]),
    (["stage", "nosuchstage", "--input", "pmc"], 2, ["unknown stage 'nosuchstage'"]),
    (["ingest", "pmc", "/no/such/folder"], 2, ["input not found"]),
])
def test_usage_mistakes_are_one_line(pmc, tmp_path, args, code, words):
    err = one_line_error(cli(*args, store=tmp_path), code)
    for word in words:
        assert word in err
    assert not (Path(tmp_path) / "evil").exists() and not (Path(tmp_path).parent / "evil").exists()


def test_a_store_that_is_a_file_is_one_line(tmp_path):
    path = tmp_path / "not-a-folder"
    path.write_text("x")
    err = one_line_error(cli("versions", store=path), 1)
    assert str(path) in err and "is a file" in err


@pytest.fixture
def read_only(tmp_path):
    """A read-only view of a folder: a read-only bind mount as root (root writes through permissions), else
    the folder with its write permissions removed."""
    writable, view = tmp_path / "store", tmp_path / "view"
    writable.mkdir()
    if os.geteuid() != 0:
        yield writable, writable, lambda: [os.chmod(d, 0o555) for d in [writable, *writable.rglob("*")] if d.is_dir()]
        return
    view.mkdir()
    mounted = []

    def protect():
        for args in (["--bind", str(writable), str(view)], ["-o", "remount,bind,ro", str(view)]):
            if subprocess.run(["mount", *args], capture_output=True).returncode:
                pytest.skip("cannot make a read-only mount here")
            mounted.append(True)
    yield writable, view, protect
    if mounted:
        subprocess.run(["umount", str(view)], check=True)


def test_a_read_only_store_is_one_line(read_only):
    writable, view, protect = read_only
    assert cli("ingest", "pmc", str(SAMPLES / "pmc"), store=writable).exit_code == 0
    protect()
    assert cli("versions", store=view).exit_code == 0                     # reading still works
    err = one_line_error(cli("ingest", "exams", str(SAMPLES / "exams"), store=view), 1)
    assert "read-only file system" in err or "permission denied" in err


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)       # writes past the limit fail with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))


def test_a_full_disk_is_one_line_and_leaves_no_version(tmp_path):
    """A write that fails half-way (here: past a file-size limit, as on a full disk) ends in one line."""
    done = subprocess.run([MEDCURATE, "ingest", "pmc", str(SAMPLES / "pmc"), "--store", str(tmp_path)],
                          preexec_fn=_limit_file_size, capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error:") and "file too large" in last
    assert VersionStore(str(tmp_path)).list() == []
    assert list((tmp_path / "staging").iterdir()) == []


def test_debug_shows_the_traceback(pmc, tmp_path):
    result = runner.invoke(app, ["--debug", "stage", "select", "--input", "pmc:nosuchtable", "--store", str(tmp_path)])
    assert result.exit_code != 0 and result.exception is not None
