"""Reviewers' passage labels as extra training rows for the passage classifier.

The rows have the labelling stage's `labels` schema (stages/labelling/families.py), so they can be appended
to the teacher's rows; `label_source` says whose label it is ("human:<annotator>"). One row per (passage,
annotator): disagreements stay visible rather than being voted away.
"""
import pyarrow as pa
import pyarrow.compute as pc

from medcurate.annotation.configs import load_config
from medcurate.stages.labels.families import FAMILIES, LABELS

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
