"""`decontaminate`: tag training rows that overlap evaluation benchmarks, with the benchmark items.

Benchmarks are the exam-item rows of the inputs whose split counts as evaluation (`eval_splits`,
optionally only some `benchmarks`). Every other row of every input (passages, documents, QA pairs,
training-split exam items) is checked with the three detectors of `BenchmarkIndex` and gets
`contaminated`, `contamination` (which benchmark item, split, detector, score) and `eval_item`.
Nothing is deleted; `select` drops `contaminated == true` when a dataset is released. Example:

    medcurate stage decontaminate --input pmc:passages --input exams --config decontam.yaml
"""
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medcurate.console import track
from medcurate.funnel import Funnel
from medcurate.stage import Stage, StageInputs, TableInput
from medcurate.store import PendingVersion
from medcurate.tagging import empty_table, output_names, with_columns
from stages.near_dup.benchmark_index import BenchmarkIndex, DetectorSettings, Match
from stages.near_dup.shingles import batch_tokens
from stages.near_dup.texts import row_texts, text_columns

HIT = pa.struct([pa.field("exam", pa.string()), pa.field("item_id", pa.string()), pa.field("split", pa.string()),
                 pa.field("method", pa.string()), pa.field("score", pa.float32())])
TAG_COLUMNS = [pa.field("contaminated", pa.bool_()), pa.field("contamination", pa.list_(HIT)),
               pa.field("eval_item", pa.bool_())]
BENCHMARK_FIELDS = ("question", "options", "context")
MAX_HITS = 5          # strongest benchmark items listed per row
METHODS = ("ngram", "overlap", "minhash")


@dataclass(frozen=True)
class Config:
    eval_splits: list[str] = field(default_factory=lambda: ["test", "dev", "validation", "unknown"])
    benchmarks: list[str] | None = None       # exam names (medqa, medmcqa, ...); None: every exam in the inputs
    fields: list[str] = field(default_factory=lambda: list(BENCHMARK_FIELDS))   # + "explanation" if wanted
    text_columns: list[str] | None = None     # of the training rows; default per kind as in dedup
    ngram: int = 13
    ngram_share: float = 0.5
    min_field_words: int = 8
    overlap_ngram: int = 3
    overlap_threshold: float = 0.5
    common_items: int = 10
    min_informative: int = 5
    minhash_ngram: int = 1                  # word sets: edits to short items keep most words, not most n-grams
    minhash_threshold: float = 0.6

    def __post_init__(self):
        if unknown := set(self.fields) - set(BENCHMARK_FIELDS) - {"explanation"}:
            raise ValueError(f"unknown benchmark fields {sorted(unknown)}")

    def settings(self) -> DetectorSettings:
        return DetectorSettings(self.ngram, self.ngram_share, self.min_field_words, self.overlap_ngram,
                                self.overlap_threshold, self.common_items, self.min_informative,
                                self.minhash_ngram, self.minhash_threshold)


class Decontaminate(Stage):
    name = "decontaminate"
    code_version = "1"
    reads = ("*",)
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        items = BenchmarkItems(self.config)
        for source in inputs.tables:
            if _kind(source) == "exam_items":
                items.collect(source)
        if not items.ids:
            raise ValueError("no benchmark items: give an exam_items input with rows in the eval splits "
                             f"{self.config.eval_splits}" + (f" of {self.config.benchmarks}" if self.config.benchmarks else ""))
        index = items.index()
        counts = {"rows_checked": 0, "contaminated": 0, "by_method": {m: 0 for m in METHODS}, "by_exam": {}}
        for source, name in zip(inputs.tables, output_names(inputs.tables)):
            funnel.inputs += 1
            self._tag_table(source, name, out, funnel, items, index, counts)
        return {"benchmark_items": items.summary(), **counts}

    def _tag_table(self, source: TableInput, name: str, out: PendingVersion, funnel: Funnel, items: "BenchmarkItems",
                   index: BenchmarkIndex, counts: dict) -> None:
        kind, columns, writer = _kind(source), None, None
        for batch in track(source.iter_batches(), f"decontaminate: {source.ref}"):
            columns = columns or text_columns(kind, batch.schema.names, self.config.text_columns)
            is_eval = items.is_eval(batch) if kind == "exam_items" else np.zeros(batch.num_rows, bool)
            tokens = batch_tokens(row_texts(batch, columns, kind))
            hits = [[] for _ in range(batch.num_rows)]
            for method in METHODS:
                match = getattr(index, f"{method}_matches")(tokens)
                for row, item, score in zip(match.row, match.item, match.score):
                    if not is_eval[row]:
                        hits[row].append(items.hit(item, method, score))
            tagged = _tag(batch, hits, is_eval)
            writer = writer or out.table(name, tagged.schema, kind)
            writer.write(tagged)
            funnel.see(batch.num_rows)
            funnel.keep(batch.num_rows)
            _count(counts, hits, is_eval)
        if writer is None:
            empty_table(out, name, source, TAG_COLUMNS)


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


def _kind(source: TableInput) -> str:
    return source.version.tables[source.table]["kind"]


def _tag(batch: pa.RecordBatch, hits: list[list[dict]], is_eval: np.ndarray) -> pa.RecordBatch:
    strongest = [sorted(h, key=lambda x: (x["method"] != "ngram", -x["score"]))[:MAX_HITS] for h in hits]
    columns = [pa.array([bool(h) for h in hits]), pa.array(strongest, pa.list_(HIT)), pa.array(is_eval)]
    return with_columns(batch, columns, TAG_COLUMNS)


def _count(counts: dict, hits: list[list[dict]], is_eval: np.ndarray) -> None:
    counts["rows_checked"] += int((~is_eval).sum())
    for row_hits in hits:
        if row_hits:
            counts["contaminated"] += 1
            for method in {h["method"] for h in row_hits}:
                counts["by_method"][method] += 1
            for exam in {h["exam"] for h in row_hits}:
                counts["by_exam"][exam] = counts["by_exam"].get(exam, 0) + 1
