"""`medcurate run --dry-run`: what a run would do, before it does anything.

For each step in order: its stage and inputs, and whether its version is already in the store (a cache hit:
same stage, settings, inputs and code) — known as long as everything upstream is; once a step must run, the
steps after it cannot know their inputs' ids yet. Skipped steps are listed with the reason.
"""
from dataclasses import dataclass

from medcurate.pipeline.check import Checked
from medcurate.pipeline.dag import input_refs
from medcurate.pipeline.resolve import resolve_inputs
from medcurate.runner import identify
from medcurate.store import VersionStore


@dataclass(frozen=True)
class Planned:
    step: str
    stage: str
    inputs: list[str]
    status: str            # "cached", "runs", "runs (after upstream)", "skipped: why"
    version: str | None = None


def plan(checked: Checked, store: VersionStore) -> list[Planned]:
    cached: dict[str, str] = {}
    rows = []
    for step in checked.pipeline.steps:
        if step.name in checked.skipped:
            rows.append(Planned(step.name, step.stage, step.inputs, f"skipped: {checked.skipped[step.name]}"))
            continue
        upstream = [r.step for r in step.refs if r.step != "sources" and r.step in checked.stages]
        if any(name not in cached for name in upstream):
            rows.append(Planned(step.name, step.stage, step.inputs, "runs (after upstream)"))
            continue
        stage = checked.stages[step.name]
        refs = input_refs(step, checked, cached, store)
        vid, _ = identify(stage, resolve_inputs(store, type(stage), refs))
        if store.get(vid):
            cached[step.name] = vid
        rows.append(Planned(step.name, step.stage, step.inputs, "cached" if step.name in cached else "runs", vid))
    return rows
