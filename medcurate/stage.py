"""What a stage is: a small class with a name, a typed `Config`, the table kinds it reads, and `run(...)`,
which writes tables into a pending version and counts every record in a funnel.

Stages register themselves with `@register`, so the pipeline layer finds them by name without the core
importing any of them. Everything around `run` (version ids, cache hits, the PHI gate, verification,
commits, parts) is the runner's job (medcurate/runner.py); stages never touch the store layout.
"""
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pyarrow as pa

from medcurate import schemas
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
class TableSpec:
    """A table as a pipeline check sees it before anything runs: name, kind, and columns (None: not known)."""
    name: str
    kind: str
    columns: frozenset[str] | None = None


def kind_spec(kind: str, name: str | None = None) -> TableSpec:
    """A table of a kind with a fixed schema (medcurate.schemas.KINDS), or of unknown columns."""
    schema = schemas.KINDS.get(kind)
    return TableSpec(name or kind, kind, frozenset(schema.names) if schema is not None else None)


@dataclass(frozen=True)
class TableInput:
    """One table of a committed version, as a stage input; `rows` limits it to a [start, stop) part."""
    version: Version
    table: str
    rows: tuple[int, int] | None = None
    name: str | None = None            # what a stage calls its output of this table (parts keep the whole's names)

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
class Part:
    """One piece of a stage's run, run and committed on its own (a task on the cluster): a slice of the rows
    of its first input, a group of input files, a range of LSH bands..."""
    key: str                       # unique within its phase; part of the part's version id
    inputs: StageInputs


@dataclass(frozen=True)
class Phase:
    """A step of a run in parts: `plan` splits it into parts, given the stage's inputs and the part versions
    of the phases before it; `run` runs one part into a pending version. Phases run one after another; the
    parts of one phase run side by side."""
    name: str
    plan: Callable[[StageInputs, dict[str, list[Version]]], list[Part]]
    run: Callable[[Part, dict[str, list[Version]], PendingVersion, Funnel], dict]


@dataclass(frozen=True)
class NoConfig:
    pass


def part_size(default: int | None) -> int | None:
    """A stage's part size; MEDCURATE_PART_ROWS overrides it for every stage that runs in parts (smaller
    parts: finer resume and more parallel tasks). The output, and so the version id, do not depend on it."""
    override = os.environ.get("MEDCURATE_PART_ROWS")
    return int(override) if override and default else default


def row_parts(inputs: StageInputs, size: int | None) -> list[Part]:
    """The first input table in slices of `size` rows (none when it fits in one slice)."""
    if not size or not inputs.tables or inputs.tables[0].rows:
        return []
    first, rest = inputs.tables[0], inputs.tables[1:]
    total = first.num_rows
    if total <= size:
        return []
    return [Part(f"rows {start}-{min(start + size, total)}",
                 StageInputs([TableInput(first.version, first.table, (start, min(start + size, total))), *rest],
                             inputs.files))
            for start in range(0, total, size)]


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

    def required_columns(self) -> tuple[str, ...]:
        """Columns the first input table must have; a pipeline check names the step if one is missing."""
        return self.needs

    def outputs(self, inputs: list[TableSpec]) -> list[TableSpec]:
        """The tables a run on tables like `inputs` writes, first the main one (for checking a pipeline)."""
        return [kind_spec(kind) for kind in self.writes] or inputs[:1]

    def identity(self) -> dict:
        """Extra facts that decide the output besides code and config (e.g. the LLM's model digest)."""
        return {}

    def phases(self) -> list[Phase]:
        """How a run splits into parts; [] runs it whole. A row-wise stage (`part_rows`) has one phase of
        row slices of its first input, each running `run` on its slice."""
        if not self.part_rows:
            return []
        return [Phase("rows", lambda inputs, earlier: row_parts(inputs, part_size(self.part_rows)),
                      lambda part, earlier, out, funnel: self.run(part.inputs, out, funnel))]

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        """Write output tables into `out`, count every record in `funnel`, return a summary dict."""
        raise NotImplementedError

    def assemble(self, parts: list[Version], out: PendingVersion, funnel: Funnel) -> dict:
        """The stage's version from the last phase's part versions, in order: tables concatenated, funnels and
        summaries added up (ingest stages also resolve an id found in several parts here)."""
        for name in dict.fromkeys(name for part in parts for name in part.tables):
            holders = [part for part in parts if name in part.tables]
            writer = out.table(name, holders[0].schema(name), holders[0].tables[name]["kind"])
            for part in holders:
                for batch in part.iter_batches(name):
                    writer.write(batch)
        for part in parts:
            funnel.add(part.manifest["funnel"])
        return add_up([p.manifest["summary"] for p in parts])


def add_up(values: list):
    """Counts add up, rates (floats) average, dicts merge key by key; anything else keeps its first value."""
    first = values[0]
    if isinstance(first, bool) or not isinstance(first, (int, float, dict)):
        return first
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for v in values if isinstance(v, dict) for k in v))
        return {k: add_up([v[k] for v in values if isinstance(v, dict) and k in v]) for k in keys}
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sum(numbers) if isinstance(first, int) else round(sum(numbers) / len(numbers), 4)
