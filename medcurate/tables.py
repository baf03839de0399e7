"""Read tables made elsewhere (JSONL/JSON, Parquet, CSV/TSV, Arrow IPC, Hugging Face dataset folders).

Row-oriented text formats are read record by record so one bad line or row is reported (and later
quarantined) instead of failing the whole import.
"""
import csv
import io
import json
import posixpath
from dataclasses import dataclass, field

import fsspec
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from medcurate.errors import UsageError

TABLE_SUFFIXES = (".jsonl", ".json", ".ndjson", ".parquet", ".csv", ".tsv", ".arrow", ".feather", ".ipc")


@dataclass
class ReadTable:
    table: pa.Table
    bad_rows: list[tuple[int, str]] = field(default_factory=list)    # (row index, reason)


def looks_like_table(path: str) -> bool:
    fs, root = fsspec.core.url_to_fs(path)
    if fs.isdir(root):
        return fs.exists(posixpath.join(root, "state.json")) or any(
            n.endswith(".parquet") for n in fs.ls(root, detail=False))
    return root.lower().endswith(TABLE_SUFFIXES)


def read_table(path: str) -> ReadTable:
    fs, root = fsspec.core.url_to_fs(path)
    if fs.isdir(root):
        return ReadTable(_read_folder(fs, root))
    lower = root.lower()
    with fs.open(root, "rb") as fh:
        data = fh.read()
    if lower.endswith((".jsonl", ".ndjson")):
        return _read_json_lines(data)
    if lower.endswith(".json"):
        stripped = data.lstrip()
        if stripped.startswith(b"["):
            return ReadTable(_from_records(json.loads(data)))
        return _read_json_lines(data)
    if lower.endswith(".parquet"):
        return ReadTable(pq.read_table(io.BytesIO(data)))
    if lower.endswith((".csv", ".tsv")):
        return _read_csv(data, "\t" if lower.endswith(".tsv") else None)
    return ReadTable(_read_ipc(data))


def _from_records(records: list) -> pa.Table:
    if not all(isinstance(r, dict) for r in records):
        raise UsageError("a JSON table must be a list of objects")
    return pa.Table.from_pylist(records)


def _read_json_lines(data: bytes) -> ReadTable:
    records, bad = [], []
    for i, line in enumerate(data.splitlines()):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            bad.append((i, f"line {i + 1} is not valid JSON: {exc}"))
            continue
        if isinstance(record, dict):
            records.append(record)
        else:
            bad.append((i, f"line {i + 1} is not a JSON object"))
    return ReadTable(_from_records(records), bad)


def _read_csv(data: bytes, delimiter: str | None) -> ReadTable:
    bad: list[tuple[int, str]] = []

    def on_invalid(row):
        bad.append((row.number or -1, f"row {row.number}: expected {row.expected_columns} columns, "
                                      f"got {row.actual_columns}"))
        return "skip"

    if delimiter is None:
        sample = data[:65536].decode("utf-8", errors="replace")
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter if sample.strip() else ","
    table = pacsv.read_csv(io.BytesIO(data), parse_options=pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid))
    return ReadTable(table, bad)


def _read_ipc(data: bytes) -> pa.Table:
    try:
        return ipc.open_file(pa.BufferReader(data)).read_all()
    except pa.ArrowInvalid:
        return ipc.open_stream(pa.BufferReader(data)).read_all()


def _read_folder(fs, root: str) -> pa.Table:
    state_path = posixpath.join(root, "state.json")
    if fs.exists(state_path):              # a `datasets.save_to_disk` folder (or a medcurate table)
        with fs.open(state_path, "rb") as fh:
            files = [f["filename"] for f in json.load(fh)["_data_files"]]
        parts = []
        for name in files:
            with fs.open(posixpath.join(root, name), "rb") as fh:
                parts.append(_read_ipc(fh.read()))
        return pa.concat_tables(parts)
    if fs.exists(posixpath.join(root, "dataset_dict.json")):
        raise UsageError(f"{root} holds several splits: pass one split's folder (e.g. {root}/train)")
    parquet = sorted(p for p in fs.find(root) if p.endswith(".parquet"))
    if not parquet:
        raise UsageError(f"{root}: no Hugging Face dataset (state.json) or Parquet files found")
    return pa.concat_tables([pq.read_table(p, filesystem=fs) for p in parquet], promote_options="default")
