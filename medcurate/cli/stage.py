"""`medcurate stage NAME` (run one stage, or `--describe` it) and `medcurate stages` (list them)."""
import dataclasses
import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from medcurate.cli.app import app
from medcurate.cli.common import AssumeOpt, JsonOpt, StoreOpt, TagOpt, finish, load_settings, open_store
from medcurate.config import describe_fields
from medcurate.console import console
from medcurate.errors import UsageError
from medcurate.pipeline.registry import load_all, stage_class
from medcurate.pipeline.resolve import resolve_inputs
from medcurate.runner import RunResult, run_stage
from medcurate.stage import Stage


@app.command()
def stage(
    name: Annotated[str, typer.Argument(help="Stage to run (`medcurate stages` lists them).")],
    input: Annotated[Optional[list[str]], typer.Option("--input", "-i", help="A version id, tag, ID:TABLE, or a "
                     "path to raw files (ingest stages) / an external table (JSONL, Parquet, CSV, Arrow, "
                     "Hugging Face dataset folder), imported as a version first.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML or JSON file with the "
                      "stage's settings (`--describe` lists them).")] = None,
    describe: Annotated[bool, typer.Option("--describe", help="Print what the stage does, reads and writes, "
                        "and every config key with its type, default and help; run nothing.")] = False,
    store: StoreOpt = None,
    tag: TagOpt = None,
    assume_deidentified: AssumeOpt = None,
    as_json: JsonOpt = False,
):
    """Run one stage on its inputs: the same code the flows run, so the same inputs give the same id."""
    stage_cls = stage_class(name)
    if describe:
        info = description(stage_cls)
        typer.echo(json.dumps(info, indent=2, default=str) if as_json else render_description(info))
        return
    if not input:
        raise UsageError(f"stage {name}: give at least one --input (see `medcurate stage {name} --describe`)")
    stage_obj = stage_cls.from_dict(load_settings(config))
    st = open_store(store)
    imported: list[RunResult] = []
    inputs = resolve_inputs(st, stage_cls, input, imported, assume_deidentified)
    for result in imported:
        console.print(f"imported external table as [bold]{result.version.id}[/]"
                      + (" (cache hit)" if result.cached else ""))
    started = time.perf_counter()
    finish(st, run_stage(st, stage_obj, inputs), started, tag, as_json)


@app.command("stages")
def stages(as_json: JsonOpt = False):
    """List every stage with what it does (`medcurate stage NAME --describe` for its settings)."""
    found = {name: cls for name, cls in sorted(load_all().items())}
    if as_json:
        typer.echo(json.dumps({name: description(cls) for name, cls in found.items()}, indent=2, default=str))
        return
    width = max(map(len, found))
    for name, cls in found.items():
        typer.echo(f"{name:<{width}}  {cls.purpose()}")


def description(cls: type[Stage]) -> dict:
    return {"name": cls.name, "purpose": cls.purpose(), "module": cls.__module__,
            "reads": list(cls.reads) or ["raw files"], "writes": _writes(cls),
            "reads_columns": list(cls.needs),
            "writes_columns": [f.name for f in getattr(cls, "columns", ())],
            "row_wise_parts": cls.part_rows,
            "config": [dataclasses.asdict(f) for f in describe_fields(cls.Config)]}


def render_description(info: dict) -> str:
    lines = [f"{info['name']}: {info['purpose']}", "",
             f"  reads:   {', '.join(info['reads'])}" + (f" (columns {', '.join(info['reads_columns'])})"
                                                         if info["reads_columns"] else ""),
             f"  writes:  {', '.join(info['writes'])}" + (f" (adds {', '.join(info['writes_columns'])})"
                                                          if info["writes_columns"] else "")]
    if info["row_wise_parts"]:
        lines.append(f"  runs in parts of {info['row_wise_parts']:,} rows (MEDCURATE_PART_ROWS)")
    lines += ["", "  config keys:" if info["config"] else "  config: none"]
    for f in info["config"]:
        default = "required" if f["default"] is dataclasses.MISSING else json.dumps(f["default"], default=str)
        lines.append(f"    {f['name']} ({f['type']}, default {default})")
        if f["help"]:
            lines.append(f"        {f['help']}")
    return "\n".join(lines)


def _writes(cls: type[Stage]) -> list[str]:
    return list(cls.writes) or ["the tables it reads, every row kept"]
