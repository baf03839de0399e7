"""`ingest_notes`: clinical notes (MTSamples-style CSV, ACI-Bench / MTS-Dialog dialogue+note CSV,
MIMIC-style exports, folders of plain-text notes) into documents + passages.

Notes are de-identified in memory, file by file, before anything is written: raw PHI never reaches
the store. If the de-identifier cannot load, the stage refuses to run.
"""
from collections.abc import Iterator
from dataclasses import dataclass

from medcurate.config import option
from medcurate.inputs import InputUnit
from medcurate.records import Dropped, Quarantined, Skipped
from medcurate.stage import register
from medcurate.stages.deidentify.scrub import ScrubbingStage, check_surrogate
from medcurate.stages.file_ingest import FileIngestStage
from medcurate.stages.readers.notes import parse_notes


@dataclass(frozen=True)
class Config:
    text_column: str | None = option(None, "CSV column holding the note, when it is not one of the usual names")
    id_column: str | None = option(None, "CSV column holding the note id")
    surrogate: str = option("tag", "'tag': [NAME], [DATE]...; 'fake': consistent fake values per note")

    def __post_init__(self):
        check_surrogate(self.surrogate)


@register
class IngestNotes(ScrubbingStage, FileIngestStage):
    name = "ingest_notes"
    accepts_raw_notes = True
    Config = Config

    def parse(self, unit: InputUnit) -> Iterator[dict | Dropped | Quarantined | Skipped]:
        return parse_notes(unit.name, unit.data, self.config.text_column, self.config.id_column)

    def finish_rows(self, rows: list[dict]) -> list[dict]:
        return self.scrubber.scrub(rows)
