"""The curation DAG, once: which stage runs on which earlier outputs, with which settings.

`steps(config)` lists the steps in dependency order; `run_pipeline(config, execute)` walks them and
leaves *how* a step runs to `execute` — directly (`run_direct`), or as Prefect tasks (flows/curate.py).
A pipeline config (YAML) names the sources, the LLM, and any stage settings to override:

    sources: {pmc: [samples/pmc], exams: [samples/exams], notes: [samples/notes]}
    llm: {engine: embedded}
    stages:
      qa_passages: {limit: 8}
      generate_qa: {max_tokens: 256}
"""
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from medcurate.errors import UsageError
from medcurate.pipeline.registry import stage_class
from medcurate.pipeline.resolve import resolve_inputs
from medcurate.runner import RunResult, run_stage
from medcurate.store import VersionStore
from medcurate.tagging import unique_names

LLM_STAGES = {"generate_qa", "grounding", "annotate"}     # get the pipeline's `llm` unless they set their own


def load_pipeline(path: str | Path) -> dict:
    """A pipeline YAML file; relative `sources` paths are taken from the file's own folder, so a pipeline
    file and its data can move together (the bundled samples' file names `pmc`, `exams`, `notes`)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"pipeline file {path}: no such file")
    config = yaml.safe_load(path.read_text()) or {}
    if not isinstance(config, dict):
        raise UsageError(f"pipeline file {path}: expected a mapping (sources, llm, stages, ...)")
    sources = config.get("sources") or {}
    config["sources"] = {key: [p if "://" in p or Path(p).is_absolute() else str(path.parent / p) for p in paths]
                         for key, paths in sources.items()}
    return config


@dataclass(frozen=True)
class Step:
    name: str                     # unique in the pipeline; also the tag given to its version
    stage: str
    inputs: list[str]             # "sources:<key>" (raw files) or "<step>:<table>" / "<step>"
    config: dict = field(default_factory=dict)


def steps(config: dict) -> list[Step]:
    """The DAG for the sources the config has; stage settings from `config["stages"]` override defaults."""
    sources = config.get("sources", {})
    plan: list[Step] = [Step(f"ingest_{key}", f"ingest_{key}", [f"sources:{key}"])
                        for key in ("pmc", "exams", "notes") if sources.get(key)]
    have = {s.name for s in plan}
    passages = [f"ingest_{k}:passages" for k in ("pmc", "notes") if f"ingest_{k}" in have]
    exams = ["ingest_exams:exam_items"] if "ingest_exams" in have else []
    if not passages:
        return _configured(plan, config)
    plan.append(Step("dedup", "dedup", passages + exams))
    deduped = [f"dedup:{name}" for name in unique_names([ref.split(":")[1] for ref in passages])]
    if exams:
        plan.append(Step("decontaminate", "decontaminate", deduped + ["dedup:exam_items"]))
        deduped = [f"decontaminate:{ref.split(':')[1]}" for ref in deduped]
    clean = [{"column": "dup_keep", "op": "==", "value": True, "reason": "near or exact duplicate"}]
    if exams:
        clean.append({"column": "contaminated", "op": "==", "value": False, "reason": "overlaps a benchmark"})
    plan.append(Step("training_passages", "select", [deduped[0]], {"where": clean}))
    documents = [f"ingest_{k}:documents" for k in ("pmc", "notes") if f"ingest_{k}" in have]
    plan.append(Step("labels", "annotate", ["training_passages"] + documents, {"teacher": "metadata"}))
    plan.append(Step("classifier", "train_classifier", ["labels"]))
    plan.append(Step("classified", "classify", ["training_passages", "classifier:models"]))
    plan.append(Step("qa_passages", "select", ["classified"], {"where": [
        {"column": "kind", "op": "in", "value": ["paragraph", "abstract", "note_section"], "reason": "not prose"}],
        "limit": 20}))
    plan.append(Step("generate_qa", "generate_qa", ["qa_passages"]))
    plan.append(Step("grounding", "grounding", ["generate_qa:qa_pairs"]))
    plan.append(Step("qa_dedup", "dedup", ["grounding:qa_pairs"]))
    thresholds = [{"column": "rule_score", "op": ">=", "value": 0.5, "reason": "fails the QA rules"},
                  {"column": "grounding_score", "op": ">=", "value": 0.5, "reason": "not grounded in its passage"},
                  {"column": "dup_keep", "op": "==", "value": True, "reason": "near-duplicate pair"}]
    scored = "qa_dedup:qa_pairs"
    if exams:
        plan.append(Step("qa_decontaminate", "decontaminate", [scored, "dedup:exam_items"]))
        scored = "qa_decontaminate:qa_pairs"
        thresholds.append({"column": "contaminated", "op": "==", "value": False, "reason": "overlaps a benchmark"})
    plan.append(Step("released_qa", "select", [scored], {"where": thresholds}))
    return _configured(plan, config)


def _configured(plan: list[Step], config: dict) -> list[Step]:
    overrides, llm = config.get("stages", {}), config.get("llm")
    unknown = set(overrides) - {s.name for s in plan}
    if unknown:
        raise UsageError(f"pipeline config: no step {', '.join(sorted(unknown))}; steps: "
                         f"{', '.join(s.name for s in plan)}")
    out = []
    for step in plan:
        settings = {**step.config, **overrides.get(step.name, {})}
        if llm and step.stage in LLM_STAGES:
            settings.setdefault("llm", llm)
        out.append(Step(step.name, step.stage, step.inputs, settings))
    return out


@dataclass
class StepResult:
    step: str
    stage: str
    version: str
    cached: bool
    seconds: float


def run_named(st: VersionStore, name: str, refs: list[str], config: dict | None = None) -> RunResult:
    """Stage `name` on inputs spelled as the CLI spells them (paths or version refs)."""
    stage_cls = stage_class(name)
    return run_stage(st, stage_cls.from_dict(config), resolve_inputs(st, stage_cls, refs))


def run_direct(store: str | None, step: Step, refs: list[str]) -> StepResult:
    """Run one step in this process (the CLI's way); parts of row-wise stages run one after another."""
    started = time.perf_counter()
    st = VersionStore(store)
    result = run_named(st, step.stage, refs, step.config)
    st.tag(step.name, result.version.id)
    return StepResult(step.name, step.stage, result.version.id, result.cached, time.perf_counter() - started)


def input_refs(step: Step, config: dict, done: dict[str, StepResult]) -> list[str]:
    """A step's inputs as the CLI would spell them: file paths, or version id[:table]."""
    refs = []
    for ref in step.inputs:
        if ref.startswith("sources:"):
            refs += config["sources"][ref.split(":", 1)[1]]
        else:
            name, _, table = ref.partition(":")
            refs.append(f"{done[name].version}:{table}" if table else done[name].version)
    return refs


def run_pipeline(config: dict, execute: Callable[[Step, list[str]], StepResult]) -> list[StepResult]:
    done: dict[str, StepResult] = {}
    for step in steps(config):
        done[step.name] = execute(step, input_refs(step, config, done))
    return list(done.values())
