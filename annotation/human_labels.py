"""`human_labels`: reviewers' passage labels (an `annotations` version from Label Studio) as training rows for
the passage classifier.

The rows have the `labels` schema of the `annotate` stage (stages/labels/families.py), so `train_classifier`
takes them beside the teacher's: `--input LABELS --input HUMAN_LABELS`; `label_source` says whose label it is
("human:<annotator>"). One row per (passage, annotator): disagreements stay visible rather than voted away.

    medcurate stage human_labels --input <annotations version> --input <passages version>
"""
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from medcurate.annotation.configs import load_config
from medcurate.errors import UsageError
from medcurate.funnel import Funnel
from medcurate.stage import Stage, StageInputs, register
from medcurate.stages.labels.families import FAMILIES, LABELS
from medcurate.store import PendingVersion

CARRIED = ("doc_id", "source", "deidentified")          # copied from the passage when it has them


def human_labels(annotations: pa.Table, passages: pa.Table) -> pa.Table:
    """annotations: an `annotations` table; passages: the passages judged (id, text, ...). Labels of
    passages missing from `passages` are left out: a label without its text teaches nothing."""
    ref = load_config("labels").ref
    columns = ["id", "text", *(c for c in CARRIED if c in passages.column_names)]
    by_id = {p["id"]: p for p in passages.select(columns).to_pylist()}
    labelled: dict[tuple[str, str], dict] = {}
    for row in annotations.filter(pc.equal(annotations.column("config"), ref)).to_pylist():
        if row["row_id"] in by_id and row["field"] in FAMILIES:
            key = (row["row_id"], row["annotator"])
            labelled.setdefault(key, {**by_id[row["row_id"]], "label_source": f"human:{row['annotator']}"})
            labelled[key][row["field"]] = int(row["value"]) if row["field"] == "edu_score" else row["value"]
    rows = sorted(labelled.values(), key=lambda r: (r["id"], r["label_source"]))
    return pa.Table.from_pylist(rows, schema=LABELS)


@dataclass(frozen=True)
class NoSettings:
    pass


@register
class HumanLabels(Stage):
    name = "human_labels"
    reads = ("annotations", "passages")
    writes = ("labels",)
    Config = NoSettings

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        annotations = [t for t in inputs.tables if t.kind == "annotations"]
        passages = [t for t in inputs.tables if t.kind == "passages"]
        if len(annotations) != 1 or not passages:
            raise UsageError("human_labels needs one annotations version and the passages that were reviewed")
        judged = annotations[0].read()
        labels = human_labels(judged, pa.concat_tables([p.read() for p in passages], promote_options="default"))
        funnel.inputs += len(inputs.tables)
        funnel.see(judged.num_rows)
        funnel.keep(judged.num_rows)       # annotation rows are folded into one label row per passage and reviewer
        out.table("labels", LABELS, "labels").write(labels)
        return {"label_rows": labels.num_rows, "reviewers": len(set(labels.column("label_source").to_pylist()))}
