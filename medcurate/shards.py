"""Write one table of a version as Arrow IPC *stream* shards that Hugging Face `datasets` opens as is.

The stream format (not the file format) is what `datasets.Dataset.from_file`/`load_from_disk` read;
`state.json` + `dataset_info.json` beside the shards make the folder a `load_from_disk` dataset.
Each shard is assembled in memory, hashed, then written once, so its checksum costs no second read.
"""
import hashlib
import json
import posixpath

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.ipc as ipc

from medcurate.schemas import fingerprint


class TableWriter:
    def __init__(self, fs: pafs.FileSystem, folder: str, name: str, schema: pa.Schema,
                 max_rows: int = 50_000, max_bytes: int = 128 << 20):
        self.fs, self.folder, self.name, self.schema = fs, folder, name, schema
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.shards: list[dict] = []
        self.rows = 0
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._pending_bytes = 0
        fs.create_dir(folder, recursive=True)

    def write(self, batch: pa.RecordBatch | pa.Table | list[dict]) -> None:
        if isinstance(batch, list):
            if not batch:
                return
            batch = pa.Table.from_pylist(batch, schema=self.schema)
        if not batch.schema.equals(self.schema):
            batch = batch.select(self.schema.names).cast(self.schema)
        for part in (batch.to_batches() if isinstance(batch, pa.Table) else [batch]):
            while part.num_rows:
                take = min(part.num_rows, self.max_rows - self._pending_rows)
                piece, part = part.slice(0, take), part.slice(take)
                self._pending.append(piece)
                self._pending_rows += piece.num_rows
                self._pending_bytes += piece.nbytes
                self.rows += piece.num_rows
                if self._pending_rows >= self.max_rows or self._pending_bytes >= self.max_bytes:
                    self._flush()

    def _flush(self) -> None:
        sink = pa.BufferOutputStream()
        with ipc.new_stream(sink, self.schema) as writer:
            # an empty table still gets one (empty) batch: readers such as `datasets` need a batch
            for batch in self._pending or [pa.RecordBatch.from_pylist([], schema=self.schema)]:
                writer.write_batch(batch)
        buf = sink.getvalue()
        fname = f"data-{len(self.shards):05d}.arrow"
        with self.fs.open_output_stream(posixpath.join(self.folder, fname)) as out:
            out.write(buf)
        self.shards.append({"file": fname, "rows": self._pending_rows, "bytes": buf.size,
                            "sha256": hashlib.sha256(memoryview(buf)).hexdigest()})
        self._pending, self._pending_rows, self._pending_bytes = [], 0, 0

    def close(self, description: str = "") -> dict:
        """Flush the last shard (an empty table still gets one, so readers see its schema)."""
        if self._pending or not self.shards:
            self._flush()
        state = {"_data_files": [{"filename": s["file"]} for s in self.shards], "_fingerprint": None,
                 "_format_columns": None, "_format_kwargs": {}, "_format_type": None,
                 "_output_all_columns": False, "_split": None}
        _write_json(self.fs, posixpath.join(self.folder, "state.json"), state)
        _write_json(self.fs, posixpath.join(self.folder, "dataset_info.json"), {"description": description})
        return {"rows": self.rows, "schema_fingerprint": fingerprint(self.schema), "shards": self.shards}


def _write_json(fs: pafs.FileSystem, path: str, obj) -> None:
    with fs.open_output_stream(path) as out:
        out.write(json.dumps(obj, indent=2, sort_keys=True, default=str).encode())


def read_shard(fs: pafs.FileSystem, path: str) -> pa.Table:
    """A shard file without a checksum to check against (the LLM cache's segments)."""
    with fs.open_input_stream(path) as src:
        return parse_shard(src.read_buffer())


def parse_shard(data: bytes | pa.Buffer) -> pa.Table:
    return ipc.open_stream(pa.BufferReader(data)).read_all()
