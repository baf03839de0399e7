"""The versioned store: immutable dataset versions, each a folder of Arrow tables plus a manifest.

Layout under the store root (a local path or any URI pyarrow's filesystems understand):

    versions/<id>/manifest.json          written last: a version without it does not exist
    versions/<id>/<table>/data-*.arrow   IPC stream shards, + state.json/dataset_info.json
    tags/<name>                          a tag's version id
    staging/<id>.<nonce>/                versions being written; moved into versions/ on commit

A version id is derived from (stage, config, inputs, code fingerprint), so a rerun with the same inputs
finds the committed version and does no work. A commit is a single directory rename on local disks, so
a reader never sees half a version; on object stores the manifest-last rule gives the same view.
Every shard is checked against its SHA-256 as it is read: a changed byte stops the reader, it is never
carried into a new version.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
import re
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.fs as pafs

from medcurate.errors import RunFailed, UsageError
from medcurate.shards import TableWriter, parse_shard

DEFAULT_STORE = "./medcurate-store"
MANIFEST = "manifest.json"
OWNER = "owner.json"                     # in a staging folder: which process writes it
TAG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
STALE_STAGING_S = 24 * 3600              # `gc` removes staging folders older than this by default


class StoreError(RunFailed):
    """The store cannot do what was asked (unreadable, read-only, full, damaged): one line says what and where."""


class CorruptShard(StoreError):
    pass


def default_store_path() -> str:
    return os.environ.get("MEDCURATE_STORE", DEFAULT_STORE)


def version_id(stage: str, config: dict, inputs: list[str], code: str) -> str:
    """Deterministic id: the same stage, config, inputs and code always give the same id."""
    payload = json.dumps({"stage": stage, "config": config, "inputs": inputs, "code": code},
                         sort_keys=True, default=str)
    return f"{stage}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"


@dataclass
class ShardProblems:
    """What `verify` found in one version, per table: shard files missing, changed or not in the manifest."""
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.changed or self.extra)

    def lines(self) -> list[str]:
        return ([f"missing: {f}" for f in self.missing] + [f"changed: {f}" for f in self.changed]
                + [f"not in the manifest: {f}" for f in self.extra])


@dataclass(frozen=True)
class Unreadable:
    """A version folder whose manifest cannot be read; `versions` lists it with the reason."""
    id: str
    reason: str


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
        """The table's rows [start, stop) in order, each shard verified against its checksum as it is read;
        shard files wholly outside the range are not read."""
        offset = 0
        for shard in self._shards(table):
            first, offset = offset, offset + shard["rows"]
            if offset <= start or (stop is not None and first >= stop):
                continue
            for batch in self.read_shard(table, shard).to_batches():
                lo, hi = max(start - first, 0), batch.num_rows if stop is None else min(stop - first, batch.num_rows)
                if hi > lo:
                    yield batch.slice(lo, hi - lo)
                first += batch.num_rows

    def read(self, table: str) -> pa.Table:
        return pa.concat_tables([self.read_shard(table, s) for s in self._shards(table)])

    def schema(self, table: str) -> pa.Schema:
        return self.read_shard(table, self._shards(table)[0]).schema

    def read_shard(self, table: str, shard: dict) -> pa.Table:
        """One shard, hashed while it is read; a mismatch raises CorruptShard naming version, table and file."""
        where = f"version {self.id}, table {table}, shard {shard['file']}"
        try:
            with self.store.fs.open_input_stream(posixpath.join(self.path(table), shard["file"])) as src:
                data = src.read_buffer()
        except FileNotFoundError:
            raise CorruptShard(f"{where}: the file is missing (run `medcurate versions verify {self.id}`)") from None
        except OSError as exc:
            raise StoreError(f"{where}: cannot read it: {_os_reason(exc)}") from None
        if hashlib.sha256(memoryview(data)).hexdigest() != shard["sha256"]:
            raise CorruptShard(f"{where}: its checksum no longer matches the manifest (the file changed after "
                               f"commit); refusing to read it (run `medcurate versions verify {self.id}`)")
        return parse_shard(data)

    def sizes_match(self) -> bool:
        """Cheap check for a cache hit: every shard exists with the size the manifest says."""
        for name, info in self.tables.items():
            for shard in info["shards"]:
                stat = self.store.fs.get_file_info(posixpath.join(self.path(name), shard["file"]))
                if stat.type != pafs.FileType.File or ("bytes" in shard and stat.size != shard["bytes"]):
                    return False
        return True

    def verify(self) -> dict[str, ShardProblems]:
        """Re-hash every shard: per table with a problem, the missing, changed and unlisted shard files."""
        problems: dict[str, ShardProblems] = {}
        for name, info in self.tables.items():
            found = ShardProblems()
            listed = {s["file"] for s in info["shards"]}
            for shard in info["shards"]:
                try:
                    self.read_shard(name, shard)
                except CorruptShard as exc:
                    (found.missing if "missing" in str(exc) else found.changed).append(shard["file"])
            present = self.store.fs.get_file_info(pafs.FileSelector(self.path(name), allow_not_found=True))
            found.extra = sorted(posixpath.basename(i.path) for i in present if i.path.endswith(".arrow")
                                 and posixpath.basename(i.path) not in listed)
            if found:
                problems[name] = found
        return problems

    def _shards(self, table: str) -> list[dict]:
        if table not in self.tables:
            raise UsageError(f"version {self.id} has no table {table!r} (it has {', '.join(self.tables)})")
        return self.tables[table]["shards"]


class VersionStore:
    def __init__(self, root: str | None = None):
        uri = root or default_store_path()
        try:
            if "://" in uri:
                self.fs, self.root = pafs.FileSystem.from_uri(uri)
            else:
                self.fs, self.root = pafs.LocalFileSystem(), os.path.abspath(uri)
            if self.fs.get_file_info(self.root).type == pafs.FileType.File:
                raise StoreError(f"store {uri}: this is a file, not a store folder")
            for sub in ("versions", "tags", "staging"):
                self.fs.create_dir(posixpath.join(self.root, sub), recursive=True)
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f"store {uri}: cannot open it: {_os_reason(exc)}") from None

    # reading ---------------------------------------------------------------------------------
    def get(self, vid: str) -> Version | None:
        """The committed version `vid`, or None; a version whose manifest is damaged raises StoreError."""
        found = self._load(vid)
        if isinstance(found, Unreadable):
            raise StoreError(f"version {vid}: {found.reason}")
        return found

    def _load(self, vid: str) -> Version | Unreadable | None:
        path = posixpath.join(self.root, "versions", vid, MANIFEST)
        try:
            if self.fs.get_file_info(path).type != pafs.FileType.File:
                return None
            with self.fs.open_input_stream(path) as f:
                manifest = json.loads(f.read())
            if not isinstance(manifest, dict) or manifest.get("id") != vid or "tables" not in manifest:
                return Unreadable(vid, "manifest.json does not describe this version")
            return Version(self, manifest)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return Unreadable(vid, "manifest.json is not valid JSON (truncated or overwritten)")
        except OSError as exc:
            return Unreadable(vid, f"manifest.json cannot be read: {_os_reason(exc)}")

    def scan(self) -> tuple[list[Version], list[Unreadable]]:
        """Every version folder: the readable versions (oldest first) and the unreadable ones with reasons."""
        infos = self.fs.get_file_info(pafs.FileSelector(posixpath.join(self.root, "versions")))
        found = [self._load(posixpath.basename(i.path)) for i in infos if i.type == pafs.FileType.Directory]
        good = sorted((v for v in found if isinstance(v, Version)), key=lambda v: v.manifest.get("created_at", ""))
        bad = sorted((v for v in found if isinstance(v, Unreadable)), key=lambda v: v.id)
        return good, bad

    def list(self) -> list[Version]:
        return self.scan()[0]

    def resolve(self, ref: str) -> Version | None:
        """A version id, a tag, or a unique id prefix (like git's short hashes)."""
        if "/" in ref or ref.startswith("."):
            return None
        if version := self.get(ref) or self.get(self.tag_target(ref) or ""):
            return version
        matches = [v for v in self.list() if v.id.startswith(ref)]
        return matches[0] if len(matches) == 1 else None

    # tags ------------------------------------------------------------------------------------
    def tag(self, name: str, vid: str) -> None:
        if not TAG_NAME.fullmatch(name):
            raise UsageError(f"bad tag name {name!r}: use letters, digits, '.', '_' and '-' (not first), "
                             "at most 128 characters")
        if not self.get(vid):
            raise UsageError(f"cannot tag: no version {vid}")
        self._write(posixpath.join(self.root, "tags", name), vid.encode())

    def tag_target(self, name: str) -> str | None:
        if not name or not TAG_NAME.fullmatch(name):
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
        self._clear_dead_staging(vid)
        return PendingVersion(self, vid, header)

    def remove_broken(self, vid: str) -> None:
        """Delete a version folder whose manifest is unreadable, so the version can be made again."""
        self.fs.delete_dir(posixpath.join(self.root, "versions", vid))

    def gc(self, older_than_s: float = STALE_STAGING_S) -> list[str]:
        """Remove staging folders (unfinished versions of killed runs) older than the bound; return them."""
        removed = []
        for info in self._staging():
            if info.mtime and time.time() - info.mtime.timestamp() > older_than_s:
                self.fs.delete_dir(info.path)
                removed.append(posixpath.basename(info.path))
        return removed

    def _staging(self) -> list[pafs.FileInfo]:
        infos = self.fs.get_file_info(pafs.FileSelector(posixpath.join(self.root, "staging")))
        return [i for i in infos if i.type == pafs.FileType.Directory]

    def _clear_dead_staging(self, vid: str) -> None:
        """Staging folders of this version id left by a process of this machine that is no longer running."""
        for info in self._staging():
            if posixpath.basename(info.path).rpartition(".")[0] != vid:
                continue
            owner = self._owner(info.path)
            if owner and owner.get("host") == socket.gethostname() and not _alive(owner.get("pid", 0)):
                self.fs.delete_dir(info.path)

    def _owner(self, folder: str) -> dict | None:
        try:
            with self.fs.open_input_stream(posixpath.join(folder, OWNER)) as f:
                return json.loads(f.read())
        except (OSError, json.JSONDecodeError):
            return None

    def _write(self, path: str, data: bytes) -> None:
        with self.fs.open_output_stream(path) as out:
            out.write(data)


class PendingVersion:
    """A version being written in a staging folder; `commit` publishes it whole, `abort` discards it."""

    def __init__(self, store: VersionStore, vid: str, header: dict):
        self.store, self.id = store, vid
        self.staging = posixpath.join(store.root, "staging", f"{vid}.{uuid.uuid4().hex[:8]}")
        self.header = {**header, "id": vid, "created_at": _now()}
        self.writers: dict[str, TableWriter] = {}
        self.kinds: dict[str, str] = {}
        store.fs.create_dir(self.staging, recursive=True)
        store._write(posixpath.join(self.staging, OWNER),
                     json.dumps({"host": socket.gethostname(), "pid": os.getpid()}).encode())

    def table(self, name: str, schema: pa.Schema, kind: str | None = None) -> TableWriter:
        if name not in self.writers:
            self.writers[name] = TableWriter(self.store.fs, posixpath.join(self.staging, name), name, schema)
            self.kinds[name] = kind or name
        return self.writers[name]

    def commit(self, funnel: dict, summary: dict | None = None) -> Version:
        tables = {name: {"kind": self.kinds[name], **w.close(f"medcurate {self.id} {name}")}
                  for name, w in self.writers.items()}
        main = next(iter(self.kinds), None)        # the first table a stage opens is its main output
        manifest = {"kind": self.kinds.get(main), "main_table": main, **self.header, "tables": tables, "funnel": funnel, "summary": summary or {},
                    "finished_at": _now()}
        self.store.fs.delete_file(posixpath.join(self.staging, OWNER))
        self.store._write(posixpath.join(self.staging, MANIFEST),
                          json.dumps(manifest, indent=2, sort_keys=True, default=str).encode())
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _os_reason(exc: BaseException) -> str:
    """An OS error as a person reads it, without the path twice."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
