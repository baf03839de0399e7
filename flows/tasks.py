"""The Prefect tasks every flow uses: run a named stage, one part of a stage, or a pipeline step, through the
shared runner (the same code the CLI runs, so the same inputs give the same version ids)."""
from prefect import task

from medcurate.pipeline.dag import StepResult, run_direct, run_named
from medcurate.pipeline.registry import stage_class
from medcurate.pipeline.resolve import resolve_inputs
from medcurate.pipeline.spec import Step
from medcurate.runner import run_pending_part
from medcurate.store import VersionStore


@task(name="stage", task_run_name="{name}", retries=1, retry_delay_seconds=5)
def run_named_stage(name: str, inputs: list[str], config: dict | None = None, store: str | None = None) -> str:
    """Run stage `name` on `inputs` (paths or version refs); return the version id (cache hits included)."""
    return run_named(VersionStore(store), name, inputs, config).version.id


@task(name="part", retries=1, retry_delay_seconds=5)
def run_part(name: str, inputs: list[str], config: dict, phase: str, key: str, store: str | None) -> str:
    """One part of a stage's run in parts (its earlier phases are committed); return the part's version id."""
    st = VersionStore(store)
    stage_cls = stage_class(name)
    return run_pending_part(st, stage_cls.from_dict(config), resolve_inputs(st, stage_cls, inputs), phase, key)


@task(name="step", task_run_name="{step.name}", retries=1, retry_delay_seconds=5)
def run_step(step: Step, refs: list[str], store: str | None) -> StepResult:
    """A whole step; for a stage run in parts its parts are already committed, so this assembles them."""
    return run_direct(store, step, refs)
