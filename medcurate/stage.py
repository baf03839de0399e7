"""What a stage is, and the one runner that the CLI and the Prefect flows both call.

A stage is a small class: a name, a code version, a `Config` dataclass, the table kinds it reads,
and `run(...)`, which writes tables into a pending version and counts every record in a funnel.
The runner owns everything around it: the deterministic version id and the cache hit, the PHI gate
on inputs, the funnel check, and the atomic commit. Stages never touch the store layout.
"""
import dataclasses
import hashlib
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
    """One table of a committed version, as a stage input."""
    version: Version
    table: str

    @property
    def ref(self) -> str:
        return f"{self.version.id}:{self.table}"

    def iter_batches(self) -> Iterator[pa.RecordBatch]:
        return self.version.iter_batches(self.table)


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
    code = f"{stage.code_version}/schemas-{schemas.SCHEMA_VERSION}"
    vid = version_id(stage.name, config, identities, code)
    if existing := store.get(vid):
        return RunResult(existing, cached=True)
    if not stage.accepts_raw_notes:
        for table in inputs.tables:
            check_deidentified(table.iter_batches(), where=table.ref)
    pending = store.begin(vid, {"stage": stage.name, "config": config,
                                "inputs": identities, "code_version": code,
                                "medcurate_version": __version__, "schema_version": schemas.SCHEMA_VERSION})
    try:
        funnel = Funnel()
        summary = stage.run(inputs, pending, funnel)
        funnel.check()
        return RunResult(pending.commit(funnel.to_dict(), summary), cached=False)
    except BaseException:
        pending.abort()
        raise


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
