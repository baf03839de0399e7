"""`ingest_notes`: clinical notes (MTSamples-style CSV, ACI-Bench / MTS-Dialog dialogue+note CSV,
MIMIC-style exports, folders of plain-text notes) into documents + passages.

Every note row is written with `deidentified = false`; the PHI gate then refuses these rows to every
later stage until de-identification has run on them.
"""
from collections.abc import Iterator
from dataclasses import dataclass

from medcurate.inputs import InputUnit
from medcurate.records import Quarantined, Skipped
from stages.file_ingest import FileIngestStage
from stages.formats.notes import parse_notes


@dataclass(frozen=True)
class Config:
    text_column: str | None = None   # CSV column holding the note, when it is not one of the usual names
    id_column: str | None = None


class IngestNotes(FileIngestStage):
    name = "ingest_notes"
    code_version = "1"
    Config = Config

    def parse(self, unit: InputUnit) -> Iterator[dict | Quarantined | Skipped]:
        return parse_notes(unit.name, unit.data, self.config.text_column, self.config.id_column)
