"""A pipeline as data: the default DAG shipped in the package (default.yaml), extended by the user's file.

A user's pipeline file may hold:

    sources: {pmc: [articles/], exams: [banks/], notes: [notes/]}   # relative to the file's folder
    llm: {engine: http, base_url: http://gpu:8000, model: ...}       # for every step whose stage takes `llm`
    stages:                                  # settings of existing steps (merged into theirs)
      qa_passages: {limit: 500}
    steps:                                   # new steps, or replacements of existing ones (same name)
      - {name: english_only, stage: select, inputs: [passages_langid], after: passages_langid,
         config: {where: [{column: language, op: "==", value: en}]}}
    remove: [qa_decontaminate]               # steps to drop
    extends: other-pipeline.yaml             # instead of the default (relative to this file)
    release: {steps: [released_qa], known: roster.txt}

`load_pipeline(path)` returns the merged `Pipeline`; `medcurate.pipeline.check` validates it before
anything runs.
"""
import copy
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from medcurate.errors import UsageError

DEFAULT = "default.yaml"
FILE_KEYS = {"sources", "llm", "stages", "steps", "remove", "extends", "release", "store"}
STEP_KEYS = {"name", "stage", "inputs", "config", "after", "before"}


@dataclass(frozen=True)
class Ref:
    """One input of a step, parsed: `sources:KEY`, `STEP`, `STEP:TABLE`, `STEP:@KIND`, optionally `?`."""
    text: str
    step: str                 # "sources" for raw files
    table: str | None = None
    kind: str | None = None
    optional: bool = False

    @classmethod
    def parse(cls, text: str) -> "Ref":
        body = text[:-1] if text.endswith("?") else text
        step, _, rest = body.partition(":")
        if not step or (step == "sources" and not rest):
            raise UsageError(f"input {text!r}: expected sources:KEY, STEP, STEP:TABLE or STEP:@KIND")
        kind = rest[1:] if rest.startswith("@") else None
        return cls(text, step, None if kind or not rest else rest, kind, text.endswith("?"))


@dataclass(frozen=True)
class Step:
    name: str                     # unique in the pipeline; also the tag given to its version
    stage: str
    inputs: list[str]
    config: dict = field(default_factory=dict)

    @property
    def refs(self) -> list[Ref]:
        return [Ref.parse(r) for r in self.inputs]


@dataclass
class Pipeline:
    steps: list[Step]
    sources: dict[str, list[str]] = field(default_factory=dict)
    llm: dict | None = None
    release: dict = field(default_factory=dict)
    store: str | None = None

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)


def load_pipeline(path: str | Path | None = None) -> Pipeline:
    """The default pipeline, extended by the file at `path` (if any)."""
    return build(read_file(Path(path)) if path else {})


def build(values: dict, base: dict | None = None) -> Pipeline:
    """A Pipeline from a pipeline file's values (relative paths already resolved) over `base` (the default)."""
    unknown = set(values) - FILE_KEYS
    if unknown:
        raise UsageError(f"pipeline file: unknown key(s) {', '.join(sorted(unknown))}; "
                         f"valid: {', '.join(sorted(FILE_KEYS))}")
    base = base if base is not None else (read_file(values["extends"]) if values.get("extends") else _default())
    steps = [_step(s) for s in base.get("steps", [])]
    for name in values.get("remove") or []:
        if name not in {s.name for s in steps}:
            raise UsageError(f"pipeline file: remove: no step {name!r}; steps: {', '.join(s.name for s in steps)}")
        steps = [s for s in steps if s.name != name]
    for entry in values.get("steps") or []:
        steps = _place(steps, entry)
    overrides = values.get("stages") or {}
    if not isinstance(overrides, dict):
        raise UsageError("pipeline file: stages must map step names to settings")
    missing = set(overrides) - {s.name for s in steps}
    if missing:
        raise UsageError(f"pipeline file: stages: no step {', '.join(sorted(missing))}; "
                         f"steps: {', '.join(s.name for s in steps)}")
    steps = [Step(s.name, s.stage, s.inputs, {**s.config, **(overrides.get(s.name) or {})}) for s in steps]
    release = {**(base.get("release") or {}), **(values.get("release") or {})}
    return Pipeline(steps, {**(base.get("sources") or {}), **(values.get("sources") or {})},
                    values.get("llm", base.get("llm")), release, values.get("store", base.get("store")))


def read_file(path: str | Path) -> dict:
    """A pipeline YAML file's values; relative source, extends and roster paths are taken from its folder,
    so a pipeline file and its data move together."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"pipeline file {path}: no such file")
    try:
        values = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"pipeline file {path}: not valid YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(values, dict):
        raise UsageError(f"pipeline file {path}: expected a mapping (sources, llm, stages, steps, ...)")
    here = path.resolve().parent
    sources = values.get("sources") or {}
    if not isinstance(sources, dict) or not all(isinstance(v, list) for v in sources.values()):
        raise UsageError(f"pipeline file {path}: sources must map names to lists of paths")
    values["sources"] = {key: [_near(here, p) for p in paths] for key, paths in sources.items()}
    if values.get("extends"):
        values["extends"] = _near(here, values["extends"])
    if (values.get("release") or {}).get("known"):
        values["release"]["known"] = _near(here, values["release"]["known"])
    return values


def _default() -> dict:
    return yaml.safe_load(resources.files("medcurate.pipeline").joinpath(DEFAULT).read_text())


def _near(folder: Path, value: str) -> str:
    return value if "://" in value or Path(value).is_absolute() else str(folder / value)


def _step(entry) -> Step:
    if not isinstance(entry, dict) or not {"name", "stage"} <= set(entry):
        raise UsageError(f"pipeline step {entry!r}: needs at least name and stage")
    unknown = set(entry) - STEP_KEYS
    if unknown:
        raise UsageError(f"pipeline step {entry['name']!r}: unknown key(s) {', '.join(sorted(unknown))}; "
                         f"valid: {', '.join(sorted(STEP_KEYS))}")
    inputs = entry.get("inputs") or []
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise UsageError(f"pipeline step {entry['name']!r}: inputs must be a list of references")
    config = entry.get("config") or {}
    if not isinstance(config, dict):
        raise UsageError(f"pipeline step {entry['name']!r}: config must be a mapping")
    for ref in inputs:
        Ref.parse(ref)
    return Step(str(entry["name"]), str(entry["stage"]), list(inputs), copy.deepcopy(config))


def _place(steps: list[Step], entry: dict) -> list[Step]:
    """Add a step, replace the step of the same name (keeping what the entry does not say), or move it."""
    if not isinstance(entry, dict) or "name" not in entry:
        raise UsageError(f"pipeline step {entry!r}: needs a name")
    names = [s.name for s in steps]
    old = steps[names.index(entry["name"])] if entry["name"] in names else None
    merged = {"name": old.name, "stage": old.stage, "inputs": old.inputs, "config": old.config} if old else {}
    merged |= {k: v for k, v in entry.items() if k not in ("after", "before")}
    step = _step(merged)
    rest = [s for s in steps if s.name != step.name]
    anchor = entry.get("after") or entry.get("before")
    if anchor is None:
        return [step if s.name == step.name else s for s in steps] if old else rest + [step]
    if anchor not in {s.name for s in rest}:
        raise UsageError(f"pipeline step {step.name!r}: no step {anchor!r} to place it after/before")
    at = [s.name for s in rest].index(anchor) + (1 if "after" in entry else 0)
    return rest[:at] + [step] + rest[at:]
