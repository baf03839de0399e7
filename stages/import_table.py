"""`import`: bring a table made elsewhere into the store as a version, so any stage can run on it.

The table's own `id` column is kept (or taken from `id_column`); rows without one get
"<file stem>:<row>". Lines or rows that cannot be read go to the `quarantine` table.
"""
import posixpath
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from medcurate import schemas
from medcurate.config import option
from medcurate.errors import UsageError
from medcurate.funnel import Funnel
from medcurate.gate import check_deidentified
from medcurate.stage import Stage, StageInputs, register
from medcurate.store import PendingVersion
from medcurate.tables import read_table


@dataclass(frozen=True)
class Config:
    kind: str | None = option(None, "documents, passages, exam_items, qa_pairs, ...; None: inferred from columns")
    id_column: str = option("id", "column holding unique row ids")


@register
class ImportTable(Stage):
    name = "import"
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        (path,) = inputs.files
        funnel.inputs += 1
        read = read_table(path)
        table = with_id_column(read.table, self.config.id_column, posixpath.basename(path.rstrip("/")))
        check_deidentified(table.to_batches(), where=path)    # raw notes must not enter the store
        out.table(self.config.kind or infer_kind(table.column_names), table.schema).write(table)
        funnel.see(table.num_rows + len(read.bad_rows))
        funnel.keep(table.num_rows)
        if read.bad_rows:
            quarantine = out.table("quarantine", schemas.QUARANTINE)
            quarantine.write([{"id": f"q{i:07d}", "file": path, "row": row, "reason": reason, "stage": self.name}
                              for i, (row, reason) in enumerate(read.bad_rows, 1)])
            funnel.quarantine(len(read.bad_rows))
        return {"columns": table.schema.names}


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
