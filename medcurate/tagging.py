"""Shared by the stages that tag rows instead of deleting them (dedup, decontaminate, ...): every
input table comes out whole, under a unique name, with the stage's columns appended."""
from collections import Counter

import pyarrow as pa

from medcurate.stage import TableInput
from medcurate.store import PendingVersion


def output_names(tables: list[TableInput]) -> list[str]:
    """The input table names, made unique (passages, passages_2, ...) when two inputs share one."""
    return unique_names([t.table for t in tables])


def unique_names(names: list[str]) -> list[str]:
    seen: Counter = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique


def with_columns(batch: pa.RecordBatch, columns: list[pa.Array], fields: list[pa.Field]) -> pa.RecordBatch:
    """`batch` plus `columns`; a column of the same name from an earlier run is replaced."""
    new = {f.name for f in fields}
    kept = [name for name in batch.schema.names if name not in new]
    return pa.RecordBatch.from_arrays([batch.column(c) for c in kept] + columns,
                                      schema=pa.schema([batch.schema.field(c) for c in kept] + fields))


def empty_table(out: PendingVersion, name: str, source: TableInput, fields: list[pa.Field]) -> None:
    """An empty input still yields an (empty) output table with the tag columns."""
    schema = source.version.read(source.table).schema
    kept = [f for f in schema if f.name not in {x.name for x in fields}]
    out.table(name, pa.schema(kept + fields), source.version.tables[source.table]["kind"])
