"""The one Prefect task every flow uses: run a named stage through the shared runner."""
from prefect import task

from medcurate.registry import STAGES
from medcurate.resolve import resolve_inputs
from medcurate.stage import run_stage
from medcurate.store import VersionStore


@task(name="stage", task_run_name="{name}", retries=1, retry_delay_seconds=5)
def run_named_stage(name: str, inputs: list[str], config: dict | None = None, store: str | None = None) -> str:
    """Run stage `name` on `inputs` (paths or version refs); return the version id (cache hits included)."""
    stage_cls = STAGES[name]
    st = VersionStore(store)
    result = run_stage(st, stage_cls.from_dict(config), resolve_inputs(st, stage_cls, inputs))
    return result.version.id
