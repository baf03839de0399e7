"""Turn `--input` values (a version id, a tag, `ID:table`, or a path) into a stage's inputs.

A path to an external table is imported as a version first, so every stage can run on data made
elsewhere and its lineage still points at a version in the store.
"""
import os
import re

from medcurate.errors import UsageError
from medcurate.inputs import list_files
from medcurate.runner import RunResult, run_stage
from medcurate.stage import Stage, StageInputs, TableInput
from medcurate.stages.import_table import ImportTable
from medcurate.store import Version, VersionStore
from medcurate.tables import looks_like_table

_PART = re.compile(r"(?P<table>[\w-]*)\[(?P<start>\d+):(?P<stop>\d+)\]")


class InputError(UsageError):
    pass


def resolve_inputs(store: VersionStore, stage: type[Stage], refs: list[str],
                   imported: list[RunResult] | None = None, assume_deidentified: str | None = None) -> StageInputs:
    """`imported` collects the versions made from external tables, for the run summary; an external table is
    screened at the door (medcurate/gate.py) unless `assume_deidentified` says why it need not be."""
    if not stage.reads:                                   # ingest stages read raw files
        try:
            return StageInputs(files=list_files(refs))
        except FileNotFoundError as exc:
            raise InputError(str(exc)) from None
    tables, files = [], []
    for ref in refs:
        vref, _, table = ref.partition(":") if ":" in ref and not _is_path(ref) else (ref, "", "")
        version = store.resolve(vref)
        if version is None:
            if not _is_path(ref):
                raise InputError(f"--input {ref!r} is neither a version id, a tag, nor an existing path")
            if not looks_like_table(ref):
                raise InputError(f"--input {ref}: not a table medcurate can import "
                                 "(JSONL/JSON, Parquet, CSV/TSV, Arrow, or a Hugging Face dataset folder)")
            if not stage.imports_paths:        # the stage reads the table itself (e.g. raw notes stay out)
                files.append(ref)
                continue
            kind = stage.reads[0] if stage.reads[0] != "*" else None     # None: inferred from the columns
            config = ImportTable.Config(kind=kind, assume_deidentified=assume_deidentified)
            result = run_stage(store, ImportTable(config), StageInputs(files=[ref]))
            if imported is not None:
                imported.append(result)
            version = result.version
        table, rows = _part(table)
        tables.append(TableInput(version, _check_table(version, table) if table else _pick_table(version, stage.reads),
                                 rows))
    return StageInputs(tables=tables, files=files)


def _part(table: str) -> tuple[str, tuple[int, int] | None]:
    """"passages[0:500]" → ("passages", (0, 500)): one part of a table, as the flows' part tasks name it."""
    if match := _PART.fullmatch(table):
        return match["table"], (int(match["start"]), int(match["stop"]))
    return table, None


def _check_table(version: Version, table: str) -> str:
    if table not in version.tables:
        raise InputError(f"version {version.id} has no table {table!r} (it has {', '.join(version.tables)})")
    return table


def _pick_table(version: Version, wanted: tuple[str, ...]) -> str:
    tables = version.tables
    for kind in wanted:
        for name, info in tables.items():
            if info["kind"] == kind:
                return name
    main = version.manifest.get("kind")
    if "*" in wanted and main in tables:
        return main
    raise InputError(f"version {version.id} has no table of kind {', '.join(wanted)} "
                     f"(it has {', '.join(tables)}); name one as {version.id}:TABLE")


def _is_path(ref: str) -> bool:
    return os.path.exists(ref) or "://" in ref
