"""Label Studio tasks from medcurate rows: what the reviewer reads, plus the model's output as predictions.

Predictions appear as pre-annotations with their scores, so reviewers correct rather than start blank, and
the import can measure each automatic step against the humans. Every task carries the medcurate row id,
the version it came from and the labeling config it was made for (`medcurate_*` data fields, not shown).
"""
from medcurate.annotation.configs import LabelConfig
from medcurate.annotation.sample import GROUNDING_THRESHOLD, Pick

ID, INPUT, CONFIG, REASON = "medcurate_id", "medcurate_input", "medcurate_config", "medcurate_reason"
SHOWN = {"qa": ("passage", "question", "answer"), "labels": ("text",)}
FILTER_MODEL = f"grounding_score>={GROUNDING_THRESHOLD}"
JUDGE_MODEL = "llm_judge"
CLASSIFIER_MODEL = "classifier"
JUDGE_TO_GROUNDED = {"supported": "yes", "partially": "partly", "unsupported": "no"}
CLASSIFIER_FIELDS = ("doc_type", "domain", "edu_score", "discipline")   # each with a `<field>_score` column


def build_tasks(rows: list[dict], picks: list[Pick], config: LabelConfig, input_ref: str) -> list[dict]:
    """rows[i] is the table row of picks[i]."""
    predict = _qa_predictions if config.kind == "qa" else _classifier_predictions
    tasks = []
    for row, pick in zip(rows, picks):
        data = {name: row.get(name) or "" for name in SHOWN[config.kind]}
        data |= {ID: row["id"], INPUT: input_ref, CONFIG: config.ref, REASON: pick.reason,
                 "source": row.get("source")}
        tasks.append({"data": data, "predictions": predict(row, config)})
    return tasks


def _qa_predictions(row: dict, config: LabelConfig) -> list[dict]:
    out = []
    if (score := row.get("grounding_score")) is not None:
        verdict = "yes" if score >= GROUNDING_THRESHOLD else "no"
        out.append(_prediction(FILTER_MODEL, [_result(config, "grounded", verdict, score)]))
    if (label := JUDGE_TO_GROUNDED.get(row.get("judge_label"))) is not None:
        out.append(_prediction(JUDGE_MODEL, [_result(config, "grounded", label, row.get("judge_score"))]))
    return out


def _classifier_predictions(row: dict, config: LabelConfig) -> list[dict]:
    results = []
    for field in CLASSIFIER_FIELDS:
        value = row.get(field)
        if value is None:
            continue
        value = str(int(value)) if field == "edu_score" else str(value)
        control = config.controls[field]
        if control.choices and value not in control.choices:
            continue                       # a label the form cannot show is no pre-annotation
        results.append(_result(config, field, value, row.get(f"{field}_score")))
    return [_prediction(CLASSIFIER_MODEL, results)] if results else []


def _prediction(model: str, results: list[dict]) -> dict:
    scores = [r["score"] for r in results if r.get("score") is not None]
    return {"model_version": model, "score": min(scores) if scores else None, "result": results}


def _result(config: LabelConfig, field: str, value: str, score: float | None) -> dict:
    control = config.controls[field]
    result = {"from_name": field, "to_name": control.to_name, "type": control.type,
              "value": {"choices" if control.type == "choices" else "text": [value]}}
    return result | ({"score": float(score)} if score is not None else {})
