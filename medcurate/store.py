"""The versioned store: immutable dataset versions, each a folder of Arrow tables plus a manifest.

Layout under the store root (a local path or any URI pyarrow's filesystems understand):

    versions/<id>/manifest.json          written last: a version without it does not exist
    versions/<id>/<table>/data-*.arrow   IPC stream shards, + state.json/dataset_info.json
    tags/<name>                          a tag's version id
    staging/<id>.<nonce>/                versions being written; moved into versions/ on commit

A version id is derived from (stage, config, inputs, code version), so a rerun with the same inputs
finds the committed version and does no work. A commit is a single directory rename on local disks,
so a reader never sees half a version; on object stores the manifest-last rule gives the same view.
"""
import datetime as dt
import hashlib
import json
import os
import posixpath
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.fs as pafs

from medcurate.shards import TableWriter, read_shard

DEFAULT_STORE = "./medcurate-store"
MANIFEST = "manifest.json"


def default_store_path() -> str:
    return os.environ.get("MEDCURATE_STORE", DEFAULT_STORE)


def version_id(stage: str, config: dict, inputs: list[str], code_version: str) -> str:
    """Deterministic id: the same stage, config, inputs and code always give the same id."""
    payload = json.dumps({"stage": stage, "config": config, "inputs": inputs, "code": code_version},
                         sort_keys=True, default=str)
    return f"{stage}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Version:
    """A committed version, read-only."""
    store: "VersionStore"
    manifest: dict

    @property
    def id(self) -> str:
        return self.manifest["id"]

    @property
    def tables(self) -> dict:
        return self.manifest["tables"]

    def path(self, table: str | None = None) -> str:
        base = posixpath.join(self.store.root, "versions", self.id)
        return posixpath.join(base, table) if table else base

    def iter_batches(self, table: str, start: int = 0, stop: int | None = None) -> Iterator[pa.RecordBatch]:
        """The table's rows [start, stop) in order; shard files wholly outside the range are not read."""
        offset = 0
        for shard in self.tables[table]["shards"]:
            first, offset = offset, offset + shard["rows"]
            if offset <= start or (stop is not None and first >= stop):
                continue
            for batch in read_shard(self.store.fs, posixpath.join(self.path(table), shard["file"])).to_batches():
                lo, hi = max(start - first, 0), batch.num_rows if stop is None else min(stop - first, batch.num_rows)
                if hi > lo:
                    yield batch.slice(lo, hi - lo)
                first += batch.num_rows

    def read(self, table: str) -> pa.Table:
        shards = [read_shard(self.store.fs, posixpath.join(self.path(table), s["file"]))
                  for s in self.tables[table]["shards"]]
        return pa.concat_tables(shards)

    def verify(self) -> list[str]:
        """Re-hash every shard; return the files whose checksum no longer matches."""
        bad = []
        for name, info in self.tables.items():
            for shard in info["shards"]:
                with self.store.fs.open_input_stream(posixpath.join(self.path(name), shard["file"])) as f:
                    if hashlib.sha256(f.read()).hexdigest() != shard["sha256"]:
                        bad.append(f"{name}/{shard['file']}")
        return bad


class VersionStore:
    def __init__(self, root: str | None = None):
        uri = root or default_store_path()
        if "://" in uri:
            self.fs, self.root = pafs.FileSystem.from_uri(uri)
        else:
            self.fs, self.root = pafs.LocalFileSystem(), os.path.abspath(uri)
        for sub in ("versions", "tags", "staging"):
            self.fs.create_dir(posixpath.join(self.root, sub), recursive=True)

    # reading ---------------------------------------------------------------------------------
    def get(self, vid: str) -> Version | None:
        path = posixpath.join(self.root, "versions", vid, MANIFEST)
        if self.fs.get_file_info(path).type != pafs.FileType.File:
            return None
        with self.fs.open_input_stream(path) as f:
            return Version(self, json.loads(f.read()))

    def list(self) -> list[Version]:
        infos = self.fs.get_file_info(pafs.FileSelector(posixpath.join(self.root, "versions")))
        found = [self.get(posixpath.basename(i.path)) for i in infos if i.type == pafs.FileType.Directory]
        return sorted((v for v in found if v), key=lambda v: v.manifest["created_at"])

    def resolve(self, ref: str) -> Version | None:
        """A version id, a tag, or a unique id prefix (like git's short hashes)."""
        if version := self.get(ref) or self.get(self.tag_target(ref) or ""):
            return version
        matches = [v for v in self.list() if v.id.startswith(ref)]
        return matches[0] if len(matches) == 1 else None

    # tags ------------------------------------------------------------------------------------
    def tag(self, name: str, vid: str) -> None:
        if "/" in name or name.startswith("."):
            raise ValueError(f"bad tag name {name!r}")
        if not self.get(vid):
            raise KeyError(f"no version {vid}")
        with self.fs.open_output_stream(posixpath.join(self.root, "tags", name)) as out:
            out.write(vid.encode())

    def tag_target(self, name: str) -> str | None:
        if not name or "/" in name:
            return None
        path = posixpath.join(self.root, "tags", name)
        if self.fs.get_file_info(path).type != pafs.FileType.File:
            return None
        with self.fs.open_input_stream(path) as f:
            return f.read().decode().strip()

    def tags(self) -> dict[str, str]:
        infos = self.fs.get_file_info(pafs.FileSelector(posixpath.join(self.root, "tags")))
        return {posixpath.basename(i.path): self.tag_target(posixpath.basename(i.path)) for i in infos}

    # writing ---------------------------------------------------------------------------------
    def begin(self, vid: str, header: dict) -> "PendingVersion":
        return PendingVersion(self, vid, header)


class PendingVersion:
    """A version being written in a staging folder; `commit` publishes it whole, `abort` discards it."""

    def __init__(self, store: VersionStore, vid: str, header: dict):
        self.store, self.id = store, vid
        self.staging = posixpath.join(store.root, "staging", f"{vid}.{uuid.uuid4().hex[:8]}")
        self.header = {**header, "id": vid, "created_at": _now()}
        self.writers: dict[str, TableWriter] = {}
        self.kinds: dict[str, str] = {}

    def table(self, name: str, schema: pa.Schema, kind: str | None = None) -> TableWriter:
        if name not in self.writers:
            self.writers[name] = TableWriter(self.store.fs, posixpath.join(self.staging, name), name, schema)
            self.kinds[name] = kind or name
        return self.writers[name]

    def commit(self, funnel: dict, summary: dict | None = None) -> Version:
        tables = {name: {"kind": self.kinds[name], **w.close(f"medcurate {self.id} {name}")}
                  for name, w in self.writers.items()}
        primary = next(iter(self.kinds.values()), None)     # the first table a stage opens is its main output
        manifest = {"kind": primary, **self.header, "tables": tables, "funnel": funnel, "summary": summary or {},
                    "finished_at": _now()}
        with self.store.fs.open_output_stream(posixpath.join(self.staging, MANIFEST)) as out:
            out.write(json.dumps(manifest, indent=2, sort_keys=True, default=str).encode())
        final = posixpath.join(self.store.root, "versions", self.id)
        if existing := self.store.get(self.id):
            self.abort()       # committed meanwhile by another run with the same inputs: same content
            return existing
        try:
            self.store.fs.move(self.staging, final)
        except OSError:
            if existing := self.store.get(self.id):   # lost a race to an identical run
                self.abort()
                return existing
            raise
        return self.store.get(self.id)

    def abort(self) -> None:
        if self.store.fs.get_file_info(self.staging).type != pafs.FileType.NotFound:
            self.store.fs.delete_dir(self.staging)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
