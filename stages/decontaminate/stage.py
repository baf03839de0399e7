"""`decontaminate`: tag training rows that overlap evaluation benchmarks, with the benchmark items.

Benchmarks are the exam-item rows of the inputs whose split counts as evaluation (`eval_splits`,
optionally only some `benchmarks`). Every other row of every input (passages, documents, QA pairs,
training-split exam items) is checked with the three detectors of `BenchmarkIndex` and gets
`contaminated`, `contamination` (which benchmark item, split, detector, score) and `eval_item`.
Nothing is deleted; `select` drops `contaminated == true` when a dataset is released. Example:

    medcurate stage decontaminate --input pmc:passages --input exams --config decontam.yaml
"""
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medcurate.config import option
from medcurate.stage import StageInputs, TableInput, register
from medcurate.stages.decontaminate.benchmark_index import BenchmarkIndex, DetectorSettings
from medcurate.stages.dedup.shingles import batch_tokens
from medcurate.stages.dedup.texts import row_texts, text_columns
from medcurate.store import PendingVersion, Version
from medcurate.tagging import Position, Tagger

HIT = pa.struct([pa.field("exam", pa.string()), pa.field("item_id", pa.string()), pa.field("split", pa.string()),
                 pa.field("method", pa.string()), pa.field("score", pa.float32())])
TAG_COLUMNS = [pa.field("contaminated", pa.bool_()), pa.field("contamination", pa.list_(HIT)),
               pa.field("eval_item", pa.bool_())]
BENCHMARK_FIELDS = ("question", "options", "context")
MAX_HITS = 5          # strongest benchmark items listed per row
METHODS = ("ngram", "overlap", "minhash")
ITEMS = pa.schema([("id", pa.string()), ("exam", pa.string()), ("split", pa.string())])


@dataclass(frozen=True)
class Config:
    eval_splits: list[str] = option(["test", "dev", "validation", "unknown"],
                                    "exam splits that count as evaluation benchmarks")
    benchmarks: list[str] | None = option(None, "exam names (medqa, medmcqa, ...); None: every exam in the inputs")
    fields: list[str] = option(list(BENCHMARK_FIELDS),
                               "item fields indexed (add 'explanation' to catch copied explanations)")
    text_columns: list[str] | None = option(None, "text columns of the rows checked; default per kind, as in dedup")
    ngram: int = option(13, "word n-gram length of the copy detector")
    ngram_share: float = option(0.5, "share of a field's n-grams found to call it copied")
    min_field_words: int = option(8, "shorter fields are not checked by the n-gram detector")
    overlap_ngram: int = option(3, "n-gram length of the distinctive-overlap detector")
    overlap_threshold: float = option(0.5, "share of an item's distinctive n-grams found to call it contaminated")
    common_items: int = option(10, "n-grams in more items than this are template text and do not count")
    min_informative: int = option(5, "items with fewer distinctive n-grams are left to the other detectors")
    minhash_ngram: int = option(1, "word sets: edits to short items keep most words, not most n-grams")
    minhash_threshold: float = option(0.6, "estimated Jaccard of whole items to call a row a copy")

    def __post_init__(self):
        if unknown := set(self.fields) - set(BENCHMARK_FIELDS) - {"explanation"}:
            raise ValueError(f"unknown benchmark fields {sorted(unknown)}")

    def settings(self) -> DetectorSettings:
        return DetectorSettings(self.ngram, self.ngram_share, self.min_field_words, self.overlap_ngram,
                                self.overlap_threshold, self.common_items, self.min_informative,
                                self.minhash_ngram, self.minhash_threshold)


@register
class Decontaminate(Tagger):
    name = "decontaminate"
    columns = TAG_COLUMNS
    part_rows = 200_000
    prepare_once = True              # in parts: the benchmark index is built once, every part reads it
    Config = Config

    def prepare(self, inputs: StageInputs, out: PendingVersion, resources: ExitStack) -> None:
        self.items = items = BenchmarkItems(self.config)
        for source in inputs.tables:
            if source.kind == "exam_items":
                items.collect(source)
        # without benchmark items there is nothing to overlap: every row is tagged clean, and the summary says so
        self.index = items.index() if items.ids else None
        self._start_counting()

    def save_prepared(self, out: PendingVersion) -> None:
        out.table("benchmark_items", ITEMS).write(self.items.table())
        if self.index is not None:
            index = self.index.to_table()
            out.table("benchmark_index", index.schema).write(index)

    def load_prepared(self, version: Version) -> None:
        self.items = BenchmarkItems.from_table(self.config, version.read("benchmark_items"))
        self.index = (BenchmarkIndex.from_table(version.read("benchmark_index"), self.config.settings())
                      if "benchmark_index" in version.tables else None)
        self._start_counting()

    def _start_counting(self) -> None:
        self.counts = {"rows_checked": 0, "contaminated": 0, "by_method": {m: 0 for m in METHODS}, "by_exam": {}}
        self.columns_of: dict[str, list[str]] = {}

    def tag(self, batch: pa.RecordBatch, at: Position) -> list[pa.Array]:
        kind = at.source.kind
        columns = self.columns_of.setdefault(at.source.ref, text_columns(kind, batch.schema.names,
                                                                           self.config.text_columns))
        is_eval = self.items.is_eval(batch) if kind == "exam_items" else np.zeros(batch.num_rows, bool)
        tokens = batch_tokens(row_texts(batch, columns, kind))
        hits = [[] for _ in range(batch.num_rows)]
        for method in METHODS if self.index else ():
            match = getattr(self.index, f"{method}_matches")(tokens)
            for row, item, score in zip(match.row, match.item, match.score):
                if not is_eval[row]:
                    hits[row].append(self.items.hit(item, method, score))
        _count(self.counts, hits, is_eval)
        return _tag(hits, is_eval)

    def summary(self) -> dict:
        if not self.items.ids:
            return {"benchmark_items": "none: no exam_items input has rows in the eval splits "
                                       f"{self.config.eval_splits}; nothing was checked", **self.counts}
        return {"benchmark_items": self.items.summary(), **self.counts}


class BenchmarkItems:
    """The evaluation items found in the inputs: their ids and the field texts to index."""

    def __init__(self, config: Config):
        self.config = config
        self.ids: list[str] = []
        self.exams: list[str] = []
        self.splits: list[str] = []
        self.fields: list[str] = []
        self.field_item: list[int] = []
        self.field_is_stem: list[bool] = []
        self.item_texts: list[str] = []
        self._seen: set[str] = set()

    def is_eval(self, batch: pa.RecordBatch) -> np.ndarray:
        mask = pc.is_in(batch.column("split"), value_set=pa.array(self.config.eval_splits))
        if self.config.benchmarks is not None:
            mask = pc.and_(mask, pc.is_in(batch.column("exam"), value_set=pa.array(self.config.benchmarks)))
        return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)

    def collect(self, source: TableInput) -> None:
        for batch in source.iter_batches():
            for row in batch.filter(pa.array(self.is_eval(batch))).to_pylist():
                if row["id"] in self._seen:
                    continue
                self._seen.add(row["id"])
                item = len(self.ids)
                self.ids.append(row["id"])
                self.exams.append(row["exam"])
                self.splits.append(row.get("split"))
                texts = _field_texts(row, self.config.fields)
                self.item_texts.append(" ".join(t for t, _ in texts))
                for text, is_stem in texts:
                    self.fields.append(text)
                    self.field_item.append(item)
                    self.field_is_stem.append(is_stem)

    def index(self) -> BenchmarkIndex:
        return BenchmarkIndex(pa.array(self.fields, pa.string()), np.array(self.field_item, np.int64),
                              np.array(self.field_is_stem, bool), len(self.ids), self.config.settings(),
                              pa.array(self.item_texts, pa.string()))

    def hit(self, item: int, method: str, score: float) -> dict:
        return {"exam": self.exams[item], "item_id": self.ids[item], "split": self.splits[item],
                "method": method, "score": float(score)}

    def table(self) -> pa.Table:
        return pa.table({"id": self.ids, "exam": self.exams, "split": self.splits}, schema=ITEMS)

    @classmethod
    def from_table(cls, config: Config, table: pa.Table) -> "BenchmarkItems":
        items = cls(config)
        items.ids, items.exams, items.splits = (table.column(c).to_pylist() for c in ("id", "exam", "split"))
        return items

    def summary(self) -> dict:
        found: dict[str, int] = {}
        for exam, split in zip(self.exams, self.splits):
            found[f"{exam}/{split}"] = found.get(f"{exam}/{split}", 0) + 1
        return found


def _field_texts(row: dict, fields: list[str]) -> list[tuple[str, bool]]:
    """(text, is the stem) per field; options are not the stem."""
    texts = []
    for name in fields:
        value = row.get(name)
        values = value if isinstance(value, list) else [value]
        texts += [(v["text"] if isinstance(v, dict) else v, name != "options") for v in values]
    return [(t, stem) for t, stem in texts if t]


def _tag(hits: list[list[dict]], is_eval: np.ndarray) -> list[pa.Array]:
    strongest = [sorted(h, key=lambda x: (x["method"] != "ngram", -x["score"]))[:MAX_HITS] for h in hits]
    return [pa.array([bool(h) for h in hits]), pa.array(strongest, pa.list_(HIT)), pa.array(is_eval)]


def _count(counts: dict, hits: list[list[dict]], is_eval: np.ndarray) -> None:
    counts["rows_checked"] += int((~is_eval).sum())
    for row_hits in hits:
        if row_hits:
            counts["contaminated"] += 1
            for method in {h["method"] for h in row_hits}:
                counts["by_method"][method] += 1
            for exam in {h["exam"] for h in row_hits}:
                counts["by_exam"][exam] = counts["by_exam"].get(exam, 0) + 1
