"""Peak memory of the `dedup` stage as the corpus grows, with a fixed shard size.

Synthetic passages are made from the real PMC paragraphs in ../shared/data (each stitched from 4-6
random real sentences, so texts differ; every 10th is a light near-duplicate of a recent one), written
straight into a store version shard by shard (the generator itself never holds the corpus). Each
dedup run happens in a fresh child process, so its peak RSS (VmHWM) is its own.
Usage: python benchmarks/dedup_scale.py [--sizes 100000,300000,1000000]
"""
import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.dedup import real_paragraphs  # noqa: E402
from medcurate import schemas  # noqa: E402
from medcurate.store import VersionStore  # noqa: E402

CHUNK = 50_000


def make_corpus(store: VersionStore, paragraphs: list[str], rows: int, seed: int = 3) -> str:
    rng = random.Random(seed)
    vocab = [w for t in paragraphs[:300] for w in t.split()]
    sentences = [s for t in paragraphs for s in re.split(r"(?<=[.!?])\s+", t) if len(s.split()) >= 6]
    pending = store.begin(f"synthetic-{rows}", {"stage": "synthetic", "config": {}, "inputs": []})
    writer = pending.table("passages", schemas.PASSAGES)
    recent: list[str] = []
    for start in range(0, rows, CHUNK):
        batch = []
        for i in range(start, min(rows, start + CHUNK)):
            if i % 10 == 9 and recent:
                text = _vary(rng.choice(recent), rng, vocab, 0.03)
            else:
                text = " ".join(rng.sample(sentences, rng.randint(4, 6)))
            recent = (recent + [text])[-1000:]
            batch.append({"id": f"syn:{i}#0", "doc_id": f"syn:{i}", "source": "synthetic", "text": text,
                          "license_group": rng.choice(["commercial", "non-commercial"])})
        writer.write(batch)
    return pending.commit({"inputs": 0, "in": rows, "kept": rows, "quarantined": 0, "dropped": {},
                           "skipped_inputs": {}}).id


def _vary(text: str, rng: random.Random, vocab: list[str], rate: float) -> str:
    return " ".join(rng.choice(vocab) if rng.random() < rate else w for w in text.split())


def run_child(store_root: str, version: str) -> dict:
    """Run dedup in this process (called as a child) and report its figures."""
    from medcurate.runner import run_stage
    from medcurate.stage import StageInputs, TableInput
    from medcurate.stages.dedup.stage import Dedup
    store = VersionStore(store_root)
    started = time.perf_counter()
    result = run_stage(store, Dedup(), StageInputs(tables=[TableInput(store.get(version), "passages")]))
    summary = result.version.manifest["summary"]
    return {"seconds": round(time.perf_counter() - started, 1),
            "peak_rss_mib": _peak_rss_mib(),
            "near_duplicates": summary["near_duplicates"], "exact_duplicates": summary["exact_duplicates"]}


def _peak_rss_mib() -> int:
    """VmHWM of this process. (ru_maxrss would also count the parent's peak from before the exec.)"""
    with open("/proc/self/status") as status:
        line = next(l for l in status if l.startswith("VmHWM"))
    return int(line.split()[1]) // 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_child(*args.child)))
        return
    paragraphs = [t for _, t in real_paragraphs(args.data)]
    print(f"{'passages':>10} {'seconds':>8} {'rows/s':>8} {'peak RSS MiB':>13} {'exact dups':>11} {'near dups':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        store = VersionStore(tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            version = make_corpus(store, paragraphs, size)
            out = subprocess.run([sys.executable, __file__, "--child", tmp, version],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{size:>10,} {r['seconds']:>8} {size / r['seconds']:>8,.0f} {r['peak_rss_mib']:>13,} "
                  f"{r['exact_duplicates']:>11,} {r['near_duplicates']:>10,}")


if __name__ == "__main__":
    main()
