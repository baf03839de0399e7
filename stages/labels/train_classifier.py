"""`train_classifier`: distil a `labels` version (LLM or metadata teacher) into fastText students, one
supervised model per label family, and write them into the new version as the `models` table (the .bin
bytes in a `binary` column), so each model is a versioned artifact whose input is the label version it
learned from. `classify` applies them.

One model per family rather than one multi-label model: on the real PMC + MTSamples teacher labels
(`benchmarks/classify.py`) one one-vs-all model over all families scored lower held-out macro-F1 on every
family (discipline 0.628 vs 0.638, doc_type 0.653 vs 0.664, domain 0.848 vs 0.866); separate softmax
models also keep each family's classes exclusive, its calibration its own, and let a family be retrained
or skipped (too few labels) alone.

Documents, not rows, are held out (a seeded hash of doc_id), so no article teaches and tests the same
model. The held-out rows give the report (per-class precision/recall/F1, macro-F1, confusion matrix,
Cohen's kappa with the teacher; Spearman and F1 at >= 3 for edu_score) and the calibration of the scores
(isotonic, see `stages/labelling/student.py`). One thread and a fixed seed make the model bytes
reproducible: the same labels and config give the same models.
"""
import dataclasses
import json
from dataclasses import dataclass

import numpy as np
import xxhash

from medcurate.config import option
from medcurate.console import console
from medcurate.funnel import Funnel
from medcurate.stage import Stage, StageInputs, register
from medcurate.stages.labels.families import FAMILIES
from medcurate.stages.labels.metrics import classification_report, ordinal_report
from medcurate.stages.labels.student import MODELS, Params, Student, fit_isotonic, prepare, train
from medcurate.store import PendingVersion


@dataclass(frozen=True)
class Config:
    families: list[str] = option(list(FAMILIES), "label families to train a student for")
    seed: int = option(1, "seeds the hold-out split and fastText")
    holdout: float = option(0.2, "share of documents held out for the report and the calibration")
    min_rows: int = option(20, "a family with fewer labelled training rows is skipped, and said so")
    epoch: int = option(25, "fastText epochs")
    lr: float = option(0.5, "fastText learning rate")
    dim: int = option(64, "fastText vector size")
    min_count: int = option(1, "fastText minimum word count")

    def __post_init__(self):
        if unknown := set(self.families) - set(FAMILIES):
            raise ValueError(f"unknown label families {sorted(unknown)}; known: {', '.join(FAMILIES)}")
        if not 0 < self.holdout < 1:
            raise ValueError("holdout must be between 0 and 1")

    def params(self) -> Params:
        return Params(self.epoch, self.lr, self.dim, self.min_count)


@register
class TrainClassifier(Stage):
    name = "train_classifier"
    writes = ("models",)
    reads = ("labels",)
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        cfg = self.config
        rows = self._rows(inputs, funnel)
        heldout = np.array([held_out(r["doc_id"] or r["id"], cfg.seed, cfg.holdout) for r in rows], bool)
        models = out.table("models", MODELS, "models")
        reports, skipped = {}, {}
        for family in cfg.families:
            labelled = np.array([r[family] is not None for r in rows], bool)
            train_idx, test_idx = np.flatnonzero(labelled & ~heldout), np.flatnonzero(labelled & heldout)
            if reason := _unusable(rows, family, train_idx, test_idx, cfg.min_rows):
                skipped[family] = reason
                continue
            try:
                model, reports[family] = self._fit(rows, family, train_idx, test_idx)
            except RuntimeError as exc:          # fastText diverges ("Encountered NaN") on tiny or odd data
                skipped[family] = f"fastText: {exc}"
                continue
            models.write([model])
        for family, report in reports.items():
            console.print(f"  {family}: macro-F1 {report['macro_f1']}, kappa {report['kappa']}, accuracy "
                          f"{report['accuracy']} on {report['rows']:,} held-out rows")
        return {"macro_f1": {f: r["macro_f1"] for f, r in reports.items()},
                "kappa": {f: r["kappa"] for f, r in reports.items()},
                "skipped": skipped,
                "split": {"by": "doc_id", "seed": cfg.seed, "holdout": cfg.holdout, "rows": len(rows),
                          "heldout_rows": int(heldout.sum())},
                "report": reports}

    def _rows(self, inputs: StageInputs, funnel: Funnel) -> list[dict]:
        """The labelled rows with text; the others are dropped with the reason."""
        rows = []
        for table in inputs.tables:
            funnel.inputs += 1
            for batch in table.iter_batches():
                funnel.see(batch.num_rows)
                texts = prepare(batch.column("text"))
                for row, text in zip(batch.select(["id", "doc_id", *FAMILIES]).to_pylist(), texts):
                    if not text:
                        funnel.drop("empty text")
                    elif all(row[f] is None for f in self.config.families):
                        funnel.drop("no label in the trained families")
                    else:
                        rows.append({**row, "text": text})
        funnel.keep(len(rows))
        return rows

    def _fit(self, rows: list[dict], family: str, train_idx: np.ndarray, test_idx: np.ndarray) -> tuple[dict, dict]:
        cfg = self.config
        classes = sorted({str(rows[i][family]) for i in train_idx})
        binary = train([rows[i]["text"] for i in train_idx], [rows[i][family] for i in train_idx],
                       cfg.params(), cfg.seed)
        gold = [str(rows[i][family]) for i in test_idx]
        predicted, confidence = Student(binary, classes).predict([rows[i]["text"] for i in test_idx])
        report = classification_report(gold, predicted)
        if family == "edu_score":
            report.update(ordinal_report([int(g) for g in gold], [int(p) for p in predicted]))
        calibration = fit_isotonic(confidence, np.array(gold) == np.array(predicted, dtype=object))
        report.update(train_rows=len(train_idx), calibration_points=len(calibration[0]))
        model = {"family": family, "classes": classes, "format": "fasttext.bin",
                 "params": json.dumps(dataclasses.asdict(cfg.params()), sort_keys=True), "seed": cfg.seed,
                 "train_rows": len(train_idx), "heldout_rows": len(test_idx),
                 "calibration_x": calibration[0], "calibration_y": calibration[1], "binary": binary}
        return model, report


def held_out(group: str, seed: int, share: float) -> bool:
    return xxhash.xxh64_intdigest(f"{seed}:{group}".encode()) % 10_000 < share * 10_000


def _unusable(rows: list[dict], family: str, train_idx: np.ndarray, test_idx: np.ndarray, min_rows: int) -> str | None:
    if len(train_idx) < min_rows:
        return f"{len(train_idx)} labelled training rows (< {min_rows})"
    if len({rows[i][family] for i in train_idx}) < 2:
        return "a single class in the training rows"
    if not len(test_idx):
        return "no labelled held-out rows"
    return None
