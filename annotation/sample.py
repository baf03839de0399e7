"""Which rows go to human review, by a strategy stated in one place.

Half of the sample (`uncertain_share`) is the rows the automatic steps are least sure about, where a human
judgment teaches the most: QA pairs whose `grounding_score` is closest to the filter's threshold 0.5, and
passages whose lowest classifier score (`doc_type_score`, `domain_score`, ...) is lowest. The rest is spread
evenly over the strata (source x discipline, where those columns exist) so rare disciplines and sources
are reviewed too, not only the bulk. Within a stratum the order is a seeded hash of the row id: the same
table, size and seed always give the same sample, which keeps re-exports idempotent.
"""
import hashlib
from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa

GROUNDING_THRESHOLD = 0.5
CLASSIFIER_SCORES = ("doc_type_score", "domain_score", "edu_score_score", "discipline_score")
STRATA = ("source", "discipline")


@dataclass(frozen=True)
class Pick:
    row: int          # index into the table
    reason: str       # "uncertain" or "stratum:<source>/<discipline>"


def choose(table: pa.Table, kind: str, size: int, uncertain_share: float = 0.5, seed: int = 0) -> list[Pick]:
    ids = table.column("id").to_pylist()
    order = sorted(range(len(ids)), key=lambda i: _hash(ids[i], seed))
    picks: list[Pick] = []
    doubt = uncertainty(table, kind)
    if doubt is not None:
        ranked = sorted((i for i in order if doubt[i] is not None), key=lambda i: doubt[i])   # stable: hash ties
        picks = [Pick(i, "uncertain") for i in ranked[:round(size * uncertain_share)]]
    taken = {p.row for p in picks}
    strata: dict[str, list[int]] = defaultdict(list)
    keys = [table.column(c).to_pylist() if c in table.column_names else [None] * len(ids) for c in STRATA]
    for i in order:
        if i not in taken:
            strata["/".join(str(k[i] or "-") for k in keys)].append(i)
    queues = [(name, strata[name]) for name in sorted(strata)]
    while len(picks) < size and queues:          # round robin: every stratum gets a turn before any gets two
        for name, queue in queues:
            if len(picks) < size and queue:
                picks.append(Pick(queue.pop(0), f"stratum:{name}"))
        queues = [(name, queue) for name, queue in queues if queue]
    return picks


def uncertainty(table: pa.Table, kind: str) -> list[float | None] | None:
    """Per row, lower = less certain; None when the table has no score to judge by."""
    if kind == "qa":
        if "grounding_score" not in table.column_names:
            return None
        scores = table.column("grounding_score").to_pylist()
        return [None if s is None else abs(s - GROUNDING_THRESHOLD) for s in scores]
    present = [table.column(c).to_pylist() for c in CLASSIFIER_SCORES if c in table.column_names]
    if not present:
        return None
    return [min((s for s in scores if s is not None), default=None) for scores in zip(*present)]


def _hash(row_id: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{row_id}".encode()).hexdigest()
