"""`medcurate ingest pmc|exams|notes PATH...`: raw files into a new version."""
import time
from typing import Annotated, Optional

import typer

from medcurate.cli.app import app
from medcurate.cli.common import JsonOpt, StoreOpt, TagOpt, finish, open_store
from medcurate.errors import UsageError
from medcurate.inputs import list_files
from medcurate.pipeline.registry import ingester
from medcurate.runner import run_stage
from medcurate.stage import StageInputs

SOURCES = ("pmc", "exams", "notes")


@app.command()
def ingest(
    source: Annotated[str, typer.Argument(help="What the files are: pmc (JATS / MEDLINE XML, .tar.gz "
                                               "packages), exams (exam banks), notes (clinical notes).")],
    paths: Annotated[list[str], typer.Argument(help="Files or folders (searched recursively).")],
    store: StoreOpt = None,
    tag: TagOpt = None,
    format: Annotated[Optional[str], typer.Option(help="exams: force a layout (medqa, medmcqa, pubmedqa, "
                                                       "mmlu, headqa, cmexam, frenchmedmcqa).")] = None,
    text_column: Annotated[Optional[str], typer.Option(help="notes: CSV column with the note text.")] = None,
    id_column: Annotated[Optional[str], typer.Option(help="notes: CSV column with the note id.")] = None,
    surrogate: Annotated[Optional[str], typer.Option(help="notes: replace PHI by typed tags ([NAME], [DATE]...) "
                                                          "or by consistent fake values per note (tag or fake).")]
    = None,
    as_json: JsonOpt = False,
):
    """Ingest raw files into a new version (documents + passages, or exam_items; plus quarantine).

    Prints the new version id on stdout. Running it again on unchanged files is a cache hit.
    """
    if source not in SOURCES:
        raise UsageError(f"unknown source {source!r}: choose {', '.join(SOURCES)}")
    options = {"format": format, "text_column": text_column, "id_column": id_column, "surrogate": surrogate}
    given = {key: value for key, value in options.items() if value is not None}
    stage_cls = ingester(source)
    stage = stage_cls.from_dict(given)
    try:
        inputs = StageInputs(files=list_files(paths))
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    st = open_store(store)
    started = time.perf_counter()
    finish(st, run_stage(st, stage, inputs), started, tag, as_json)
