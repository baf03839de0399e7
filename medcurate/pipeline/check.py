"""Check a pipeline before anything runs, as distilabel checks its steps.

Every step's stage must exist and take its config; every input must name a source or an earlier step and a
table that step writes; every column a step reads must be written upstream. Steps whose required inputs are
absent (no such source in this run) are skipped, with the reason. A mistake is one line naming the step.
"""
import dataclasses
from dataclasses import dataclass, field

from medcurate.errors import UsageError
from medcurate.pipeline.registry import stage_class
from medcurate.pipeline.spec import Pipeline, Ref, Step
from medcurate.stage import Stage, TableSpec


@dataclass
class Checked:
    """The steps that will run, each with its stage built from its final config, and those skipped, why."""
    pipeline: Pipeline
    stages: dict[str, Stage] = field(default_factory=dict)
    configs: dict[str, dict] = field(default_factory=dict)                # each step's settings, llm included
    tables: dict[str, list[TableSpec]] = field(default_factory=dict)      # what each step writes
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def steps(self) -> list[Step]:
        """The steps that run, in order, with their final settings."""
        return [Step(s.name, s.stage, s.inputs, self.configs[s.name]) for s in self.pipeline.steps
                if s.name in self.stages]


def check(pipeline: Pipeline) -> Checked:
    names = [s.name for s in pipeline.steps]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise UsageError(f"pipeline: step names must be unique; repeated: {', '.join(twice)}")
    checked = Checked(pipeline)
    for step in pipeline.steps:
        try:
            config = step_config(step, pipeline)
            stage = stage_class(step.stage).from_dict(config)
        except UsageError as exc:
            raise UsageError(f"step {step.name}: {exc}") from None
        inputs, missing = _inputs(step, checked, names)
        if missing:
            checked.skipped[step.name] = missing
            continue
        if stage.reads and not inputs:
            checked.skipped[step.name] = "none of its inputs is present"
            continue
        _check_columns(step, stage, inputs)
        checked.stages[step.name] = stage
        checked.configs[step.name] = config
        checked.tables[step.name] = stage.outputs(inputs)
    return checked


def step_config(step: Step, pipeline: Pipeline) -> dict:
    """The step's settings; a stage that takes an `llm` gets the pipeline's unless the step sets one."""
    config = dict(step.config)
    if pipeline.llm and "llm" in {f.name for f in dataclasses.fields(stage_class(step.stage).Config)}:
        config.setdefault("llm", pipeline.llm)
    return config


def _inputs(step: Step, checked: Checked, names: list[str]) -> tuple[list[TableSpec], str | None]:
    """The tables a step reads, or why it is skipped (a required source or step is absent)."""
    found: list[TableSpec] = []
    for ref in step.refs:
        if ref.step == "sources":
            if checked.pipeline.sources.get(ref.text.rstrip("?").split(":", 1)[1]):
                continue
            if not ref.optional:
                return [], f"no files for {ref.text}"
            continue
        if ref.step not in names:
            raise UsageError(f"step {step.name}: input {ref.text!r} names no step; steps: {', '.join(names)}")
        if names.index(ref.step) >= names.index(step.name):
            raise UsageError(f"step {step.name}: input {ref.text!r} comes from a step that runs after it")
        if ref.step in checked.skipped:
            if not ref.optional:
                return [], f"step {ref.step} is skipped ({checked.skipped[ref.step]})"
            continue
        tables = select_tables(ref, checked.tables[ref.step])
        if not tables and ref.kind and not ref.optional:      # what a step writes per kind depends on the run
            return [], f"step {ref.step} writes no {ref.kind} in this run"
        if not tables and not ref.optional:
            written = ", ".join(f"{t.name} ({t.kind})" for t in checked.tables[ref.step]) or "nothing"
            raise UsageError(f"step {step.name}: input {ref.text!r}: step {ref.step} writes no such table "
                             f"(it writes {written})")
        found += tables
    return found, None


def select_tables(ref: Ref, tables: list[TableSpec]) -> list[TableSpec]:
    """The tables of a step's output a reference means: the main one, a named one, or all of a kind."""
    if ref.kind:
        return [t for t in tables if t.kind == ref.kind]
    if ref.table:
        return [t for t in tables if t.name == ref.table]
    return tables[:1]


def _check_columns(step: Step, stage: Stage, inputs: list[TableSpec]) -> None:
    first = inputs[0] if inputs else None
    if first is None or first.columns is None:
        return
    for column in stage.required_columns():
        if column not in first.columns:
            raise UsageError(f"step {step.name} ({stage.name}) reads column {column!r}, which no step before it "
                             f"writes into its input {step.inputs[0]!r}")
