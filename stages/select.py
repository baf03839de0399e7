"""`select`: the explicit, final drop. Keeps the rows that pass every condition and records, per
condition, how many rows it removed, so the funnel in the manifest explains the whole selection.

Config example (YAML):

    where:
      - {column: license_group, op: in, value: [commercial, non-commercial]}
      - {column: year, op: ">=", value: 2010}
      - {column: text, op: min_length, value: 200}
"""
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from medcurate.funnel import Funnel
from medcurate.stage import Stage, StageInputs
from medcurate.store import PendingVersion

_COMPARE = {"==": pc.equal, "!=": pc.not_equal, ">=": pc.greater_equal, ">": pc.greater,
            "<=": pc.less_equal, "<": pc.less}
OPS = (*_COMPARE, "in", "not in", "is null", "not null", "min_length", "max_length")


def condition_mask(batch: pa.RecordBatch, cond: dict) -> pa.Array:
    """Boolean mask of the rows that pass one condition (null counts as not passing)."""
    column, op, value = batch.column(cond["column"]), cond["op"], cond.get("value")
    if op in _COMPARE:
        mask = _COMPARE[op](column, value)
    elif op == "in":
        mask = pc.is_in(column, value_set=pa.array(value))
    elif op == "not in":
        mask = pc.invert(pc.is_in(column, value_set=pa.array(value)))
    elif op == "is null":
        mask = pc.is_null(column)
    elif op == "not null":
        mask = pc.is_valid(column)
    elif op == "min_length":
        mask = pc.greater_equal(pc.utf8_length(column), value)
    else:
        mask = pc.less_equal(pc.utf8_length(column), value)
    return pc.fill_null(mask, False)


@dataclass(frozen=True)
class Config:
    table: str | None = None                          # table of the input version; default its main table
    where: list = field(default_factory=list)

    def __post_init__(self):
        for cond in self.where:
            if not isinstance(cond, dict) or "column" not in cond or cond.get("op") not in OPS:
                raise ValueError(f"bad condition {cond!r}: need column and op (one of {', '.join(OPS)})")


class Select(Stage):
    name = "select"
    code_version = "1"
    reads = ("*",)
    Config = Config

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        for source in inputs.tables:
            funnel.inputs += 1
            kind = source.version.tables[source.table]["kind"]
            writer = None
            for batch in source.iter_batches():
                writer = writer or out.table(source.table, batch.schema, kind)
                funnel.see(batch.num_rows)
                for cond in self.config.where:
                    mask = condition_mask(batch, cond)
                    removed = batch.num_rows - mask.true_count
                    if removed:
                        funnel.drop(cond.get("reason") or f"{cond['column']} {cond['op']} {cond.get('value')}",
                                    removed)
                    batch = batch.filter(mask)
                writer.write(batch)
                funnel.keep(batch.num_rows)
            if writer is None:          # an empty input still yields an (empty) output table
                out.table(source.table, source.version.read(source.table).schema, kind)
        return {}
