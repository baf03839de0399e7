"""`import`: bring a table made elsewhere into the store as a version, so any stage can run on it.

The table's own `id` column is kept (or taken from `id_column`); rows without one get
"<file stem>:<row>". Lines or rows that cannot be read go to the `quarantine` table. Tables that look like
clinical notes or carry patient fields are refused (medcurate/gate.py) unless `assume_deidentified` says why
they may enter; a `deidentified` column in the file is never believed: it is dropped, or set for every row
under that recorded assertion.
"""
import posixpath
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from medcurate import schemas
from medcurate.config import option
from medcurate.errors import UsageError
from medcurate.funnel import Funnel
from medcurate.gate import refusal, screen_table
from medcurate.runner import file_digest
from medcurate.stage import Stage, StageInputs, register
from medcurate.store import PendingVersion
from medcurate.tables import read_table


@dataclass(frozen=True)
class Config:
    kind: str | None = option(None, "documents, passages, exam_items, qa_pairs, ...; None: inferred from columns")
    id_column: str = option("id", "column holding unique row ids")
    assume_deidentified: str | None = option(None, "why this table is already de-identified (recorded in the "
                                             "version); without it, tables that look like clinical notes are refused")


@register
class ImportTable(Stage):
    name = "import"
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        (path,) = inputs.files
        funnel.inputs += 1
        read = read_table(path)
        table = with_id_column(read.table, self.config.id_column, posixpath.basename(path.rstrip("/")))
        table = self._admit(table, f"the table given as input (sha256 {file_digest(path)})")
        out.table(self.config.kind or infer_kind(table.column_names), table.schema).write(table)
        funnel.see(table.num_rows + len(read.bad_rows))
        funnel.keep(table.num_rows)
        if read.bad_rows:
            quarantine = out.table("quarantine", schemas.QUARANTINE)
            quarantine.write([{"id": f"q{i:07d}", "file": path, "row": row, "reason": reason, "stage": self.name}
                              for i, (row, reason) in enumerate(read.bad_rows, 1)])
            funnel.quarantine(len(read.bad_rows))
        return {"columns": table.schema.names}


    def _admit(self, table: pa.Table, where: str) -> pa.Table:
        """The table as it may enter the store, or a refusal: raw notes stay out."""
        if "deidentified" in table.column_names:
            table = table.drop_columns(["deidentified"])
        if self.config.assume_deidentified:
            return table.append_column("deidentified", pa.array([True] * table.num_rows, pa.bool_()))
        if found := screen_table(table):
            raise refusal(where, found, table.num_rows)
        return table


def with_id_column(table: pa.Table, id_column: str, stem: str) -> pa.Table:
    """Ensure a unique string `id` column first in the table."""
    if id_column in table.column_names:
        ids = pc.cast(table.column(id_column), pa.string())
        table = table.drop_columns([id_column])
        if ids.null_count:
            raise UsageError(f"column {id_column!r} has {ids.null_count} empty ids")
    else:
        ids = pa.array([f"{stem}:{i}" for i in range(table.num_rows)], pa.string())
    if len(pc.unique(ids)) != len(ids):
        raise UsageError(f"column {id_column!r} has repeated ids; ids must be unique")
    return table.add_column(0, "id", ids)


def infer_kind(columns: list[str]) -> str:
    """The dataset kind a table most likely is, from its column names."""
    names = set(columns)
    if {"question", "options"} <= names:
        return "exam_items"
    if {"question", "answer"} <= names:
        return "qa_pairs"
    if "doc_id" in names:
        return "passages"
    return "documents"
