"""`annotate`: label a stratified sample of passages with document type, domain, educational quality (1-5)
and medical discipline: by an LLM through a versioned prompt and JSON schema, or, with `teacher: metadata`,
from the documents' own metadata (PMC article-type, section titles, note specialty; see
`stages/labelling/teacher.py`), the labels trusted here for measuring how well a student learns.

An LLM answer that stays invalid, refused or cut off after the client's retries is never guessed: the
passage is dropped with reason "llm failure: ..." and its raw answer kept in the `failures` table.
`train_classifier` learns from the `labels` table. Example:

    medcurate stage annotate --input pmc --config annotate.yaml
    # annotate.yaml
    sample_size: 2000
    llm: {engine: http, base_url: "http://gpu-node:8000", model: Qwen/Qwen2.5-7B-Instruct}
"""
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from medcurate.config import option
from medcurate.console import console
from medcurate.errors import UsageError
from medcurate.funnel import Funnel
from medcurate.llm import Sampling, load_template
from medcurate.llm.for_stages import default_llm, stage_client
from medcurate.shards import TableWriter
from medcurate.stage import Stage, StageInputs, TableInput, register
from medcurate.stages.labels.families import FAILURES, FAMILIES, LABELS, label_values
from medcurate.stages.labels.sample import stratified_sample
from medcurate.stages.labels.teacher import RULE, MetadataTeacher, documents_for
from medcurate.store import PendingVersion, VersionStore

ROW_COLUMNS = ("id", "doc_id", "source", "kind", "section_title", "text", "deidentified")


@dataclass(frozen=True)
class Config:
    sample_size: int | None = option(2000, "passages labelled; None: every passage")
    seed: int = option(1, "picks the sample (and seeds the LLM's sampling)")
    teacher: str | None = option(None, "'metadata': labels from the documents' metadata, no LLM")
    prompt: str = option("annotate@1", "prompt template and version (name@version)")
    llm: dict = option(default_llm(), "the LLM engine (engine, model, base_url, ...)")
    max_tokens: int = option(96, "the answer is ~40 tokens of JSON")
    max_chars: int = option(3000, "passage text sent to the LLM (the client also cuts to fit the context)")
    max_attempts: int = option(3, "tries per passage before it is dropped as an LLM failure")
    chunk_rows: int = option(256, "passages per client call; each call's answers are cached at once")

    def __post_init__(self):
        if self.teacher not in (None, RULE):
            raise ValueError(f"teacher must be {RULE!r} or unset, not {self.teacher!r}")
        if self.sample_size is not None and self.sample_size < 1:
            raise ValueError("sample_size must be at least 1 (or null for every passage)")


@register
class Annotate(Stage):
    name = "annotate"
    writes = ("labels", "failures")
    reads = ("passages", "documents")
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        cfg = self.config
        passages = [t for t in inputs.tables if t.kind == "passages"]
        if not passages:
            raise UsageError("annotate needs a passages table as input")
        sample = stratified_sample(passages, cfg.sample_size, cfg.seed)
        labels, failures = out.table("labels", LABELS, "labels"), out.table("failures", FAILURES, "failures")
        chunks = _sampled_chunks(passages, sample, funnel, cfg.chunk_rows)
        if cfg.teacher:
            documents = documents_for(passages, [t for t in inputs.tables if t.kind == "documents"])
            counts = self._teach(MetadataTeacher(documents), chunks, sample, labels, funnel)
        else:
            counts = self._ask(chunks, sample, labels, failures, funnel, out.store)
        console.print(f"  labelled {counts['labelled']:,} of {len(sample):,} sampled passages")
        return {"sampled": len(sample), "strata": len(set(sample.values())), **counts}

    def _teach(self, teacher: MetadataTeacher, chunks: Iterator[list[dict]], sample: dict[str, str],
               labels: TableWriter, funnel: Funnel) -> dict:
        labelled = 0
        for chunk in chunks:
            rows = []
            for row in chunk:
                if (found := teacher.labels(row)) is None:
                    funnel.drop("teacher: document metadata not found")
                    continue
                rows.append(_label_row(row, sample[row["id"]], found, f"teacher:{RULE}", None))
            labels.write(rows)
            funnel.keep(len(rows))
            labelled += len(rows)
        return {"labelled": labelled, "label_source": f"teacher:{RULE}"}

    def _ask(self, chunks: Iterator[list[dict]], sample: dict[str, str], labels: TableWriter,
             failures: TableWriter, funnel: Funnel, store: VersionStore) -> dict:
        cfg = self.config
        template = load_template(cfg.prompt)
        disciplines = label_values(template.schema)["discipline"]
        sampling = Sampling(max_tokens=cfg.max_tokens, seed=cfg.seed)
        labelled = failed = 0
        with stage_client(cfg.llm, store, cfg.max_attempts) as client:
            source = f"llm:{client.engine.identity.get('model')}@{template.id}"
            for chunk in chunks:
                requests = [template.request(row["id"], sampling=sampling, text=(row["text"] or "")[:cfg.max_chars],
                                             section=row.get("section_title"), disciplines=disciplines)
                            for row in chunk]
                good, bad = [], []
                for row, result in zip(chunk, client.run(requests)):
                    if result.ok:
                        good.append(_label_row(row, sample[row["id"]], result.parsed, source, template.id))
                    else:
                        bad.append({"id": row["id"], "text": row["text"], "raw": result.text,
                                    "error": result.error, "attempts": result.attempts})
                        funnel.drop(f"llm failure: {result.error.split(':')[0][:60]}")
                labels.write(good)
                failures.write(bad)
                funnel.keep(len(good))
                labelled, failed = labelled + len(good), failed + len(bad)
            stats = client.stats
        return {"labelled": labelled, "failed": failed, "label_source": source,
                "cache_hit_rate": round(stats.hit_rate, 3), "retries": stats.retries}


def _sampled_chunks(passages: list[TableInput], sample: dict[str, str], funnel: Funnel,
                    size: int) -> Iterator[list[dict]]:
    """The sampled passages as row dicts, `size` at a time; every other passage is counted as not sampled."""
    wanted = pa.array(list(sample), pa.string())
    chunk: list[dict] = []
    for table in passages:
        funnel.inputs += 1
        for batch in table.iter_batches():
            funnel.see(batch.num_rows)
            mask = pc.is_in(batch.column("id"), value_set=wanted)
            if mask.true_count < batch.num_rows:
                funnel.drop("not in the sample", batch.num_rows - mask.true_count)
            picked = batch.filter(mask)
            for row in picked.select([c for c in ROW_COLUMNS if c in picked.schema.names]).to_pylist():
                chunk.append(row)
                if len(chunk) == size:
                    yield chunk
                    chunk = []
    if chunk:
        yield chunk


def _label_row(row: dict, stratum: str, labels: dict, label_source: str, prompt: str | None) -> dict:
    return {"id": row["id"], "doc_id": row.get("doc_id"), "source": row.get("source"), "stratum": stratum,
            "text": row["text"], **{k: labels[k] for k in FAMILIES}, "label_source": label_source,
            "prompt_version": prompt, "deidentified": row.get("deidentified")}

