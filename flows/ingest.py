"""`ingest` flow: PMC, exam and note sources ingested side by side into the store."""
from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from medcurate.flows.tasks import run_named_stage


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=3), log_prints=True)
def ingest_flow(pmc: list[str] | None = None, exams: list[str] | None = None, notes: list[str] | None = None,
                store: str | None = None) -> dict[str, str]:
    """Ingest every source that has paths; return {source: version id}."""
    sources = {"pmc": ("ingest_pmc", pmc), "exams": ("ingest_exams", exams), "notes": ("ingest_notes", notes)}
    futures = {key: run_named_stage.submit(stage, paths, store=store)
               for key, (stage, paths) in sources.items() if paths}
    return {key: future.result() for key, future in futures.items()}
