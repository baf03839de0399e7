"""`medcurate run` and `medcurate demo`: the whole DAG through the Prefect flow, then one summary table."""
import os
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from medcurate.cli.app import app
from medcurate.console import console
from medcurate.pipeline.dag import load_pipeline
from medcurate.report import print_steps
from medcurate.store import VersionStore, default_store_path

DEMO_CONFIG = Path(__file__).resolve().parent.parent / "samples" / "pipeline.yaml"


@app.command()
def run(config: Annotated[Optional[Path], typer.Option("--config", "-c", help="Pipeline YAML (sources, llm, "
                                                       "stage settings).")] = None,
        runner: Annotated[str, typer.Option(help="Task runner: local | dask | ray.")] = "local",
        address: Annotated[Optional[str], typer.Option(help="Address of a running Dask or Ray cluster.")] = None,
        store: Annotated[Optional[str], typer.Option("--store", help="Store folder or URI.")] = None):
    """Run the whole curation pipeline as the Prefect `curate` flow; committed steps are skipped."""
    settings = load_pipeline(config or DEMO_CONFIG)
    _run_flow(settings, store or settings.get("store") or default_store_path(), runner, address)


@app.command()
def demo(data: Annotated[Optional[Path], typer.Option(help="Run on this data folder (e.g. ../shared/data) "
                                                      "instead of the bundled samples.")] = None,
         store: Annotated[Optional[str], typer.Option("--store", help="Store folder or URI.")] = None):
    """The whole DAG on the bundled samples (or --data) with the embedded local model."""
    settings = load_pipeline(DEMO_CONFIG)
    if data:
        settings["sources"] = {"pmc": [str(data / "pmc_jats")], "exams": [str(data / "exam_mcq")],
                               "notes": [str(data / "clinical_notes")]}
    _run_flow(settings, store or "demo-store", "local", None)


def _run_flow(settings: dict, store: str, runner: str, address: str | None) -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")    # no telemetry writes racing the run
    from medcurate.flows.curate import curate_flow
    from medcurate.flows.runners import task_runner
    try:
        flow = curate_flow.with_options(task_runner=task_runner(runner, address))
    except ValueError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2)
    started = time.perf_counter()
    rows = flow(settings, store)
    print_steps(VersionStore(store), rows, time.perf_counter() - started)
    typer.echo(rows[-1]["version"] if rows else "")
