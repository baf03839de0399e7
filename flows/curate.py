"""`curate` flow: a checked pipeline as Prefect tasks. Steps whose inputs are ready run side by side; a step
that runs in parts is one task per part and phase, then one task that assembles them; a rerun after a crash
skips every committed step and part. Then the release: PHI audit, dataset cards, review sample."""
from prefect import flow, task
from prefect.futures import wait

from medcurate.flows.release import release
from medcurate.flows.tasks import run_part, run_step
from medcurate.pipeline.check import Checked, check
from medcurate.pipeline.dag import StepResult, input_refs
from medcurate.pipeline.registry import stage_class
from medcurate.pipeline.resolve import resolve_inputs
from medcurate.pipeline.spec import Step, build, load_pipeline
from medcurate.runner import pending_parts
from medcurate.store import VersionStore


@flow(name="curate", log_prints=True)
def curate_flow(config: dict | str | None = None, store: str | None = None) -> list[dict]:
    """Run every step of a pipeline — the default one extended by `config` (a pipeline file's path, or its
    values as a dict) — and release; return one summary row per step."""
    checked = check(load_pipeline(config) if isinstance(config, str) or config is None else build(config))
    results = run_steps(checked, store)
    handed = release_task({r.step: r.version for r in results}, store, checked.pipeline.release)
    print(f"dataset cards: {handed['cards']}; review tasks: {handed.get('review_tasks')}")
    return [vars(r) for r in results]


def run_steps(checked: Checked, store: str | None) -> list[StepResult]:
    """Rounds: every step whose inputs are done either submits the parts of its next phase, or (all parts
    committed, or none needed) is run/assembled; the round's tasks run side by side on the task runner."""
    st = VersionStore(store)
    done: dict[str, StepResult] = {}
    remaining = list(checked.steps)
    refs: dict[str, list[str]] = {}
    while remaining:
        ready = [s for s in remaining if all(r.step == "sources" or r.step not in checked.stages or r.step in done
                                             for r in s.refs)]
        parts, finishing = [], []
        for step in ready:
            refs.setdefault(step.name, input_refs(step, checked, {k: v.version for k, v in done.items()}, st))
            phase, pending = _pending(st, step, refs[step.name])
            parts += [run_part.with_options(task_run_name=f"{step.name}[{phase} {p.key}]").submit(
                step.stage, refs[step.name], step.config, phase, p.key, store) for p in pending]
            if not pending:
                finishing.append(step)
        steps = {s.name: run_step.submit(s, refs[s.name], store) for s in finishing}
        wait(parts + list(steps.values()))
        for future in parts:
            future.result()                      # a failed part fails the flow, with its own error
        for name, future in steps.items():
            done[name] = future.result()
        remaining = [s for s in remaining if s.name not in done]
    return [done[s.name] for s in checked.steps]


def _pending(st: VersionStore, step: Step, refs: list[str]):
    stage_cls = stage_class(step.stage)
    return pending_parts(st, stage_cls.from_dict(step.config), resolve_inputs(st, stage_cls, refs))


@task(name="release")
def release_task(results: dict[str, str], store: str | None, settings: dict) -> dict:
    return release(store, results, settings)
