"""`medcurate run` and `medcurate demo`: the whole pipeline through the Prefect flow, then one summary table."""
import os
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from medcurate.cli.app import app
from medcurate.cli.common import StoreOpt, open_store
from medcurate.console import console
from medcurate.pipeline.check import check
from medcurate.pipeline.plan import plan
from medcurate.pipeline.spec import build, read_file
from medcurate.report import print_steps
from medcurate.store import default_store_path

DEMO_CONFIG = Path(__file__).resolve().parent.parent / "samples" / "pipeline.yaml"
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Check the pipeline and print the plan (steps, inputs, "
                                                           "which are cache hits); run nothing.")]


@app.command()
def run(config: Annotated[Optional[Path], typer.Option("--config", "-c", help="Pipeline YAML: sources, llm, step "
                                                       "settings, added/replaced/removed steps (extends the "
                                                       "default pipeline).")] = None,
        runner: Annotated[str, typer.Option(help="Task runner: local | dask | ray.")] = "local",
        address: Annotated[Optional[str], typer.Option(help="Address of a running Dask or Ray cluster.")] = None,
        store: StoreOpt = None,
        dry_run: DryRunOpt = False):
    """Run the whole curation pipeline as the Prefect `curate` flow; committed steps are skipped."""
    values = read_file(config) if config else read_file(DEMO_CONFIG)
    _run(values, store or values.get("store") or default_store_path(), runner, address, dry_run)


@app.command()
def demo(data: Annotated[Optional[Path], typer.Option(help="Run on this data folder (e.g. ../shared/data) "
                                                      "instead of the bundled samples.")] = None,
         store: StoreOpt = None,
         dry_run: DryRunOpt = False):
    """The whole pipeline on the bundled samples (or --data) with the embedded local model."""
    values = read_file(DEMO_CONFIG)
    if data:
        values["sources"] = {"pmc": [str(data / "pmc_jats")], "exams": [str(data / "exam_mcq")],
                             "notes": [str(data / "clinical_notes")]}
    _run(values, store or "demo-store", "local", None, dry_run)


def _run(values: dict, store: str, runner: str, address: str | None, dry_run: bool) -> None:
    checked = check(build(values))          # a broken pipeline fails here, before anything runs
    if dry_run:
        _print_plan(plan(checked, open_store(store)))
        return
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")    # no telemetry writes racing the run
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")   # slow on a loaded machine
    from medcurate.flows.curate import curate_flow
    from medcurate.flows.runners import task_runner
    flow = curate_flow.with_options(task_runner=task_runner(runner, address))
    started = time.perf_counter()
    rows = flow(values, store)
    print_steps(open_store(store), rows, time.perf_counter() - started)
    typer.echo(rows[-1]["version"] if rows else "")


def _print_plan(rows) -> None:
    table = Table(header_style="bold", box=None, padding=(0, 2))
    for column in ("step", "stage", "inputs", "plan", "version"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.step, row.stage, ", ".join(row.inputs), row.status, row.version or "")
    console.print(table)
    runs = sum(r.status.startswith("runs") for r in rows)
    console.print(f"  {len(rows)} steps: {sum(r.status == 'cached' for r in rows)} cache hits, {runs} to run, "
                  f"{sum(r.status.startswith('skipped') for r in rows)} skipped")
