"""The response cache: a rerun or a resumed run pays nothing for what was already generated.

It lives in the store, under `cache/llm/`, as append-only Arrow IPC segments written through the store's
filesystem, so it works wherever the store does (local disk or object store). Each flush writes one new
segment under a unique name, first as `.part` and then renamed, so concurrent runs never collide and a
killed run leaves no half segment. Opening reads every segment and indexes the keys; rows stay in Arrow.

The key is a hash of everything that decides the output: engine and model identity, template version,
rendered prompt or messages, schema and sampling. Only validated results are stored.
"""
import datetime as dt
import hashlib
import json
import posixpath
import uuid
from dataclasses import asdict

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.ipc as ipc

from medcurate.llm.types import LLMRequest, LLMResult
from medcurate.shards import read_shard
from medcurate.store import VersionStore

SCHEMA = pa.schema([
    ("key", pa.string()), ("text", pa.string()), ("parsed", pa.string()),   # parsed: JSON, null without a schema
    ("prompt_tokens", pa.int64()), ("completion_tokens", pa.int64()), ("finish_reason", pa.string()),
    ("latency_s", pa.float64()), ("attempts", pa.int64()), ("truncated", pa.bool_()), ("template", pa.string()),
    ("created_at", pa.string()),
])


def cache_key(identity: dict, request: LLMRequest) -> str:
    payload = {"engine": identity, "template": request.template, "prompt": request.prompt,
               "messages": request.messages, "schema": request.schema, "sampling": asdict(request.sampling)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=list).encode()).hexdigest()


class ResponseCache:
    def __init__(self, store: VersionStore, flush_every: int = 64):
        self.fs, self.folder, self.flush_every = store.fs, posixpath.join(store.root, "cache", "llm"), flush_every
        self.fs.create_dir(self.folder, recursive=True)
        self._segments: list[pa.Table] = []
        self._index: dict[str, tuple[int, int]] = {}
        self._pending: dict[str, dict] = {}
        infos = self.fs.get_file_info(pafs.FileSelector(self.folder))
        for path in sorted(i.path for i in infos if i.path.endswith(".arrow")):
            self._add(read_shard(self.fs, path))

    def _add(self, table: pa.Table) -> None:
        self._segments.append(table)
        for row, key in enumerate(table.column("key").to_pylist()):
            self._index[key] = (len(self._segments) - 1, row)

    def __len__(self) -> int:
        return len(self._index) + len(self._pending.keys() - self._index.keys())

    def get(self, key: str) -> dict | None:
        if key in self._pending:
            return self._pending[key]
        if key not in self._index:
            return None
        segment, row = self._index[key]
        return self._segments[segment].slice(row, 1).to_pylist()[0]

    def put(self, key: str, result: LLMResult) -> None:
        self._pending[key] = {
            "key": key, "text": result.text, "parsed": None if result.parsed is None else json.dumps(result.parsed),
            "prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens,
            "finish_reason": result.finish_reason, "latency_s": result.latency_s, "attempts": result.attempts,
            "truncated": result.truncated, "template": result.template,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        if len(self._pending) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        table = pa.Table.from_pylist(list(self._pending.values()), schema=SCHEMA)
        name = posixpath.join(self.folder, f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}")
        with self.fs.open_output_stream(name + ".part") as out, ipc.new_stream(out, SCHEMA) as writer:
            writer.write_table(table)
        self.fs.move(name + ".part", name + ".arrow")
        self._add(table)
        self._pending = {}

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> "ResponseCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
