"""`classify`: apply the fastText students of a `train_classifier` version to every passage, shard by
shard (one `predict(list)` per model and shard), appending a label and a calibrated score per family:

    doc_type, doc_type_score, domain, domain_score, edu_score (int), edu_score_score,
    discipline, discipline_score

(a contract: `select` filters on them and the Label Studio export reads them). A family the models
version has no model for gets null columns; so does a passage without text. Nothing is dropped.

    medcurate stage classify --input pmc:passages --input <train_classifier version>
"""
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from medcurate.funnel import Funnel
from medcurate.stage import Stage, StageInputs
from medcurate.store import PendingVersion
from medcurate.tagging import empty_table, output_names, with_columns
from stages.labelling.families import FAMILIES, LABEL_FIELDS
from stages.labelling.student import Student, prepare
from stages.labelling.tables import kind_of

TAG_COLUMNS = [f for label in LABEL_FIELDS for f in (label, pa.field(f"{label.name}_score", pa.float32()))]


@dataclass(frozen=True)
class Config:
    text_column: str = "text"


class Classify(Stage):
    name = "classify"
    code_version = "1"
    reads = ("passages", "models")
    part_rows = 50_000
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        models = [t for t in inputs.tables if kind_of(t) == "models"]
        targets = [t for t in inputs.tables if kind_of(t) != "models"]
        if len(models) != 1 or not targets:
            raise ValueError("classify needs one train_classifier version (its models table) and a passages table")
        students = {row["family"]: Student.from_row(row) for row in models[0].version.read(models[0].table).to_pylist()}
        counts = {family: Counter() for family in students}
        funnel.inputs += 1
        for source, name in zip(targets, output_names(targets)):
            funnel.inputs += 1
            writer = None
            for batch in source.iter_batches():
                tagged = self.tag(batch, students, counts)
                writer = writer or out.table(name, tagged.schema, kind_of(source))
                writer.write(tagged)
                funnel.see(batch.num_rows)
                funnel.keep(batch.num_rows)
            if writer is None:
                empty_table(out, name, source, TAG_COLUMNS)
        return {"models": models[0].version.id, "families": sorted(students),
                "missing_families": [f for f in FAMILIES if f not in students],
                "labels": {f: dict(c.most_common()) for f, c in counts.items()}}

    def tag(self, batch: pa.RecordBatch, students: dict[str, Student], counts: dict[str, Counter]) -> pa.RecordBatch:
        texts = prepare(batch.column(self.config.text_column))
        columns = []
        for field in LABEL_FIELDS:
            if field.name not in students:
                columns += [pa.nulls(batch.num_rows, field.type), pa.nulls(batch.num_rows, pa.float32())]
                continue
            student = students[field.name]
            labels, raw = student.predict(texts)
            counts[field.name].update(labels)
            columns += [pc.cast(pa.array(labels, pa.string()), field.type),
                        pa.array(student.scores(raw), pa.float32(), from_pandas=True)]
        return with_columns(batch, columns, TAG_COLUMNS)

