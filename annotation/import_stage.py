"""`import_annotations`: reviewers' answers from a Label Studio JSON export, as an `annotations` version.

The stage reads a file (the CLI downloads it from the server first), so the version id is a function of
exactly what was downloaded: re-importing an unchanged project is a cache hit. One row per (judged row,
annotator, field, value); several annotators per task are kept side by side. The manifest summary holds
the agreement report (see annotation/agreement.py).
"""
import json
import posixpath
from collections import defaultdict
from dataclasses import dataclass

import fsspec
import pyarrow as pa

from medcurate.annotation.agreement import between_humans, model_vs_humans
from medcurate.annotation.configs import LabelConfig, config_for_ref
from medcurate.annotation.tasks import CONFIG, ID, INPUT
from medcurate.config import option
from medcurate.errors import UsageError
from medcurate.funnel import Funnel
from medcurate.stage import Stage, StageInputs, register
from medcurate.store import PendingVersion

ANNOTATIONS = pa.schema([
    pa.field("id", pa.string(), nullable=False),    # "<task id>/<annotation id>/<field>/<k>"
    pa.field("row_id", pa.string()),                # the medcurate row judged (qa pair or passage id)
    pa.field("row_version", pa.string()),           # the version:table it was exported from
    pa.field("project", pa.string()),               # Label Studio project title
    pa.field("config", pa.string()),                # labeling config "name@version"
    pa.field("task_id", pa.int64()),
    pa.field("annotation_id", pa.int64()),
    pa.field("annotator", pa.string()),             # email, or "user:<id>" when the export has no email
    pa.field("field", pa.string()),
    pa.field("value", pa.string()),
    pa.field("lead_time", pa.float64()),            # seconds the annotator spent
    pa.field("created_at", pa.string()),
])


@dataclass(frozen=True)
class Config:
    project: str | None = option(None, "project title recorded on every row; default: the file's name")


@register
class ImportAnnotations(Stage):
    name = "import_annotations"
    writes = ("annotations",)
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        (path,) = inputs.files
        funnel.inputs += 1
        with fsspec.open(path, "rt", encoding="utf-8") as fh:
            tasks = json.load(fh)
        project = self.config.project or posixpath.basename(path).removesuffix(".json")
        config = _one_config(tasks)
        humans: dict[str, dict] = defaultdict(dict)            # field -> row -> annotator -> value
        rows, annotators = [], set()
        for task in tasks:
            annotations = sorted(task.get("annotations") or [], key=lambda a: a["id"])
            funnel.see(len(annotations))
            if ID not in task["data"]:
                funnel.drop("task not exported by medcurate", len(annotations))
                continue
            for annotation in annotations:
                if annotation.get("was_cancelled"):
                    funnel.drop("skipped by the annotator")
                    continue
                values = _values(annotation["result"], config)
                if not values:
                    funnel.drop("empty annotation")
                    continue
                annotator = _annotator(annotation["completed_by"])
                annotators.add(annotator)
                for field, answer in values.items():
                    humans[field].setdefault(task["data"][ID], {})[annotator] = "|".join(sorted(answer))
                    rows += [_row(task, annotation, project, config, annotator, field, k, v)
                             for k, v in enumerate(answer)]
                funnel.keep()
        out.table("annotations", ANNOTATIONS).write(rows)
        judged = [f for f in config.controls if f not in config.free_text]
        return {"project": project, "config": config.ref, "tasks": len(tasks),
                "tasks_annotated": sum(1 for t in tasks if t.get("annotations")),
                "annotators": sorted(annotators),
                "agreement": {f: between_humans(humans[f]) for f in judged},
                "automatic": _automatic(tasks, config, humans)}


def _one_config(tasks: list[dict]) -> LabelConfig:
    refs = {t["data"][CONFIG] for t in tasks if CONFIG in t.get("data", {})}
    if len(refs) != 1:
        raise UsageError(f"expected tasks of one medcurate labeling config, found {sorted(refs) or 'none'}")
    return config_for_ref(refs.pop())


def _values(result: list[dict], config: LabelConfig) -> dict[str, list[str]]:
    """field -> the values given (choices may hold several; blank free text counts as no answer)."""
    found = {}
    for item in result:
        if item.get("from_name") not in config.controls:
            continue
        raw = item["value"].get(item["type"])
        answer = [str(v).strip() for v in (raw if isinstance(raw, list) else [raw]) if str(v).strip()]
        if answer:
            found[item["from_name"]] = answer
    return found


def _annotator(completed_by) -> str:
    if isinstance(completed_by, dict):
        return completed_by.get("email") or f"user:{completed_by['id']}"
    return f"user:{completed_by}"


def _row(task, annotation, project, config, annotator, field, k, value) -> dict:
    return {"id": f"{task['id']}/{annotation['id']}/{field}/{k}", "row_id": task["data"][ID],
            "row_version": task["data"].get(INPUT), "project": project, "config": config.ref,
            "task_id": task["id"], "annotation_id": annotation["id"], "annotator": annotator,
            "field": field, "value": value, "lead_time": annotation.get("lead_time"),
            "created_at": annotation.get("created_at")}


def _automatic(tasks: list[dict], config: LabelConfig, humans: dict[str, dict]) -> dict:
    """Per prediction source (model_version) and field: its agreement with the human judgments."""
    predicted: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))   # model -> field -> row -> value
    for task in tasks:
        if ID not in task["data"]:
            continue
        for prediction in task.get("predictions") or []:
            for field, answer in _values(prediction["result"], config).items():
                predicted[prediction["model_version"]][field][task["data"][ID]] = "|".join(sorted(answer))
    return {model: {field: model_vs_humans(rows, humans[field], config.positive.get(field))
                    for field, rows in sorted(fields.items())}
            for model, fields in sorted(predicted.items())}
