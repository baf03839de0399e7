"""What a stage is: a small class with a name, a typed `Config`, the table kinds it reads, and `run(...)`,
which writes tables into a pending version and counts every record in a funnel.

Stages register themselves with `@register`, so the pipeline layer finds them by name without the core
importing any of them. Everything around `run` (version ids, cache hits, the PHI gate, verification,
commits, parts) is the runner's job (medcurate/runner.py); stages never touch the store layout.
"""
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pyarrow as pa

from medcurate.config import parse_config
from medcurate.funnel import Funnel
from medcurate.store import PendingVersion, Version

STAGES: dict[str, type["Stage"]] = {}


def register(cls: type["Stage"]) -> type["Stage"]:
    """Class decorator: make a stage runnable by name (`medcurate stage NAME`, pipeline files)."""
    if STAGES.get(cls.name, cls) is not cls:
        raise ValueError(f"two stages are named {cls.name!r}: {STAGES[cls.name].__module__} and {cls.__module__}")
    STAGES[cls.name] = cls
    return cls


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
    def kind(self) -> str:
        return self.version.tables[self.table]["kind"]

    @property
    def num_rows(self) -> int:
        return self.rows[1] - self.rows[0] if self.rows else self.version.tables[self.table]["rows"]

    @property
    def schema(self) -> pa.Schema:
        return self.version.schema(self.table)

    def iter_batches(self) -> Iterator[pa.RecordBatch]:
        return self.version.iter_batches(self.table, *(self.rows or ()))

    def read(self) -> pa.Table:
        return pa.Table.from_batches(list(self.iter_batches()), schema=self.schema)


@dataclass
class StageInputs:
    tables: list[TableInput] = field(default_factory=list)
    files: list[str] = field(default_factory=list)     # raw input files, for ingest stages


@dataclass(frozen=True)
class NoConfig:
    pass


class Stage:
    name: ClassVar[str]
    reads: ClassVar[tuple[str, ...]] = ()     # table kinds consumed; empty for stages that read raw files
    writes: ClassVar[tuple[str, ...]] = ()    # table kinds written; empty: the kinds it reads, passed through
    needs: ClassVar[tuple[str, ...]] = ()     # columns its first input must have (checked before a pipeline runs)
    accepts_raw_notes: ClassVar[bool] = False  # only de-identification may read notes that have not passed it
    # Row-wise stages set this: their first input is then processed in parts of this many rows, each
    # committed as a version of its own (a Prefect task per part in the flows), so a killed run resumes
    # from the parts already done; the parts are then assembled into the stage's version.
    part_rows: ClassVar[int | None] = None
    imports_paths: ClassVar[bool] = True       # external tables given as paths are imported as versions first
    distributions: ClassVar[tuple[str, ...]] = ()   # installed packages whose files decide the output (models)
    Config: ClassVar[type] = NoConfig

    def __init__(self, config: Any = None):
        self.config = config if config is not None else self.Config()

    @classmethod
    def from_dict(cls, values: dict | None) -> "Stage":
        return cls(parse_config(cls.Config, values, f"stage {cls.name}"))

    @classmethod
    def purpose(cls) -> str:
        """The first paragraph of the stage's module docstring: what `--describe` and `stages` print."""
        doc = (sys.modules[cls.__module__].__doc__ or cls.__doc__ or "").strip()
        first = " ".join(doc.split("\n\n")[0].split())
        return first.removeprefix(f"`{cls.name}`:").strip()

    def identity(self) -> dict:
        """Extra facts that decide the output besides code and config (e.g. the LLM's model digest)."""
        return {}

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        """Write output tables into `out`, count every record in `funnel`, return a summary dict."""
        raise NotImplementedError
