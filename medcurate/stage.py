"""What a stage is, and the one runner that the CLI and the Prefect flows both call.

A stage is a small class: a name, a code version, a `Config` dataclass, the table kinds it reads,
and `run(...)`, which writes tables into a pending version and counts every record in a funnel.
The runner owns everything around it: the deterministic version id and the cache hit, the PHI gate
on inputs, the funnel check, and the atomic commit. Stages never touch the store layout.
"""
import dataclasses
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import fsspec
import pyarrow as pa

import schemas
from medcurate import __version__
from medcurate.funnel import Funnel
from medcurate.gate import check_deidentified
from medcurate.store import PendingVersion, Version, VersionStore, version_id


@dataclass(frozen=True)
class TableInput:
    """One table of a committed version, as a stage input; `rows` limits it to a [start, stop) part."""
    version: Version
    table: str
    rows: tuple[int, int] | None = None

    @property
    def ref(self) -> str:
        part = f"[{self.rows[0]}:{self.rows[1]}]" if self.rows else ""
        return f"{self.version.id}:{self.table}{part}"

    @property
    def num_rows(self) -> int:
        return self.rows[1] - self.rows[0] if self.rows else self.version.tables[self.table]["rows"]

    def iter_batches(self) -> Iterator[pa.RecordBatch]:
        return self.version.iter_batches(self.table, *(self.rows or ()))


@dataclass
class StageInputs:
    tables: list[TableInput] = field(default_factory=list)
    files: list[str] = field(default_factory=list)     # raw input files, for ingest stages


@dataclass(frozen=True)
class NoConfig:
    pass


class Stage:
    name: ClassVar[str]
    code_version: ClassVar[str] = "1"
    reads: ClassVar[tuple[str, ...]] = ()     # table kinds consumed; empty for stages that read raw files
    accepts_raw_notes: ClassVar[bool] = False  # only de-identification may read notes that have not passed it
    # Row-wise stages set this: their first input is then processed in parts of this many rows, each
    # committed as a version of its own (a Prefect task per part in the flows), so a killed run resumes
    # from the parts already done; the parts are then assembled into the stage's version.
    part_rows: ClassVar[int | None] = None
    imports_paths: ClassVar[bool] = True       # external tables given as paths are imported as versions first
    Config: ClassVar[type] = NoConfig

    def __init__(self, config: Any = None):
        self.config = config if config is not None else self.Config()

    @classmethod
    def from_dict(cls, values: dict | None) -> "Stage":
        known = {f.name for f in dataclasses.fields(cls.Config)}
        unknown = set(values or {}) - known
        if unknown:
            raise ValueError(f"stage {cls.name}: unknown config keys {sorted(unknown)}; valid: {sorted(known)}")
        return cls(cls.Config(**(values or {})))

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        """Write output tables into `out`, count every record in `funnel`, return a summary dict."""
        raise NotImplementedError


@dataclass(frozen=True)
class RunResult:
    version: Version
    cached: bool


def run_stage(store: VersionStore, stage: Stage, inputs: StageInputs) -> RunResult:
    config = dataclasses.asdict(stage.config)
    identities = [t.ref for t in inputs.tables] + [f"{p}@{file_digest(p)}" for p in inputs.files]
    rows_per_part = part_rows(stage)
    code = f"{stage.code_version}/schemas-{schemas.SCHEMA_VERSION}" + (f"/parts-{rows_per_part}" if rows_per_part else "")
    vid = version_id(stage.name, config, identities, code)
    if existing := store.get(vid):
        return RunResult(existing, cached=True)
    parts = plan_parts(stage, inputs)
    if not stage.accepts_raw_notes and not parts:
        for table in inputs.tables:
            check_deidentified(table.iter_batches(), where=table.ref)
    header = {"stage": stage.name, "config": config, "inputs": identities, "code_version": code,
              "medcurate_version": __version__, "schema_version": schemas.SCHEMA_VERSION}
    if parts:                     # each part is a version of its own: done parts are cache hits on a rerun
        done = [run_stage(store, stage, part).version for part in parts]
        return RunResult(assemble(store, vid, {**header, "parts": [v.id for v in done]}, done), cached=False)
    pending = store.begin(vid, header)
    try:
        funnel = Funnel()
        summary = stage.run(inputs, pending, funnel)
        funnel.check()
        return RunResult(pending.commit(funnel.to_dict(), summary), cached=False)
    except BaseException:
        pending.abort()
        raise


def part_rows(stage: Stage) -> int | None:
    """The stage's part size; MEDCURATE_PART_ROWS overrides it for every row-wise stage (smaller parts:
    finer resume and more parallel tasks). It is part of the version id, so set it the same for reruns."""
    override = os.environ.get("MEDCURATE_PART_ROWS")
    return (int(override) if override and stage.part_rows else None) or stage.part_rows


def plan_parts(stage: Stage, inputs: StageInputs) -> list[StageInputs]:
    """The parts a row-wise stage's run is split into (none when it fits in one part)."""
    size = part_rows(stage)
    if not size or not inputs.tables or inputs.tables[0].rows:
        return []
    first, rest = inputs.tables[0], inputs.tables[1:]
    total = first.num_rows
    if total <= size:
        return []
    return [StageInputs(tables=[TableInput(first.version, first.table, (start, min(start + size, total))), *rest],
                        files=inputs.files)
            for start in range(0, total, size)]


def assemble(store: VersionStore, vid: str, header: dict, parts: list[Version]) -> Version:
    """One version from its parts, in order: tables concatenated, funnels and summaries added up."""
    pending = store.begin(vid, header)
    try:
        for name, info in parts[0].tables.items():
            writer = pending.table(name, parts[0].read(name).schema, info["kind"])
            for part in parts:
                for batch in part.iter_batches(name):
                    writer.write(batch)
        funnel = _add([p.manifest["funnel"] for p in parts])
        return pending.commit(funnel, _add([p.manifest["summary"] for p in parts]))
    except BaseException:
        pending.abort()
        raise


def _add(values: list):
    """Counts add up, rates (floats) average, dicts merge key by key; anything else keeps its first value."""
    first = values[0]
    if isinstance(first, bool) or not isinstance(first, (int, float, dict)):
        return first
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for v in values if isinstance(v, dict) for k in v))
        return {k: _add([v[k] for v in values if isinstance(v, dict) and k in v]) for k in keys}
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sum(numbers) if isinstance(first, int) else round(sum(numbers) / len(numbers), 4)


def file_digest(path: str) -> str:
    """Content hash of an input file (or of every file in a folder), so the version id changes with it."""
    fs, root = fsspec.core.url_to_fs(path)
    names = sorted(fs.find(root)) if fs.isdir(root) else [root]
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.removeprefix(root).encode())
        with fs.open(name, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:16]
