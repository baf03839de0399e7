"""`deidentify`: replace PHI in clinical-note rows with surrogates, on stored or external tables.

`ingest_notes` already de-identifies on the way in; this stage is for notes that come from elsewhere
(`medcurate stage deidentify --input notes.csv`) and for re-running with another surrogate mode. It is the
only stage allowed to read note rows that have not passed de-identification. In a stored table, rows whose
`source` names notes are scrubbed and the others pass through. An external table is all notes, whatever its
columns say: its text column is scrubbed with the passages cut from it, every other string column is scrubbed
too, columns named like identifiers (MRN, name, date of birth, phone...) are dropped, and its rows get ids
derived from the file's digest and their position, never the file's own ids (they may be record numbers).
Runs in parts of `part_rows` documents, so memory follows the part, not the table.
"""
import hashlib
from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from medcurate import schemas
from medcurate.config import option
from medcurate.console import track
from medcurate.errors import UsageError
from medcurate.funnel import Funnel
from medcurate.gate import IDENTIFIER_COLUMN
from medcurate.runner import file_digest
from medcurate.schemas.base import PHI_SPANS
from medcurate.stage import Stage, StageInputs, TableInput, register
from medcurate.stages.deidentify.scrub import ScrubbingStage, check_surrogate
from medcurate.store import PendingVersion
from medcurate.tables import read_table

BATCH = 256


@dataclass(frozen=True)
class Config:
    surrogate: str = option("tag", "'tag': [NAME], [DATE]...; 'fake': consistent fake values per note")
    text_column: str = option("text", "the note text column of an external table")
    id_column: str = option("id", "an external table's id column: dropped, as ids may be record numbers")

    def __post_init__(self):
        check_surrogate(self.surrogate)


@register
class Deidentify(ScrubbingStage, Stage):
    name = "deidentify"
    writes = ("documents", "passages")
    reads = ("documents",)
    accepts_raw_notes = True
    imports_paths = False
    part_rows = 2000
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        scrubbed = 0
        for source in inputs.tables:
            funnel.inputs += 1
            ours = source.schema.equals(schemas.DOCUMENTS)
            writer = out.table(source.name or source.table, source.schema, "documents")
            passages = out.table("passages", schemas.PASSAGES) if ours and _passages_of(source) else None
            for batch in track(source.iter_batches(), f"deidentify: {source.ref}"):
                rows = batch.to_pylist()
                siblings = _sibling_passages(source, [r["id"] for r in rows]) if passages else {}
                views = [{**row, "passages": siblings.get(row["id"], [])} for row in rows]
                scrubbed += self._scrub(views)
                writer.write([{k: v for k, v in view.items() if k != "passages"} for view in views])
                if passages:
                    passages.write([p for view in views for p in view["passages"]])
                funnel.see(len(rows))
                funnel.keep(len(rows))
        for path in inputs.files:         # external tables are read in memory: raw notes never enter the store
            funnel.inputs += 1
            scrubbed += self._external(path, out, funnel)
        return {"notes_deidentified": scrubbed, "surrogate": self.config.surrogate}

    def _scrub(self, views: list[dict]) -> int:
        done = 0
        for i in range(0, len(views), BATCH):
            chunk = views[i:i + BATCH]
            done += sum(self.scrubber.is_raw_note(v) for v in chunk)
            self.scrubber.scrub(chunk)
        return done

    def _external(self, path: str, out: PendingVersion, funnel: Funnel) -> int:
        read = read_table(path)
        if read.bad_rows:
            raise UsageError(f"the table given as input (sha256 {file_digest(path)}): {len(read.bad_rows)} rows "
                             f"cannot be read (first: row {read.bad_rows[0][0]}); fix them, nothing was stored")
        table = read.table
        if self.config.text_column not in table.column_names:
            raise UsageError(f"the table given as input (sha256 {file_digest(path)}) has no column "
                             f"{self.config.text_column!r} ({table.num_columns} columns); set text_column")
        dropped = [c for c in table.column_names if c == self.config.id_column or IDENTIFIER_COLUMN.search(c)
                   or c in ("source", "deidentified", "phi_spans")]
        table = table.drop_columns(dropped)
        digest = file_digest(path)
        writer = out.table("documents", _external_schema(table.schema), "documents")
        notes = 0
        for start in range(0, table.num_rows, BATCH):
            rows = table.slice(start, BATCH).to_pylist()
            ids = [_derived_id(digest, start + i) for i in range(len(rows))]
            views = [{"id": i, "source": "note", "text": row[self.config.text_column]} for i, row in zip(ids, rows)]
            self.scrubber.scrub(views)
            others = self.scrubber.scrub_strings([{k: v for k, v in row.items() if k != self.config.text_column}
                                                  for row in rows], ids)
            writer.write([{**other, self.config.text_column: view["text"], "id": view["id"], "source": "note",
                           "deidentified": True, "phi_spans": view["phi_spans"]}
                          for view, other in zip(views, others)])
            notes += len(rows)
        funnel.see(table.num_rows)
        funnel.keep(table.num_rows)
        return notes


def _derived_id(digest: str, row: int) -> str:
    """A row id from the file's content and the row's position: stable, and it says nothing about the note."""
    return "note-" + hashlib.sha256(f"{digest}:{row}".encode()).hexdigest()[:16]


def _passages_of(source: TableInput) -> str | None:
    return next((name for name, info in source.version.tables.items() if info["kind"] == "passages"), None)


def _sibling_passages(source: TableInput, doc_ids: list[str]) -> dict[str, list[dict]]:
    """The passages stored beside these documents, grouped by document, so their offsets can be carried over."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    wanted = pa.array(doc_ids, pa.string())
    for batch in source.version.iter_batches(_passages_of(source)):
        for part in batch.filter(pc.is_in(batch.column("doc_id"), value_set=wanted)).to_pylist():
            grouped[part["doc_id"]].append(part)
    return grouped


def _external_schema(schema: pa.Schema) -> pa.Schema:
    schema = pa.schema([pa.field("id", pa.string())] + [f for f in schema if f.name != "id"])
    for name, typ in (("source", pa.string()), ("deidentified", pa.bool_()), ("phi_spans", PHI_SPANS)):
        schema = schema.append(pa.field(name, typ))
    return schema
