"""`classify`: apply the fastText students of a `train_classifier` version to every passage, shard by
shard (one `predict(list)` per model and shard), appending a label and a calibrated score per family:

    doc_type, doc_type_score, domain, domain_score, edu_score (int), edu_score_score,
    discipline, discipline_score

(a contract: `select` filters on them and the Label Studio export reads them). A family the models
version has no model for gets null columns; so does a passage without text. Nothing is dropped.

    medcurate stage classify --input pmc:passages --input <train_classifier version>
"""
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from medcurate.config import option
from medcurate.errors import UsageError
from medcurate.stage import StageInputs, register
from medcurate.stages.labels.families import FAMILIES, LABEL_FIELDS
from medcurate.stages.labels.student import Student, prepare
from medcurate.store import PendingVersion
from medcurate.tagging import Position, Tagger

TAG_COLUMNS = [f for label in LABEL_FIELDS for f in (label, pa.field(f"{label.name}_score", pa.float32()))]


@dataclass(frozen=True)
class Config:
    text_column: str = option("text", "the column the students read")


@register
class Classify(Tagger):
    name = "classify"
    reads = ("passages", "models")
    columns = TAG_COLUMNS
    needs = ("text",)
    part_rows = 50_000
    Config = Config

    def prepare(self, inputs: StageInputs, out: PendingVersion, resources: ExitStack) -> None:
        models = [t for t in inputs.tables if t.kind == "models"]
        if len(models) != 1 or len(models) == len(inputs.tables):
            raise UsageError("classify needs one train_classifier version (its models table) and a passages table")
        self.models = models[0]
        self.students = {row["family"]: Student.from_row(row) for row in self.models.read().to_pylist()}
        self.counts = {family: Counter() for family in self.students}

    def is_target(self, kind: str) -> bool:
        return kind != "models"

    def tag(self, batch: pa.RecordBatch, at: Position) -> list[pa.Array]:
        texts = prepare(batch.column(self.config.text_column))
        columns = []
        for field in LABEL_FIELDS:
            if field.name not in self.students:
                columns += [pa.nulls(batch.num_rows, field.type), pa.nulls(batch.num_rows, pa.float32())]
                continue
            student = self.students[field.name]
            labels, raw = student.predict(texts)
            self.counts[field.name].update(labels)
            columns += [pc.cast(pa.array(labels, pa.string()), field.type),
                        pa.array(student.scores(raw), pa.float32(), from_pandas=True)]
        return columns

    def summary(self) -> dict:
        return {"models": self.models.version.id, "families": sorted(self.students),
                "missing_families": [f for f in FAMILIES if f not in self.students],
                "labels": {f: dict(c.most_common()) for f, c in self.counts.items()}}
