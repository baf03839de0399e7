"""`generate_qa`: question-answer pairs grounded in passages, through the LLM layer.

Passages are chunked (each paragraph alone, or consecutive paragraphs of a document packed up to a word
budget, MIRIAD-style), each chunk goes to the engine with a versioned prompt and a JSON schema, and every
pair records its passage, model, prompt version and sampling. `style: mcq` asks for one exam-style
question with four options instead. A chunk whose output stays invalid after the retries is dropped with
the reason and its raw output kept in the `failures` table; nothing is made up. Run `grounding` next;
for a sample run, `select` a few passages first (`limit`).
"""
import json
from dataclasses import asdict, dataclass

import pyarrow as pa

from medcurate import schemas
from medcurate.config import option
from medcurate.console import console
from medcurate.funnel import Funnel
from medcurate.llm import LLMResult, Sampling, load_template
from medcurate.llm.for_stages import default_llm, stage_client
from medcurate.stage import Stage, StageInputs, register
from medcurate.store import PendingVersion

FAILURES = pa.schema([pa.field("id", pa.string()), pa.field("chunk", pa.string()), pa.field("error", pa.string()),
                      pa.field("raw", pa.string()), pa.field("prompt_version", pa.string())])


@dataclass(frozen=True)
class Config:
    style: str = option("open", "open: N question-answer pairs per chunk; mcq: one exam-style question")
    pairs_per_chunk: int = option(3, "MIRIAD: 3 per ~1000-token passage")
    chunking: str = option("paragraph", "paragraph | packed (consecutive paragraphs of a document)")
    max_words: int = option(700, "packed chunk budget (~1000 tokens)")
    min_words: int = option(40, "shorter chunks have too little to ask about")
    chat: bool = option(True, "false for base models (plain completion prompt)")
    temperature: float = option(0.3, "sampling temperature")
    max_tokens: int = option(512, "tokens per answer")
    seed: int = option(0, "sampling seed")
    llm: dict = option(default_llm(), "the LLM engine (engine, model, base_url, ...)")

    def __post_init__(self):
        if self.style not in ("open", "mcq") or self.chunking not in ("paragraph", "packed"):
            raise ValueError("style must be open or mcq; chunking paragraph or packed")


@dataclass
class Chunk:
    id: str
    passages: list[dict]

    @property
    def text(self) -> str:
        return "\n\n".join(p["text"] for p in self.passages)


@register
class GenerateQA(Stage):
    name = "generate_qa"
    writes = ("qa_pairs", "failures")
    reads = ("passages",)
    part_rows = 64
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        cfg = self.config
        chunks = []
        for source in inputs.tables:
            funnel.inputs += 1
            rows = [r for b in source.iter_batches() for r in b.to_pylist()]
            funnel.see(len(rows))
            prose = [r for r in rows if (r["text"] or "").strip()]
            funnel.drop("empty text", len(rows) - len(prose))
            for chunk in make_chunks(prose, cfg.chunking, cfg.max_words):
                if len(chunk.text.split()) >= cfg.min_words:
                    chunks.append(chunk)
                else:
                    funnel.drop(f"chunk shorter than {cfg.min_words} words", len(chunk.passages))
        template = load_template("generate_qa" if cfg.style == "open" else "generate_mcq")
        sampling = Sampling(temperature=cfg.temperature, max_tokens=cfg.max_tokens, seed=cfg.seed)
        requests = [template.request(c.id, chat=cfg.chat, sampling=sampling, passage=c.text, n=cfg.pairs_per_chunk)
                    for c in chunks]
        with stage_client(cfg.llm, out.store) as client:
            results = client.run(requests)
            model = json.dumps(client.engine.identity, sort_keys=True)
            stats = client.stats
        pairs_out = out.table("qa_pairs", schemas.QA_PAIRS)
        failures = out.table("failures", FAILURES)
        made = 0
        for chunk, result in zip(chunks, results):
            pairs = self._pairs(chunk, result, model, json.dumps(asdict(sampling))) if result.ok else []
            if pairs:
                pairs_out.write(pairs)
                made += len(pairs)
                funnel.keep(len(chunk.passages))
            else:
                reason = result.error or "no usable pair in the output"
                failures.write([{"id": f"f{chunk.id}", "chunk": chunk.id, "error": reason, "raw": result.text,
                                 "prompt_version": result.template}])
                funnel.drop(f"llm failure: {reason.split(':')[0][:60]}", len(chunk.passages))
        seconds = sum(r.latency_s for r in results if not r.cached)
        summary = {"chunks": len(chunks), "pairs": made, "failed_chunks": len(chunks) - sum(r.ok for r in results),
                   "cache_hit_rate": round(stats.hit_rate, 3), "retries": stats.retries,
                   "engine_seconds": round(seconds, 1),
                   "pairs_per_minute": round(60 * made / seconds, 1) if seconds else None}
        console.print(f"  generated {made} pairs from {len(chunks)} chunks (cache hit rate {stats.hit_rate:.0%})")
        return summary

    def _pairs(self, chunk: Chunk, result: LLMResult, model: str, sampling: str) -> list[dict]:
        first = chunk.passages[0]
        base = {"passage_id": chunk.id, "source": first.get("source"), "passage": chunk.text, "model": model,
                "prompt_version": result.template, "sampling": sampling,
                "deidentified": first.get("deidentified")}
        if self.config.style == "mcq":
            p = result.parsed
            options = [{"label": k, "text": v} for k, v in sorted(p["options"].items())]
            return [{**base, "id": f"{chunk.id}/mcq0", "question": p["question"], "answer": p["explanation"],
                     "style": "mcq", "options": options, "answer_label": p["answer"]}]
        return [{**base, "id": f"{chunk.id}/qa{k}", "question": pair["question"].strip(),
                 "answer": pair["answer"].strip(), "style": "open", "options": None, "answer_label": None}
                for k, pair in enumerate(result.parsed["pairs"][:self.config.pairs_per_chunk])]


def make_chunks(passages: list[dict], chunking: str, max_words: int) -> list[Chunk]:
    """One chunk per passage, or consecutive passages of one document packed up to `max_words`."""
    if chunking == "paragraph":
        return [Chunk(p["id"], [p]) for p in passages]
    chunks: list[Chunk] = []
    for passage in sorted(passages, key=lambda p: (p.get("doc_id") or p["id"], p.get("seq") or 0)):
        last = chunks[-1] if chunks else None
        words = len(passage["text"].split())
        if last and last.passages[0].get("doc_id") == passage.get("doc_id") and \
                len(last.text.split()) + words <= max_words:
            last.passages.append(passage)
        else:
            chunks.append(Chunk(passage["id"], [passage]))
    for chunk in chunks:
        if len(chunk.passages) > 1:
            chunk.id = f"{chunk.passages[0]['id']}+{len(chunk.passages) - 1}"
    return chunks
