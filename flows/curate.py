"""`curate` flow: the whole DAG of flows/pipeline.py as Prefect tasks — one per step, and one per part
of a row-wise step (QA generation, grounding), so the UI shows progress, retries and failures per part
and a rerun after a crash skips every committed step and part."""

from prefect import flow, task
from prefect.futures import wait

from medcurate.flows.release import release
from medcurate.flows.tasks import part_refs, run_named_stage, run_step
from medcurate.pipeline.dag import Step, StepResult, load_pipeline, run_pipeline


@flow(name="curate", log_prints=True)
def curate_flow(config: dict | str, store: str | None = None) -> list[dict]:
    """Run every step of the pipeline `config` (a dict, or the path of a pipeline YAML); return one
    summary row per step."""
    if isinstance(config, str):
        config = load_pipeline(config)

    def execute(step: Step, refs: list[str]) -> StepResult:
        parts = part_refs(step, refs, store)
        if parts:
            wait([run_named_stage.with_options(task_run_name=f"{step.name}[{i}]").submit(
                step.stage, part, step.config, store) for i, part in enumerate(parts)])
        return run_step(step, refs, store)

    results = run_pipeline(config, execute)
    handed = release_task({r.step: r.version for r in results}, store)
    print(f"dataset cards: {handed['cards']}; review tasks: {handed.get('review_tasks')}")
    return [vars(r) for r in results]


@task(name="release")
def release_task(results: dict[str, str], store: str | None) -> dict:
    return release(store, results)
