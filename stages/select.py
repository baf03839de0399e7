"""`select`: the explicit, final drop. Keeps the rows that pass every condition and records, per
condition, how many rows it removed, so the funnel in the manifest explains the whole selection.

Config example (YAML):

    where:
      - {column: license_group, op: in, value: [commercial, non-commercial]}
      - {column: year, op: ">=", value: 2010}
      - {column: text, op: min_length, value: 200}
    limit: 500          # then keep at most the first 500 rows (a sample for a trial run)
    upsample:           # kept rows that match are written `times` times in all
      - {column: doc_type, op: "==", value: clinical_case, times: 2}

With `upsample`, every row gets `upsample_copy` (0 for the row itself, 1.. for its copies); a row matching
several rules takes the largest `times`. Copies are output rows, not input records, so the funnel is
unchanged and the summary says how many were added, per rule.
"""
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medcurate.config import option
from medcurate.errors import UsageError
from medcurate.funnel import Funnel
from medcurate.stage import Stage, StageInputs, TableSpec, register
from medcurate.store import PendingVersion
from medcurate.tagging import with_columns

_COMPARE = {"==": pc.equal, "!=": pc.not_equal, ">=": pc.greater_equal, ">": pc.greater,
            "<=": pc.less_equal, "<": pc.less}
COPY = pa.field("upsample_copy", pa.int32())     # 0: the row itself; 1..times-1: its copies
OPS = (*_COMPARE, "in", "not in", "is null", "not null", "min_length", "max_length")


def condition_mask(batch: pa.RecordBatch, cond: dict) -> pa.Array:
    """Boolean mask of the rows that pass one condition (null counts as not passing)."""
    try:
        return _mask(batch, cond)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError) as exc:
        column = batch.schema.field(cond["column"])
        raise UsageError(f"select: condition {cond['column']} {cond['op']} {cond.get('value')!r} cannot be applied "
                         f"to column {column.name!r} of type {column.type}") from exc


def _mask(batch: pa.RecordBatch, cond: dict) -> pa.Array:
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
    where: list = option([], "conditions a row must pass: {column, op, value, reason}")
    limit: int | None = option(None, "keep at most this many rows")
    upsample: list = option([], "conditions with `times`: copies of the matching rows")

    def __post_init__(self):
        for cond in self.where + self.upsample:
            if not isinstance(cond, dict) or "column" not in cond or cond.get("op") not in OPS:
                raise ValueError(f"bad condition {cond!r}: need column and op (one of {', '.join(OPS)})")
        for rule in self.upsample:
            if not isinstance(rule.get("times"), int) or rule["times"] < 1:
                raise ValueError(f"bad upsample rule {rule!r}: times must be an integer >= 1")


@register
class Select(Stage):
    name = "select"
    reads = ("*",)
    Config = Config

    def required_columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c["column"] for c in self.config.where + self.config.upsample))

    def outputs(self, inputs: list[TableSpec]) -> list[TableSpec]:
        if not self.config.upsample:
            return inputs
        return [TableSpec(t.name, t.kind, t.columns | {COPY.name} if t.columns is not None else None) for t in inputs]

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        added = Counter()
        for source in inputs.tables:
            funnel.inputs += 1
            missing = [c for c in self.required_columns() if c not in source.schema.names]
            if missing:
                raise UsageError(f"select: {source.ref} has no column {', '.join(map(repr, missing))} "
                                 f"(it has {', '.join(source.schema.names)})")
            kind = source.kind
            writer, kept = None, 0
            for batch in source.iter_batches():
                funnel.see(batch.num_rows)
                for cond in self.config.where:
                    mask = condition_mask(batch, cond)
                    removed = batch.num_rows - mask.true_count
                    if removed:
                        funnel.drop(cond.get("reason") or f"{cond['column']} {cond['op']} {cond.get('value')}",
                                    removed)
                    batch = batch.filter(mask)
                if self.config.limit is not None and kept + batch.num_rows > self.config.limit:
                    room = max(self.config.limit - kept, 0)
                    funnel.drop(f"beyond the limit of {self.config.limit} rows", batch.num_rows - room)
                    batch = batch.slice(0, room)
                funnel.keep(batch.num_rows)
                kept += batch.num_rows
                for part in self._upsampled(batch, added):
                    writer = writer or out.table(source.table, part.schema, kind)
                    writer.write(part)
            if writer is None:          # an empty input still yields an (empty) output table
                schema = source.version.read(source.table).schema
                out.table(source.table, schema.append(COPY) if self.config.upsample else schema, kind)
        if not self.config.upsample:
            return {}
        return {"upsampled_rows_added": sum(added.values()), "upsampled_by_rule": dict(added)}

    def _upsampled(self, batch: pa.RecordBatch, added: Counter) -> list[pa.RecordBatch]:
        """The batch, then its copies (copy k holds the rows with times > k); counts the copies per rule."""
        if not self.config.upsample:
            return [batch]
        times = np.ones(batch.num_rows, np.int64)
        for rule in self.config.upsample:
            matching = condition_mask(batch, rule).to_numpy(zero_copy_only=False)
            before = times.copy()
            times[matching] = np.maximum(times[matching], rule["times"])
            added[f"{rule['column']} {rule['op']} {rule.get('value')} x{rule['times']}"] += int((times - before).sum())
        parts = [with_columns(batch, [pa.array(np.zeros(batch.num_rows, np.int32))], [COPY])]
        for k in range(1, int(times.max(initial=1))):
            copies = batch.filter(pa.array(times > k))
            parts.append(with_columns(copies, [pa.array(np.full(copies.num_rows, k, np.int32))], [COPY]))
        return parts
