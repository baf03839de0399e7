"""`ingest_exams`: medical exam banks (MedQA, MedMCQA, PubMedQA, MMLU, HEAD-QA, CMExam, FrenchMedMCQA,
and files in the same layouts) into one `exam_items` table. The format is detected from content."""
from collections.abc import Iterator
from dataclasses import dataclass

from medcurate.config import option
from medcurate.errors import UsageError
from medcurate.inputs import InputUnit
from medcurate.records import Quarantined, Skipped
from medcurate.stage import register
from medcurate.stages.file_ingest import FileIngestStage
from medcurate.stages.readers.exams import FORMATS, parse_exam


@dataclass(frozen=True)
class Config:
    format: str | None = option(None, "force one layout instead of detecting it per file")

    def __post_init__(self):
        if self.format is not None and self.format not in FORMATS:
            raise UsageError(f"unknown exam format {self.format!r}; choose from {', '.join(FORMATS)}")


@register
class IngestExams(FileIngestStage):
    name = "ingest_exams"
    writes = ("exam_items", "quarantine")
    Config = Config

    def parse(self, unit: InputUnit) -> Iterator[dict | Quarantined | Skipped]:
        return parse_exam(unit.name, unit.data, self.config.format)
