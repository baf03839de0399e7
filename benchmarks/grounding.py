"""Grounding filters on data nobody here wrote: PubMedQA's 500 expert items in ../shared/data.

Grounded pairs: (the item's abstract contexts, its question, the authors' long answer). Ungrounded:
the same question and answer against another abstract sharing the most MeSH topics; and hard negatives
against the item's own abstract: numbers in the answer changed, a negation inserted, the answer cut off
half way. The items are split in two halves by position: the first fits the score's weights (`--fit`
prints them for stages/grounding_filters/score.py), the second is what the figures are reported on.

Prints ROC-AUC per filter alone and combined, per kind of negative, and precision / recall at the
default threshold (0.5); `--judge N` also runs the LLM judge (embedded model) on N held-out pairs.
Usage: python benchmarks/grounding.py [--data ../shared/data] [--fit] [--judge 40]
"""
import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from medcurate.inputs import list_files  # noqa: E402
from medcurate.stage import StageInputs, TableInput, run_stage  # noqa: E402
from medcurate.stages.grounding.score import FEATURES  # noqa: E402
from medcurate.stages.grounding.stage import Grounding  # noqa: E402
from medcurate.stages.ingest_exams import IngestExams  # noqa: E402
from medcurate.store import VersionStore  # noqa: E402

# MeSH check tags say nothing about the topic
CHECK_TAGS = {"Humans", "Female", "Male", "Adult", "Middle Aged", "Aged", "Aged, 80 and over", "Adolescent",
              "Child", "Child, Preschool", "Infant", "Young Adult", "Animals", "Retrospective Studies",
              "Prospective Studies", "Treatment Outcome", "Follow-Up Studies", "Time Factors", "Risk Factors"}
AUXILIARY = re.compile(r"\b(is|are|was|were|does|did|can|may|should|could|has|have)\b")


def pubmedqa_items(data: Path, store: VersionStore) -> list[dict]:
    version = run_stage(store, IngestExams(), StageInputs(files=list_files([str(data / "exam_mcq" / "pubmedqa")])))
    return [r for r in version.version.read("exam_items").to_pylist() if r["explanation"] and r["context"]]


def build_pairs(items: list[dict], rng: random.Random) -> list[dict]:
    topics = [set(json.loads(i["meta"] or "{}").get("MESHES", [])) - CHECK_TAGS for i in items]
    pairs = []
    for i, item in enumerate(items):
        own, answer = " ".join(item["context"]), item["explanation"]
        base = {"question": item["question"], "half": "fit" if i < len(items) // 2 else "report"}
        pairs.append({**base, "kind": "grounded", "passage": own, "answer": answer, "label": 1})
        other = max((k for k in range(len(items)) if k != i), key=lambda k: (len(topics[i] & topics[k]), -abs(k - i)))
        pairs.append({**base, "kind": "other abstract, same MeSH topic", "passage": " ".join(items[other]["context"]),
                      "answer": answer, "label": 0})
        if re.search(r"\d", answer):
            wrong = re.sub(r"\d+", lambda m: str(int(m.group()) * 3 + 7), answer)
            pairs.append({**base, "kind": "numbers changed", "passage": own, "answer": wrong, "label": 0})
        negated = AUXILIARY.sub(lambda m: m.group() + " not", answer, count=1)
        if negated != answer:
            pairs.append({**base, "kind": "negation inserted", "passage": own, "answer": negated, "label": 0})
        words = answer.split()
        pairs.append({**base, "kind": "answer cut off", "passage": own,
                      "answer": " ".join(words[:max(4, len(words) // 2)]).rstrip(".,;"), "label": 0})
    for k, pair in enumerate(pairs):
        pair["id"] = f"pair{k}"
    return pairs


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a grounded pair outscores an ungrounded one (ties count half)."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):                      # average ranks over ties
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = labels == 1
    return float((ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum()))


def precision_recall(scores, labels, threshold=0.5) -> tuple[float, float]:
    chosen = scores >= threshold
    tp = int((chosen & (labels == 1)).sum())
    return (tp / chosen.sum() if chosen.sum() else 1.0), tp / int((labels == 1).sum())


def score_pairs(store: VersionStore, pairs: list[dict], config: dict) -> list[dict]:
    table = pa.Table.from_pylist([{k: p[k] for k in ("id", "passage", "question", "answer")} for p in pairs])
    pending = store.begin(f"pairs-{len(pairs)}-{abs(hash(json.dumps(config)))}", {"stage": "benchmark"})
    pending.table("qa_pairs", table.schema, "qa_pairs").write(table)
    version = pending.commit({"inputs": 0, "in": 0, "kept": 0, "quarantined": 0, "dropped": {}, "skipped_inputs": {}})
    result = run_stage(store, Grounding.from_dict(config), StageInputs(tables=[TableInput(version, "qa_pairs")]))
    return result.version.read("qa_pairs").to_pylist()


def fit(rows: list[dict], labels: np.ndarray) -> None:
    """Logistic regression by gradient descent (no scikit-learn needed), printed for score.py."""
    x = np.array([[_feature(r, f) for f in FEATURES] for r in rows])
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(20_000):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= 0.5 * (x.T @ (p - labels) / len(labels) + 1e-3 * w)
        b -= 0.5 * float(np.mean(p - labels))
    print("fitted on the fit half:\nWEIGHTS = {" + ", ".join(f'"{f}": {v:.2f}' for f, v in zip(FEATURES, w))
          + f"}}\nBIAS = {b:.2f}")


def _feature(row: dict, name: str) -> float:
    value = {"words": row["support_words"], "phrases": row["support_phrases"], "entities": row["support_entities"],
             "numbers": row["support_numbers"], "polarity_mismatch": float(row["polarity_mismatch"]),
             "completeness": _completeness(row["rule_reasons"])}[name]
    return 1.0 if value is None else value


def _completeness(reasons: list[str]) -> float:
    from medcurate.stages.grounding.rules import RuleResult
    return RuleResult(0, reasons).completeness


def report(rows: list[dict], pairs: list[dict], column: str, title: str) -> None:
    labels = np.array([p["label"] for p in pairs])
    scores = np.array([r[column] if r[column] is not None else 0.0 for r in rows], float)
    kinds = sorted({p["kind"] for p in pairs if not p["label"]})
    per_kind = []
    for kind in kinds:
        mask = np.array([p["label"] == 1 or p["kind"] == kind for p in pairs])
        per_kind.append(roc_auc(scores[mask], labels[mask]))
    p, r = precision_recall(scores, labels)
    print(f"{title:34} {roc_auc(scores, labels):6.3f} " + " ".join(f"{a:9.3f}" for a in per_kind)
          + f"   {p:6.3f} {r:6.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--judge", type=int, default=0, help="also run the LLM judge on this many held-out pairs")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = VersionStore(tmp)
        pairs = build_pairs(pubmedqa_items(args.data, store), random.Random(3))
        started = time.perf_counter()
        rows = score_pairs(store, pairs, {})
        seconds = time.perf_counter() - started
        labels = np.array([p["label"] for p in pairs])
        fit_half = np.array([p["half"] == "fit" for p in pairs])
        if args.fit:
            fit([r for r, f in zip(rows, fit_half) if f], labels[fit_half])
        held = [i for i, p in enumerate(pairs) if p["half"] == "report"]
        kinds = sorted({p["kind"] for p in pairs if not p["label"]})
        print(f"{len(pairs):,} pairs ({int(labels.sum())} grounded) scored in {seconds:.1f}s "
              f"({len(pairs) / seconds:.0f} pairs/s); figures on the {len(held)} held-out pairs")
        print(f"{'filter':34} {'AUC':>6} " + " ".join(f"{k[:9]:>9}" for k in kinds) + "   precision recall (at 0.5)")
        sub_rows, sub_pairs = [rows[i] for i in held], [pairs[i] for i in held]
        report(sub_rows, sub_pairs, "rule_score", "rules alone")
        report(sub_rows, sub_pairs, "support_score", "lexical/entity support alone")
        report(sub_rows, sub_pairs, "grounding_score", "combined (grounding_score)")
        if args.judge:
            rng = random.Random(5)
            chosen = sorted(rng.sample(held, min(args.judge, len(held))))
            judged = score_pairs(store, [pairs[i] for i in chosen], {"judge": True})
            print(f"LLM judge (embedded model) on {len(chosen)} held-out pairs:")
            report(judged, [pairs[i] for i in chosen], "judge_score", "judge alone")
            report(judged, [pairs[i] for i in chosen], "grounding_score", "combined with the judge")


if __name__ == "__main__":
    main()
