"""`deidentify`: replace PHI in clinical-note rows with surrogates, on stored or external tables.

`ingest_notes` already de-identifies on the way in; this stage is for notes that come from elsewhere
(`medcurate stage deidentify --input notes.csv`) and for re-running with another surrogate mode. It
is the only stage allowed to read note rows that have not passed de-identification. Rows of other
sources pass through unchanged; in a table without a `source` column every row is taken as a note.
"""
import posixpath
from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa

from medcurate import schemas
from medcurate.config import option
from medcurate.errors import UsageError
from medcurate.funnel import Funnel
from medcurate.schemas.base import PHI_SPANS
from medcurate.stage import Stage, StageInputs, TableInput, register
from medcurate.stages.deidentify.scrub import ScrubbingStage, check_surrogate
from medcurate.stages.import_table import with_id_column
from medcurate.store import PendingVersion
from medcurate.tables import read_table

BATCH = 256


@dataclass(frozen=True)
class Config:
    surrogate: str = option("tag", "'tag': [NAME], [DATE]...; 'fake': consistent fake values per note")
    text_column: str = option("text", "the note text column of an external table")

    def __post_init__(self):
        check_surrogate(self.surrogate)


@register
class Deidentify(ScrubbingStage, Stage):
    name = "deidentify"
    writes = ("documents", "passages")
    reads = ("documents",)
    accepts_raw_notes = True
    imports_paths = False
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        scrubbed = 0
        for source in inputs.tables:
            table = source.version.read(source.table)
            ours = table.schema.equals(schemas.DOCUMENTS)
            scrubbed += self._scrub_table(out, funnel, source.table, table, _sibling_passages(source) if ours else {})
        for path in inputs.files:         # external tables are read in memory: raw notes never enter the store
            read = read_table(path)
            if read.bad_rows:
                raise UsageError(f"{path}: {len(read.bad_rows)} unreadable rows, first: {read.bad_rows[0][1]}")
            table = with_id_column(read.table, "id", posixpath.basename(path.rstrip("/")))
            scrubbed += self._scrub_table(out, funnel, "documents", table, {})
        return {"notes_deidentified": scrubbed, "surrogate": self.config.surrogate}

    def _scrub_table(self, out: PendingVersion, funnel: Funnel, name: str, table: pa.Table,
                     passages: dict[str, list[dict]]) -> int:
        funnel.inputs += 1
        ours = table.schema.equals(schemas.DOCUMENTS)
        docs_out = out.table(name, schemas.DOCUMENTS if ours else _with_deid_columns(table.schema), "documents")
        parts_out = out.table("passages", schemas.PASSAGES) if passages else None
        rows, scrubbed = table.to_pylist(), 0
        for i in range(0, len(rows), BATCH):
            batch = rows[i:i + BATCH]
            views = [self._view(row, ours, passages.get(row["id"], [])) for row in batch]
            scrubbed += sum(v["source"] == "note" and not v.get("deidentified") for v in views)
            self.scrubber.scrub(views)
            for row, view in zip(batch, views):
                _write_back(row, view, self.config.text_column, ours)
            docs_out.write(batch)
            if parts_out:
                parts_out.write([p for v in views for p in v.get("passages", [])])
        funnel.see(len(rows))
        funnel.keep(len(rows))
        return scrubbed

    def _view(self, row: dict, ours: bool, passages: list[dict]) -> dict:
        """The fields the scrubber works on, whatever the table's layout."""
        if ours:
            return {**row, "passages": passages}
        if self.config.text_column not in row:
            raise UsageError(f"no column {self.config.text_column!r}; set text_column in the stage config")
        return {"id": row["id"], "source": row.get("source") or "note", "deidentified": row.get("deidentified"),
                "text": row[self.config.text_column], "title": row.get("title")}


def _write_back(row: dict, view: dict, text_column: str, ours: bool) -> None:
    if ours:
        row.update({k: v for k, v in view.items() if k != "passages"})
        return
    row[text_column] = view["text"]
    row["source"] = view["source"]
    for key in ("title", "deidentified", "phi_spans"):
        if key in view:
            row[key] = view[key]


def _sibling_passages(source: TableInput) -> dict[str, list[dict]]:
    """Passages stored beside the documents, grouped by document, so their offsets can be carried over."""
    found = [name for name, info in source.version.tables.items() if info["kind"] == "passages"]
    grouped: dict[str, list[dict]] = defaultdict(list)
    for name in found[:1]:
        for part in source.version.read(name).to_pylist():
            grouped[part["doc_id"]].append(part)
    return grouped


def _with_deid_columns(schema: pa.Schema) -> pa.Schema:
    for name, typ in (("source", pa.string()), ("deidentified", pa.bool_()), ("phi_spans", PHI_SPANS)):
        if name not in schema.names:
            schema = schema.append(pa.field(name, typ))
    return schema
