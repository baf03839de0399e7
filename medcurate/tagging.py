"""Taggers: stages that append columns to every row of their tables and delete nothing (dolma's idea).

A tagger declares the columns it writes (`columns`) and the ones it reads (`needs`), and implements
`tag(batch, at) -> [arrays]`; `prepare(inputs)` does any whole-input work first (an index, models, clusters).
The base owns the rest: which tables are tagged, unique output names, writers, empty tables, progress and
funnel counts. A new filter is one short file (medcurate/stages/langid.py is one).
"""
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from typing import ClassVar

import pyarrow as pa

from medcurate.console import track
from medcurate.funnel import Funnel
from medcurate.stage import Part, Phase, Stage, StageInputs, TableInput, TableSpec, part_size
from medcurate.store import PendingVersion, Version


@dataclass(frozen=True)
class Position:
    """Where a batch sits: its table, and its first row's index among all rows the tagger tags."""
    source: TableInput
    row: int


class Tagger(Stage):
    reads = ("*",)
    columns: ClassVar[list[pa.Field]] = []
    # With `part_rows`, a run splits into row slices of every target table (a task each); a tagger whose
    # `prepare` is costly and the same for every part (an index) sets `prepare_once` and implements
    # `save_prepared` / `load_prepared`: its preparation is then a phase of its own, run once.
    prepare_once: ClassVar[bool] = False

    def prepare(self, inputs: StageInputs, out: PendingVersion, resources: ExitStack) -> None:
        """Whole-input work before any row is tagged (build an index, load models); what must be closed
        after the run (an LLM client) goes on `resources`."""

    def is_target(self, kind: str) -> bool:
        """Whether tables of this kind are tagged and written out (default: every input table)."""
        return True

    def targets(self, inputs: StageInputs) -> list[TableInput]:
        return [t for t in inputs.tables if self.is_target(t.kind)]

    def outputs(self, inputs: list[TableSpec]) -> list[TableSpec]:
        targets = [t for t in inputs if self.is_target(t.kind)]
        added = {f.name for f in self.columns}
        return [TableSpec(name, t.kind, t.columns | added if t.columns is not None else None)
                for t, name in zip(targets, unique_names([t.name for t in targets]))]

    def tag(self, batch: pa.RecordBatch, at: Position) -> list[pa.Array]:
        """One array per declared column, for the rows of `batch`."""
        raise NotImplementedError

    def summary(self) -> dict:
        return {}

    def save_prepared(self, out: PendingVersion) -> None:
        """Write what `prepare` built as tables of `out` (with `prepare_once`)."""
        raise NotImplementedError

    def load_prepared(self, version: Version) -> None:
        """Restore what `prepare` built from the version `save_prepared` wrote (with `prepare_once`)."""
        raise NotImplementedError

    def phases(self) -> list[Phase]:
        if not self.part_rows:
            return []
        rows = Phase("rows", self._row_parts, self._tag_part)
        if not self.prepare_once:
            return [rows]
        return [Phase("prepare", lambda inputs, earlier: [Part("once", inputs)], self._prepare_part), rows]

    def _row_parts(self, inputs: StageInputs, earlier: dict[str, list[Version]]) -> list[Part]:
        """Slices of every target table, each named as the whole run would name it, with the other inputs."""
        size = part_size(self.part_rows)
        targets = self.targets(inputs)
        if not earlier and sum(t.num_rows for t in targets) <= size:
            return []
        context = [t for t in inputs.tables if not self.is_target(t.kind)]
        parts = []
        for target, name in zip(targets, output_names(targets)):
            for start in range(0, max(target.num_rows, 1), size):     # an empty table: one empty part
                stop = min(start + size, target.num_rows)
                piece = TableInput(target.version, target.table, (start, stop), name)
                parts.append(Part(f"{name} rows {start}-{stop}", StageInputs([piece, *context], inputs.files)))
        return parts

    def _prepare_part(self, part: Part, earlier: dict, out: PendingVersion, funnel: Funnel) -> dict:
        with ExitStack() as resources:
            self.prepare(part.inputs, out, resources)
            self.save_prepared(out)
        return {}

    def _tag_part(self, part: Part, earlier: dict[str, list[Version]], out: PendingVersion, funnel: Funnel) -> dict:
        with ExitStack() as resources:
            if self.prepare_once:
                self.load_prepared(earlier["prepare"][0])
            else:
                self.prepare(part.inputs, out, resources)
            self._tag_all(part.inputs, out, funnel)
        return self.summary()

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        with ExitStack() as resources:
            self.prepare(inputs, out, resources)
            self._tag_all(inputs, out, funnel)
        return self.summary()

    def _tag_all(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> None:
        targets = self.targets(inputs)
        funnel.inputs += len(inputs.tables)
        row = 0
        for source, name in zip(targets, output_names(targets)):
            writer = None
            batches = track(source.iter_batches(), f"{self.name}: {source.ref}")
            for batch in batches:
                tagged = with_columns(batch, self.tag(batch, Position(source, row)), self.columns)
                writer = writer or out.table(name, tagged.schema, source.kind)
                writer.write(tagged)
                funnel.see(batch.num_rows)
                funnel.keep(batch.num_rows)
                row += batch.num_rows
            if writer is None:
                empty_table(out, name, source, self.columns)


def output_names(tables: list[TableInput]) -> list[str]:
    """The input table names, made unique (passages, passages_2, ...) when two inputs share one."""
    return unique_names([t.name or t.table for t in tables])


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
    columns = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]
    return pa.RecordBatch.from_arrays([batch.column(c) for c in kept] + columns,
                                      schema=pa.schema([batch.schema.field(c) for c in kept] + fields))


def empty_table(out: PendingVersion, name: str, source: TableInput, fields: list[pa.Field]) -> None:
    """An empty input still yields an (empty) output table with the tag columns."""
    kept = [f for f in source.schema if f.name not in {x.name for x in fields}]
    out.table(name, pa.schema(kept + fields), source.kind)
