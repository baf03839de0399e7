"""The Prefect tasks every flow uses: run a named stage (or one part of it) through the shared runner."""
from prefect import task

from medcurate.pipeline.dag import Step, StepResult, run_direct, run_named
from medcurate.pipeline.registry import stage_class
from medcurate.pipeline.resolve import resolve_inputs
from medcurate.runner import plan_parts
from medcurate.store import VersionStore


@task(name="stage", task_run_name="{name}", retries=1, retry_delay_seconds=5)
def run_named_stage(name: str, inputs: list[str], config: dict | None = None, store: str | None = None) -> str:
    """Run stage `name` on `inputs` (paths or version refs); return the version id (cache hits included)."""
    return run_named(VersionStore(store), name, inputs, config).version.id


@task(name="step", task_run_name="{step.name}", retries=1, retry_delay_seconds=5)
def run_step(step: Step, refs: list[str], store: str | None) -> StepResult:
    """A whole step; for a row-wise stage its parts are already committed, so this assembles them."""
    return run_direct(store, step, refs)


def part_refs(step: Step, refs: list[str], store: str | None) -> list[list[str]]:
    """The inputs of each part of a row-wise step, spelled as refs ("ID:table[0:64]"); [] when it has none."""
    st = VersionStore(store)
    stage_cls = stage_class(step.stage)
    inputs = resolve_inputs(st, stage_cls, refs)
    return [[t.ref for t in part.tables] + part.files for part in plan_parts(stage_cls.from_dict(step.config), inputs)]
