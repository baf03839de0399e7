"""Decontamination recall on planted benchmark items and false positives on clean real data.

Benchmark: the real exam items of ../shared/data (MedQA, MedMCQA, MMLU, HEAD-QA, PubMedQA, CMExam,
FrenchMedMCQA), minus 20% of each bank held out. Training rows: items planted verbatim (question +
options), verbatim inside a real PMC paragraph, with options shuffled, lightly edited (1-2 words
changed, case/punctuation changed, options shuffled), paraphrased (about 1 word in 10 replaced or
dropped, options shuffled), and the question alone; plus clean rows: every real
PMC passage and the held-out items of the same banks (same style and vocabulary, not in the benchmark).
Usage: python benchmarks/decontaminate.py [--data ../shared/data] [--plants 300]
"""
import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from medcurate.inputs import list_files  # noqa: E402
from medcurate.pipeline.resolve import resolve_inputs  # noqa: E402
from medcurate.stage import StageInputs, run_stage  # noqa: E402
from medcurate.stages.decontaminate.stage import Decontaminate  # noqa: E402
from medcurate.stages.ingest_exams import IngestExams  # noqa: E402
from medcurate.stages.ingest_pmc import IngestPMC  # noqa: E402
from medcurate.store import VersionStore  # noqa: E402

FILLERS = ["usually", "often", "typically", "clinically", "the", "a", "most", "likely", "also"]


def item_text(item: dict, options: list[dict] | None = None) -> str:
    """An item as it would sit in a training dump: question, its context passages (PubMedQA), options."""
    options = item["options"] if options is None else options
    return " ".join([item["question"] or ""] + (item["context"] or [])
                    + [f"{o['label']}. {o['text']}" for o in options or []])


def paraphrase(text: str, rng: random.Random) -> str:
    """About 1 word in 10 dropped or replaced."""
    out = []
    for word in text.split():
        roll = rng.random()
        if roll < 0.05:
            continue                                   # dropped
        out.append(rng.choice(FILLERS) if roll < 0.10 else word)   # replaced
    return " ".join(out)


def light_edit(text: str, rng: random.Random) -> str:
    """One or two words changed, case and punctuation of the rest changed."""
    words = text.split()
    for _ in range(rng.randint(1, 2)):
        words[rng.randrange(len(words))] = rng.choice(FILLERS)
    edited = " ".join(words)
    return edited.lower() if rng.random() < 0.5 else edited.replace(",", "").replace("?", ".")


def plants(items: list[dict], paragraphs: list[str], n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, text, item id) rows planted into the training set."""
    rows = []
    for item in rng.sample(items, min(n, len(items))):
        shuffled = rng.sample(item["options"] or [], len(item["options"] or []))
        relabelled = [{"label": chr(65 + i), "text": o["text"]} for i, o in enumerate(shuffled)]
        rows += [("verbatim", item_text(item), item["id"]),
                 ("inside a passage", f"{rng.choice(paragraphs)} {item_text(item)} {rng.choice(paragraphs)}",
                  item["id"]),
                 ("options shuffled", item_text(item, relabelled), item["id"]),
                 ("light edit + shuffled", light_edit(item_text(item, relabelled), rng), item["id"]),
                 ("paraphrased (10%) + shuffled", paraphrase(item_text(item, relabelled), rng), item["id"]),
                 ("question only", item["question"] or "", item["id"])]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--plants", type=int, default=300)
    ap.add_argument("--config", default="{}", help="stage config as JSON, to compare settings")
    args = ap.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        store = VersionStore(tmp + "/store")
        exams = run_stage(store, IngestExams(), StageInputs(files=list_files([str(args.data / "exam_mcq")])))
        pmc = run_stage(store, IngestPMC(), StageInputs(files=list_files([str(args.data / "pmc_jats")])))
        items = exams.version.read("exam_items")
        passages = pmc.version.read("passages")["text"].to_pylist()
        held_out_mask = [rng.random() < 0.2 for _ in range(items.num_rows)]
        benchmark = items.filter(pa.array([not h for h in held_out_mask]))
        held_out = items.filter(pa.array(held_out_mask)).to_pylist()
        planted = plants(benchmark.to_pylist(), [p for p in passages if len(p) > 300], args.plants, rng)
        rows = [{"id": f"plant{i}", "text": text, "kind": kind, "item": item}
                for i, (kind, text, item) in enumerate(planted)]
        rows += [{"id": f"pmc{i}", "text": t, "kind": "clean: PMC passage", "item": None}
                 for i, t in enumerate(passages)]
        rows += [{"id": f"held{i}", "text": item_text(it), "kind": "clean: held-out exam item", "item": None}
                 for i, it in enumerate(held_out)]
        pq.write_table(benchmark, tmp + "/benchmark.parquet")
        pq.write_table(pa.Table.from_pylist(rows), tmp + "/train.parquet")
        inputs = resolve_inputs(store, Decontaminate, [tmp + "/train.parquet", tmp + "/benchmark.parquet"])
        started = time.perf_counter()
        version = run_stage(store, Decontaminate.from_dict(json.loads(args.config)), inputs).version
        seconds = time.perf_counter() - started
        train = version.read(inputs.tables[0].table).to_pylist()
        items_by_id = {it["id"]: item_text(it) for it in benchmark.to_pylist()}

    exams = sorted(Counter(benchmark["exam"].to_pylist()).items())
    print(f"benchmark: {benchmark.num_rows:,} items ({', '.join(f'{k} {v}' for k, v in exams)}); "
          f"training rows: {len(train):,}; stage time {seconds:.1f}s ({len(train) / seconds:,.0f} rows/s)")
    by_kind = defaultdict(lambda: Counter())
    by_exam = defaultdict(lambda: Counter())
    for row in train:
        hits = row["contamination"] or []
        right = any(h["item_id"] == row["item"] for h in hits)
        stats = by_kind[row["kind"]]
        stats["rows"] += 1
        stats["flagged"] += bool(hits)
        stats["right item"] += right
        for method in ("ngram", "overlap", "minhash"):
            stats[method] += any(h["method"] == method and h["item_id"] == row["item"] for h in hits)
        if row["item"]:
            exam = row["item"].split(":")[0]
            by_exam[exam]["rows"] += 1
            by_exam[exam]["right item"] += right
    print(f"\n{'training rows':28} {'rows':>6} {'recall':>7} {'ngram alone':>12} {'overlap alone':>14} "
          f"{'minhash alone':>14}")
    for kind, s in by_kind.items():
        if kind.startswith("clean"):
            continue
        print(f"{kind:28} {s['rows']:6,} {s['right item'] / s['rows']:7.3f} {s['ngram'] / s['rows']:12.3f} "
              f"{s['overlap'] / s['rows']:14.3f} {s['minhash'] / s['rows']:14.3f}")
    print("\nrecall by benchmark (all planted kinds): " + ", ".join(
        f"{exam} {s['right item'] / s['rows']:.3f}" for exam, s in sorted(by_exam.items())))
    missed = [r for r in train if r["item"] and not any(h["item_id"] == r["item"] for h in r["contamination"] or [])]
    print("missed plants by kind and benchmark: " + ", ".join(
        f"{k} / {e} {v}"
        for (k, e), v in Counter((r["kind"], r["item"].split(":")[0]) for r in missed).most_common(8)))
    for row in missed[:6]:
        print(f"  missed {row['kind']}: {row['text'][:110]!r}")
    print(f"\n{'clean rows':28} {'rows':>6} {'flagged (false positive rate)':>30}")
    for kind, s in by_kind.items():
        if kind.startswith("clean"):
            print(f"{kind:28} {s['rows']:6,} {s['flagged']:>8} ({s['flagged'] / s['rows']:.4f})")
    flagged_clean = [r for r in train if r["kind"].startswith("clean") and r["contamination"]]
    print("  flagged clean rows by benchmark of the matched item: " + ", ".join(
        f"{k} {v}" for k, v in Counter(r["contamination"][0]["exam"] for r in flagged_clean).most_common()))
    for row in sorted(flagged_clean, key=lambda r: r["contamination"][0]["exam"])[::max(1, len(flagged_clean) // 8)]:
        hit = row["contamination"][0]
        print(f"  e.g. {row['id']}: {hit['method']} {hit['score']:.2f} with {hit['item_id']}: {row['text'][:150]!r}")
        print(f"       benchmark item: {items_by_id[hit['item_id']][:150]!r}")


if __name__ == "__main__":
    main()
