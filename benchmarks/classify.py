"""Labelling: how well fastText students learn trusted labels, and what the `classify` stage costs.

On the real PMC articles (../shared/data/pmc_jats) and MTSamples notes, with the metadata teacher
(PMC article-type, section titles, note specialty) as the labels, in the same run:
1. distillation: the `train_classifier` stage's held-out macro-F1 / kappa per family (student vs teacher);
2. one model per family vs one multi-label (one-vs-all) model: macro-F1 per family;
3. unigram vs bigram students: macro-F1 per family and predict speed;
4. `classify` stage throughput (passages/s on one core: the stage is single-threaded) against raw fastText
   `predict(list)` of the same models on the same, already prepared texts (ratio, target >= 0.9), and
   against predict plus the same text preparation (lower-case, punctuation split, one line);
5. with --llm-sample N, the same distillation report on N passages labelled by the embedded LLM.
Usage: python benchmarks/classify.py [--data ../shared/data] [--copies 6] [--llm-sample 0]
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from medcurate.inputs import list_files  # noqa: E402
from medcurate.stage import StageInputs, TableInput, run_stage  # noqa: E402
from medcurate.stages.ingest_notes import IngestNotes  # noqa: E402
from medcurate.stages.ingest_pmc import IngestPMC  # noqa: E402
from medcurate.stages.labels.annotate import Annotate  # noqa: E402
from medcurate.stages.labels.classify import Classify  # noqa: E402
from medcurate.stages.labels.families import FAMILIES  # noqa: E402
from medcurate.stages.labels.metrics import classification_report  # noqa: E402
from medcurate.stages.labels.student import Params, Student, prepare, train  # noqa: E402
from medcurate.stages.labels.train_classifier import TrainClassifier, held_out  # noqa: E402
from medcurate.stages.select import Select  # noqa: E402
from medcurate.store import VersionStore  # noqa: E402

SEED = 1


def tables(*pairs) -> StageInputs:
    return StageInputs(tables=[TableInput(v, t) for v, t in pairs])


def split(labels) -> tuple[list[str], list[dict], np.ndarray]:
    rows = labels.select(["id", "doc_id", *FAMILIES]).to_pylist()
    texts = prepare(labels["text"])
    test = np.array([held_out(r["doc_id"] or r["id"], SEED, 0.2) for r in rows])
    return texts, rows, test


def family_data(texts, rows, test, family):
    idx = [i for i, r in enumerate(rows) if r[family] is not None and texts[i]]
    train_idx = [i for i in idx if not test[i]]
    test_idx = [i for i in idx if test[i]]
    return train_idx, test_idx


def macro_f1(gold, pred) -> float:
    return classification_report([str(g) for g in gold], [str(p) for p in pred])["macro_f1"]


def per_family_vs_ngrams(texts, rows, test, families) -> None:
    print("\n2-3. students per family: unigram vs bigram (macro-F1 held out; predict passages/s on held-out texts)")
    print(f"  {'family':<11} {'unigram F1':>10} {'bigram F1':>10} {'unigram/s':>10} {'bigram/s':>10}")
    for family in families:
        train_idx, test_idx = family_data(texts, rows, test, family)
        gold = [str(rows[i][family]) for i in test_idx]
        line = [family]
        speeds = []
        for extra in ({}, {"wordNgrams": 2, "bucket": 200_000}):
            try:
                binary = train([texts[i] for i in train_idx], [rows[i][family] for i in train_idx], Params(), SEED,
                               **extra)
            except RuntimeError as exc:
                line.append(f"({exc})")
                speeds.append(0)
                continue
            student = Student(binary, sorted({str(rows[i][family]) for i in train_idx}))
            held = [texts[i] for i in test_idx] * max(1, 20_000 // max(len(test_idx), 1))
            started = time.perf_counter()
            student.model.predict(held, k=1)
            speeds.append(len(held) / (time.perf_counter() - started))
            line.append(f"{macro_f1(gold, student.predict([texts[i] for i in test_idx])[0]):.3f}")
        print(f"  {line[0]:<11} {line[1]:>10} {line[2]:>10} {speeds[0]:>10,.0f} {speeds[1]:>10,.0f}")


def multi_label(texts, rows, test, families) -> None:
    print("\n2. one multi-label model (one-vs-all) vs one model per family (macro-F1 held out)")
    train_idx = [i for i, r in enumerate(rows) if not test[i] and texts[i]]
    values = {f: sorted({str(r[f]) for r in rows if r[f] is not None}) for f in families}
    labels = [[f"{f}={rows[i][f]}" for f in families if rows[i][f] is not None] for i in train_idx]
    binary = train([texts[i] for i in train_idx], labels, Params(), SEED, loss="ova")
    classes = sorted({label for ls in labels for label in ls})
    joint = Student(binary, classes)
    for family in families:
        _, test_idx = family_data(texts, rows, test, family)
        names, probs = joint.model.predict([texts[i] for i in test_idx], k=-1)
        pred = []
        for ns, ps in zip(names, probs):
            scored = {joint.decode[n]: p for n, p in zip(ns, ps) if joint.decode[n].startswith(family + "=")}
            pred.append(max(scored, key=scored.get).split("=", 1)[1] if scored else values[family][0])
        gold = [str(rows[i][family]) for i in test_idx]
        print(f"  {family:<11} joint {macro_f1(gold, pred):.3f}")


def distillation(store, labels_version, title) -> dict:
    started = time.perf_counter()
    models = run_stage(store, TrainClassifier(), tables((labels_version, "labels"))).version
    s = models.manifest["summary"]
    print(f"\n{title} (train_classifier, {time.perf_counter() - started:.1f}s)")
    for family, report in s["report"].items():
        extra = {k: report[k] for k in ("spearman", "f1_at_3") if k in report}
        print(f"  {family:<11} macro-F1 {report['macro_f1']:.3f}  kappa {report['kappa']:.3f}  accuracy "
              f"{report['accuracy']:.3f}  held-out {report['rows']:,}  train {report['train_rows']:,} {extra or ''}")
    for family, reason in s["skipped"].items():
        print(f"  {family:<11} skipped: {reason}")
    return models


def speed(store, passages, models, copies) -> None:
    para = {"where": [{"column": "kind", "op": "==", "value": "paragraph"},
                      {"column": "text", "op": "min_length", "value": 200}],
            "upsample": [{"column": "kind", "op": "==", "value": "paragraph", "times": copies}]}
    corpus = run_stage(store, Select.from_dict(para), tables((passages, "passages"))).version
    n = corpus.tables["passages"]["rows"]
    column = corpus.read("passages")["text"]
    texts = prepare(column)
    students = [Student.from_row(r) for r in models.read("models").to_pylist()]
    raw, preparing, stage = [], [], []
    for _ in range(5):                  # interleaved: the machine is shared, so load changes hit all three
        started = time.perf_counter()
        prepare(column)
        preparing.append(time.perf_counter() - started)
        started = time.perf_counter()
        for student in students:
            student.model.predict(texts, k=1)
        raw.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as tmp:      # a fresh store: no cache hit
            started = time.perf_counter()
            run_stage(VersionStore(tmp), Classify(), tables((corpus, "passages"), (models, "models")))
            stage.append(time.perf_counter() - started)
    raw_s, prep_s, stage_s = np.median(raw), np.median(preparing), np.median(stage)
    words = np.mean([t.count(" ") + 1 for t in texts])
    print(f"\n4. classify speed on {n:,} PMC paragraphs (>= 200 chars, ~{words:.0f} tokens), "
          f"{len(students)} models, medians of 5, one core")
    print(f"  raw fastText predict(list), prepared texts: {n / raw_s:,.0f} passages/s "
          f"({n * len(students) / raw_s:,.0f} predictions/s); text preparation alone {n / prep_s:,.0f} passages/s")
    print(f"  classify stage (read, prepare, predict, calibrate, write, commit): {n / stage_s:,.0f} passages/s")
    print(f"  ratio stage / raw predict: {raw_s / stage_s:.2f} (target >= 0.9); "
          f"stage / (raw predict + the same preparation): {(raw_s + prep_s) / stage_s:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--llm-sample", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = VersionStore(tmp)
        pmc = run_stage(store, IngestPMC(), StageInputs(files=list_files([f"{args.data}/pmc_jats"]))).version
        notes = run_stage(store, IngestNotes(), StageInputs(
            files=list_files([f"{args.data}/clinical_notes/mtsamples"]))).version
        labels = run_stage(store, Annotate.from_dict({"teacher": "metadata", "sample_size": None}),
                           tables((pmc, "passages"), (notes, "passages"))).version
        print(f"teacher labels: {labels.tables['labels']['rows']:,} passages (PMC + MTSamples), metadata teacher")
        models = distillation(store, labels, "1. distillation, student vs metadata teacher, held-out documents")
        texts, rows, test = split(labels.read("labels"))
        families = list(models.manifest["summary"]["macro_f1"])
        multi_label(texts, rows, test, families)
        per_family_vs_ngrams(texts, rows, test, families)
        speed(store, pmc, models, args.copies)
        if args.llm_sample:
            llm = run_stage(store, Annotate.from_dict({"sample_size": args.llm_sample}),
                            tables((pmc, "passages"), (notes, "passages"))).version
            print(f"\nLLM labels: {llm.manifest['summary']}")
            distillation(store, llm, "5. distillation, student vs embedded-LLM teacher")


if __name__ == "__main__":
    main()
