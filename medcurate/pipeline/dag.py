"""Walking a checked pipeline: each step's inputs spelled as the CLI spells them, and one step run.

`run_pipeline(checked, execute)` runs the steps in order and leaves *how* a step runs to `execute` — in this
process (`run_direct`), or as Prefect tasks (medcurate/flows/curate.py, which also runs independent steps
side by side).
"""
import time
from collections.abc import Callable
from dataclasses import dataclass

from medcurate.pipeline.check import Checked
from medcurate.pipeline.registry import stage_class
from medcurate.pipeline.resolve import resolve_inputs
from medcurate.pipeline.spec import Step
from medcurate.runner import RunResult, run_stage
from medcurate.store import Version, VersionStore


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


def run_direct(store: str | None, step: Step, refs: list[str], config: dict | None = None) -> StepResult:
    """Run one step in this process (the CLI's way) and tag its version with the step's name."""
    started = time.perf_counter()
    st = VersionStore(store)
    result = run_named(st, step.stage, refs, step.config if config is None else config)
    st.tag(step.name, result.version.id)
    return StepResult(step.name, step.stage, result.version.id, result.cached, time.perf_counter() - started)


def input_refs(step: Step, checked: Checked, done: dict[str, str], store: VersionStore) -> list[str]:
    """A step's inputs as the CLI would spell them: file paths, or version id:table (kinds expanded)."""
    refs: list[str] = []
    for ref in step.refs:
        if ref.step == "sources":
            refs += checked.pipeline.sources.get(ref.text.rstrip("?").split(":", 1)[1]) or []
            continue
        if ref.step not in done:          # a skipped optional input
            continue
        version = store.get(done[ref.step])
        refs += [f"{version.id}:{table}" for table in _tables(version, ref)]
    return refs


def _tables(version: Version, ref) -> list[str]:
    if ref.kind:
        return sorted((n for n, info in version.tables.items() if info["kind"] == ref.kind), key=_natural)
    return [ref.table or version.manifest.get("main_table") or next(iter(version.tables))]


def _natural(name: str) -> tuple:
    """passages, passages_2, passages_10: the order the stage gave them."""
    stem, _, number = name.rpartition("_")
    return (stem, int(number)) if number.isdigit() else (name, 0)


def run_pipeline(checked: Checked, execute: Callable[[Step, list[str]], StepResult],
                 store: VersionStore) -> list[StepResult]:
    done: dict[str, StepResult] = {}
    for step in checked.steps:
        done[step.name] = execute(step, input_refs(step, checked, {k: v.version for k, v in done.items()}, store))
    return list(done.values())
