"""Dedup quality and speed on near-duplicates of real PMC paragraphs with known ground truth.

Corpus: real paragraphs (>= 50 words, exact repeats removed) from ../shared/data/pmc_jats; some of
them get 1-3 edited copies (word insertions, deletions or substitutions at 1-10% of words, sentence
reordering, or reordering + substitutions), and funding/ethics boilerplate is added in variants (other
agency, place, grant number).
Every copy of one original is a true duplicate pair; paragraphs of the same article (same topic and
vocabulary) and different boilerplate kinds are true non-duplicates.

Printed, in the same run: pairwise precision / recall / F1 of the clusters for naive datasketch
(`MinHash.update` per shingle + `MinHashLSH`), rensa, and the `dedup` stage, recall by the pair's true
Jaccard, and signature throughput (docs/s, one core) as ratios against naive datasketch.
Usage: python benchmarks/dedup.py [--data ../shared/data] [--originals 1500] [--sweep]
"""
import argparse
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import MinHash, MinHashLSH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from medcurate.inputs import list_files  # noqa: E402
from medcurate.stage import StageInputs, run_stage  # noqa: E402
from medcurate.stages.dedup.clusters import components as components_of  # noqa: E402
from medcurate.stages.dedup.shingles import batch_tokens, shingle_hash, tokenize, word_shingles  # noqa: E402
from medcurate.stages.dedup.signatures import MinHasher  # noqa: E402
from medcurate.stages.dedup.stage import Dedup  # noqa: E402
from medcurate.stages.ingest_pmc import IngestPMC  # noqa: E402
from medcurate.store import VersionStore  # noqa: E402

AGENCIES = ["National Institutes of Health", "National Natural Science Foundation of China", "Wellcome Trust",
            "European Research Council", "Deutsche Forschungsgemeinschaft", "Medical Research Council"]
FUNDING = ("This work was supported by the {agency} (grant number {grant}). The funders had no role in study "
           "design, data collection and analysis, decision to publish, or preparation of the manuscript.")
ETHICS = ("The study was approved by the ethics committee of {place} (approval number {grant}) and conducted "
          "in accordance with the Declaration of Helsinki. Written informed consent was obtained from all "
          "participants before enrolment in the study.")
PLACES = ["Peking University", "the University of Oxford", "Charité Berlin", "Karolinska Institutet", "Mayo Clinic"]


def real_paragraphs(data: Path) -> list[tuple[str, str]]:
    """(article id, paragraph) for body paragraphs of >= 50 words, exact repeats removed."""
    with tempfile.TemporaryDirectory() as tmp:
        store = VersionStore(tmp)
        version = run_stage(store, IngestPMC(), StageInputs(files=list_files([str(data / "pmc_jats")]))).version
        table = version.read("passages").filter(pc.equal(version.read("passages")["kind"], "paragraph"))
    seen, out = set(), []
    for doc, text in zip(table["doc_id"].to_pylist(), table["text"].to_pylist()):
        key = " ".join(tokenize(text))
        if len(key.split()) >= 50 and key not in seen:
            seen.add(key)
            out.append((doc, text))
    return out


def edit(text: str, rng: random.Random, vocab: list[str]) -> str:
    words = text.split()
    op = rng.choice(["substitute", "insert", "delete", "reorder", "mixed"])
    rate = rng.choice([0.01, 0.03, 0.05, 0.1])
    if op in ("reorder", "mixed"):
        sentences = re.split(r"(?<=[.!?])\s+", text)
        if len(sentences) > 2:
            rng.shuffle(sentences)
        words = " ".join(sentences).split()
    if op in ("substitute", "mixed"):
        words = [rng.choice(vocab) if rng.random() < rate else w for w in words]
    if op == "insert":
        for _ in range(max(1, int(len(words) * rate))):
            words.insert(rng.randrange(len(words) + 1), rng.choice(vocab))
    if op == "delete":
        words = [w for w in words if rng.random() >= rate] or words
    return " ".join(words)


def boilerplate(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """(family, text, article) boilerplate: funding statements are one family, ethics statements another."""
    rows = []
    for i in range(n):
        kind = rng.choice(["funding", "ethics"])
        fields = {"agency": rng.choice(AGENCIES), "place": rng.choice(PLACES), "grant": f"{rng.randrange(10**5, 10**7)}"}
        template = {"funding": FUNDING, "ethics": ETHICS}[kind]
        rows.append((f"boiler-{kind}", template.format(**fields), f"boiler-article-{i}"))
    return rows


def build_corpus(paragraphs, originals: int, seed: int = 7):
    rng = random.Random(seed)
    vocab = [w for _, t in paragraphs[:500] for w in t.split()]
    rows = []                                # (text, family, jaccard-to-original or None)
    for i, (doc, text) in enumerate(paragraphs[:originals]):
        family = f"p{i}"
        rows.append((text, family))
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                rows.append((edit(text, rng, vocab), family))
    rows += [(text, family) for family, text, _ in boilerplate(rng, max(20, originals // 20))]
    rng.shuffle(rows)
    return [r[0] for r in rows], [r[1] for r in rows]


def true_pairs(families: list[str]) -> set[tuple[int, int]]:
    by_family = defaultdict(list)
    for i, fam in enumerate(families):
        by_family[fam].append(i)
    return {(a, b) for members in by_family.values() for k, a in enumerate(members) for b in members[k + 1:]}


def pairs_of_clusters(labels) -> set[tuple[int, int]]:
    by_label = defaultdict(list)
    for i, lab in enumerate(labels):
        by_label[lab].append(i)
    return {(a, b) for members in by_label.values() for k, a in enumerate(members) for b in members[k + 1:]}


def components(n: int, pairs: set[tuple[int, int]]) -> list[int]:
    """Cluster labels of candidate pairs, with the stage's own connected components."""
    left, right = (np.array(side, np.int64) for side in zip(*pairs)) if pairs else (np.zeros(0, np.int64),) * 2
    return components_of(n, left, right)[0].tolist()


def scores(predicted: set, truth: set) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def shingle_lists(texts: list[str], n: int) -> list[list[tuple[str, ...]]]:
    out = []
    for text in texts:
        toks = tokenize(text)
        out.append([tuple(toks[j:j + n]) for j in range(len(toks) - n + 1)] if len(toks) >= n else [tuple(toks)])
    return out


def naive_datasketch(texts, n: int, threshold: float, num_perm: int):
    started = time.perf_counter()
    sigs = []
    for doc in shingle_lists(texts, n):
        m = MinHash(num_perm=num_perm, hashfunc=shingle_hash)
        for s in doc:
            m.update(s)
        sigs.append(m)
    signing = time.perf_counter() - started
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    pairs = {(min(i, j), max(i, j)) for i, m in enumerate(sigs) for j in lsh.query(m) if i != j}
    return signing, pairs


def with_rensa(texts, n: int, threshold: float, num_perm: int):
    from rensa import RMinHash, RMinHashLSH
    started = time.perf_counter()
    sigs = []
    for doc in shingle_lists(texts, n):
        m = RMinHash(num_perm=num_perm, seed=1)
        m.update([" ".join(s) for s in doc])
        sigs.append(m)
    signing = time.perf_counter() - started
    lsh = RMinHashLSH(threshold=threshold, num_perm=num_perm, num_bands=_bands(threshold, num_perm))
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    pairs = {(min(i, j), max(i, j)) for i, m in enumerate(sigs) for j in lsh.query(m) if i != j}
    return signing, pairs


def rensa_hashing_only(texts, n: int, num_perm: int) -> float:
    """rensa's Rust core alone, given shingle strings built beforehand (not counted)."""
    from rensa import RMinHash
    joined = [[" ".join(s) for s in doc] for doc in shingle_lists(texts, n)]
    started = time.perf_counter()
    for doc in joined:
        RMinHash(num_perm=num_perm, seed=1).update(doc)
    return time.perf_counter() - started


def _bands(threshold, num_perm):
    """rensa needs bands dividing num_perm: the divisor nearest datasketch's choice."""
    from medcurate.stages.dedup.lsh import band_params
    wanted = band_params(threshold, num_perm)[0]
    return min((b for b in range(1, num_perm + 1) if num_perm % b == 0), key=lambda b: abs(b - wanted))


def ours_signing(texts: list[str], n: int, num_perm: int) -> float:
    hasher = MinHasher(num_perm)
    arr = pa.array(texts)
    started = time.perf_counter()
    for i in range(0, len(arr), 20_000):
        hasher.signatures(word_shingles(batch_tokens(arr.slice(i, 20_000)), n))
    return time.perf_counter() - started


def ours_stage(texts: list[str], config: dict) -> tuple[float, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        store = VersionStore(tmp + "/store")
        ids = [f"r{i}" for i in range(len(texts))]
        path = Path(tmp) / "corpus.parquet"
        import pyarrow.parquet as pq
        pq.write_table(pa.table({"id": ids, "text": texts}), path)
        from medcurate.pipeline.resolve import resolve_inputs
        inputs = resolve_inputs(store, Dedup, [str(path)])
        started = time.perf_counter()
        version = run_stage(store, Dedup.from_dict(config), inputs).version
        elapsed = time.perf_counter() - started
        table = version.read(version.manifest["kind"])
        return elapsed, table["dup_cluster"].to_pylist()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--originals", type=int, default=1500)
    ap.add_argument("--sweep", action="store_true", help="also try other n-gram sizes and thresholds")
    args = ap.parse_args()
    paragraphs = real_paragraphs(args.data)
    texts, families = build_corpus(paragraphs, args.originals)
    truth = true_pairs(families)
    print(f"corpus: {len(texts):,} docs from {min(args.originals, len(paragraphs)):,} real paragraphs, "
          f"{len(truth):,} true duplicate pairs")

    defaults = Dedup.Config()
    n, threshold, num_perm = defaults.ngram, defaults.threshold, defaults.num_perm
    rows = []
    naive_s, naive_pairs = naive_datasketch(texts, n, threshold, num_perm)
    rows.append(("datasketch naive update + MinHashLSH", naive_s, components(len(texts), naive_pairs)))
    rensa_s, rensa_pairs = min((with_rensa(texts, n, threshold, num_perm) for _ in range(3)), key=lambda r: r[0])
    rows.append(("rensa RMinHash + RMinHashLSH", rensa_s, components(len(texts), rensa_pairs)))
    rensa_core_s = min(rensa_hashing_only(texts, n, num_perm) for _ in range(3))
    ours_s = min(ours_signing(texts, n, num_perm) for _ in range(3))
    stage_s, clusters = ours_stage(texts, {})
    rows.append(("medcurate dedup stage (defaults)", ours_s, clusters))

    print(f"\nword {n}-grams, num_perm {num_perm}, threshold {threshold}; signing = tokenising + shingling "
          "+ MinHash from the raw text, one core; datasketch and rensa report raw LSH candidates, the stage "
          "verifies them (estimated Jaccard >= threshold)")
    print(f"{'method':40} {'precision':>9} {'recall':>7} {'F1':>6} {'sign docs/s':>12} {'vs naive':>9}")
    for name, seconds, labels in rows:
        p, r, f = scores(pairs_of_clusters(labels), truth)
        print(f"{name:40} {p:9.3f} {r:7.3f} {f:6.3f} {len(texts) / seconds:12,.0f} {naive_s / seconds:8.1f}x")
    print(f"rensa's hashing alone on prebuilt shingle lists: {len(texts) / rensa_core_s:,.0f} docs/s "
          "(building those lists in Python is what the rows above pay for)")
    print(f"medcurate signing vs rensa from text: {rensa_s / ours_s:.2f}x; whole stage (sign, spill, group, verify, "
          f"cluster, write): {len(texts) / stage_s:,.0f} docs/s")
    recall_by_jaccard(texts, truth, clusters, n)
    if args.sweep:
        sweep(texts, truth)


def recall_by_jaccard(texts, truth, clusters, n) -> None:
    sets = [set(s) for s in shingle_lists(texts, n)]
    found = pairs_of_clusters(clusters)
    bins = defaultdict(lambda: [0, 0])
    for a, b in truth:
        j = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
        key = min(int(j * 10), 9) / 10
        bins[key][0] += 1
        bins[key][1] += (a, b) in found
    print("recall of true pairs by their true Jaccard (word shingles):")
    for key in sorted(bins):
        total, hit = bins[key]
        print(f"  J {key:.1f}-{key + 0.1:.1f}: {hit:>5,}/{total:<5,} = {hit / total:.3f}")


def sweep(texts, truth) -> None:
    print("\nsweep (dedup stage):")
    print(f"{'shingle':>8} {'n':>3} {'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6}")
    for shingle, ngrams in (("word", (1, 2, 3, 5)), ("char", (4, 5, 7))):
        for n in ngrams:
            for threshold in (0.4, 0.5, 0.6, 0.7, 0.8):
                _, clusters = ours_stage(texts, {"shingle": shingle, "ngram": n, "threshold": threshold})
                p, r, f = scores(pairs_of_clusters(clusters), truth)
                print(f"{shingle:>8} {n:3} {threshold:9.1f} {p:9.3f} {r:7.3f} {f:6.3f}")


if __name__ == "__main__":
    main()
