"""How fast, and how completely, medcurate turns PMC/JATS files into paragraphs, against two baselines.

    .venv/bin/python benchmarks/ingest_pmc.py [--repeat N] [DATA_DIR]

Rows (same files, same run, files pre-read into memory; timings are medians over the repeats, rows
interleaved within each repeat so machine noise hits them alike):
  * medcurate parse_jats, consuming every passage;
  * pubmed_parser parse_pubmed_xml + parse_pubmed_paragraph(all_paragraph=True) per file (it wants
    paths, so the bytes are written to a temp dir once; exceptions are counted as failures);
  * bare lxml: etree.fromstring + "".join(p.itertext()) for every body//p.
articles/s is the corpus' article count over the time to get through all of it (pubmed_parser reads
one article's metadata per file, even for article sets). Coverage is the share of body <p> (not inside
another <p>) whose text, cut at floats, formulas and block children, appears in order in one output
text: the same oracle tests/test_jats.py asserts at 100% for medcurate.
Add a row by writing one function decorated with @row("name").
"""
import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lxml import etree
from pubmed_parser import parse_pubmed_paragraph, parse_pubmed_xml

from medcurate.records import Quarantined
from medcurate.runner import run_stage
from medcurate.stage import StageInputs
from medcurate.stages.ingest_pmc import IngestPMC
from medcurate.stages.readers.jats import parse_jats
from medcurate.store import VersionStore

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from test_jats import in_one_passage, outer_paragraphs, segments, xml_articles  # noqa: E402


@dataclass
class Corpus:
    paths: list[str]        # temp copies, for tools that insist on paths
    data: list[bytes]
    articles: int
    reference: list[list[list[str]]]   # per file, per body paragraph: its text segments


@dataclass
class Output:
    texts: list[list[str]]  # per file, every text the tool produced
    failures: int = 0


ROWS: dict[str, Callable[[Corpus], Output]] = {}


def row(name: str):
    def register(fn: Callable[[Corpus], Output]):
        ROWS[name] = fn
        return fn
    return register


@row("medcurate parse_jats")
def medcurate(corpus: Corpus) -> Output:
    texts, failures = [], 0
    for data in corpus.data:
        out = []
        for doc in parse_jats(data):
            if isinstance(doc, dict):
                out.extend(p["text"] for p in doc["passages"])
            elif isinstance(doc, Quarantined):      # not Dropped: an article with no text is no failure
                failures += 1
        texts.append(out)
    return Output(texts, failures)


@row("medcurate ingest_pmc stage")
def medcurate_stage(corpus: Corpus) -> Output:
    """The whole stage as `medcurate ingest pmc` runs it: hashing inputs, parsing, Arrow shards, commit."""
    with tempfile.TemporaryDirectory() as store_dir:
        store = VersionStore(store_dir)
        version = run_stage(store, IngestPMC(), StageInputs(files=corpus.paths)).version
        passages = version.read("passages").select(["doc_id", "text"]).to_pylist()
        docs = version.read("documents").select(["id", "provenance"]).to_pylist()
    by_file: dict[str, list[str]] = {}
    file_of = {d["id"]: d["provenance"]["file"] for d in docs}
    for p in passages:
        by_file.setdefault(file_of[p["doc_id"]], []).append(p["text"])
    return Output([by_file.get(path, []) for path in corpus.paths], version.tables["quarantine"]["rows"])


@row("pubmed_parser xml+paragraph")
def pubmed_parser(corpus: Corpus) -> Output:
    texts, failures = [], 0
    for path in corpus.paths:
        try:
            parse_pubmed_xml(path)
            pars = parse_pubmed_paragraph(path, all_paragraph=True)
        except Exception:
            failures += 1
            pars = []
        texts.append([p["text"] for p in pars])
    return Output(texts, failures)


@row("bare lxml body//p itertext")
def bare_lxml(corpus: Corpus) -> Output:
    return Output([["".join(p.itertext()) for p in etree.fromstring(data).iterfind(".//{*}body//{*}p")]
                   for data in corpus.data])


def coverage(corpus: Corpus, output: Output) -> float:
    total = found = 0
    for reference, texts in zip(corpus.reference, output.texts):
        folded = [" ".join(t.split()) for t in texts]
        total += len(reference)
        found += sum(in_one_passage(segs, folded) for segs in reference)
    return found / total if total else 1.0


def load(data_dir: Path, tmp: Path) -> Corpus:
    files = sorted(p for p in data_dir.rglob("*") if p.is_file())
    data = [f.read_bytes() for f in files]
    paths = []
    for i, (f, d) in enumerate(zip(files, data)):
        copy = tmp / f"{i:04d}_{f.name}"   # keep the suffix: pubmed_parser treats .nxml specially
        copy.write_bytes(d)
        paths.append(str(copy))
    articles = [xml_articles(d) for d in data]
    reference = [[segs for a in arts for p in outer_paragraphs(a, frozenset({"body"})) if (segs := segments(p))]
                 for arts in articles]
    return Corpus(paths, data, sum(map(len, articles)), reference)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "pmc_jats")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = load(args.data_dir, Path(tmp))
        size_mb = sum(map(len, corpus.data)) / 1e6
        times: dict[str, list[float]] = {name: [] for name in ROWS}
        outputs: dict[str, Output] = {}
        for _ in range(args.repeat):
            for name, fn in ROWS.items():
                start = time.perf_counter()
                outputs[name] = fn(corpus)
                times[name].append(time.perf_counter() - start)

    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"{len(corpus.data)} files, {corpus.articles} articles, {size_mb:.1f} MB, "
          f"{sum(map(len, corpus.reference))} body paragraphs; median (and best) of {args.repeat} runs\n")
    header = (f"{'':30} {'seconds':>8} {'best':>6} {'articles/s':>11} {'MB/s':>6} {'texts out':>10} "
              f"{'failures':>9} {'coverage':>9}")
    print(header)
    print("-" * len(header))
    for name, seconds in medians.items():
        out = outputs[name]
        print(f"{name:30} {seconds:8.3f} {min(times[name]):6.3f} {corpus.articles / seconds:11.0f} "
              f"{size_mb / seconds:6.1f} {sum(map(len, out.texts)):10d} {out.failures:9d} "
              f"{coverage(corpus, out):9.2%}")
    print("texts out: medcurate passages of every kind; pubmed_parser paragraphs (body//p); bare lxml one "
          "per body//p, so <p> nested in a <p> or a caption are counted, and their text repeated.")
    print()
    for ours in ("medcurate parse_jats", "medcurate ingest_pmc stage"):
        for name in ("pubmed_parser xml+paragraph", "bare lxml body//p itertext"):
            print(f"{ours} vs {name}: {medians[name] / medians[ours]:.2f}x the articles/s")


if __name__ == "__main__":
    main()
