"""The stratified sample the annotator labels: every stratum (source, section group, licence group, length
bucket) gets an equal share of the sample, capped at its size, the unused share going to the larger
strata. Rare strata (case sections, notes, long captions) are therefore seen by the teacher, which a
uniform sample of a PMC-dominated corpus would almost never do.

Within a stratum the rows with the smallest hash of (seed, id) are taken: the same seed picks the same
passages whatever the shard layout, and a larger sample contains a smaller one.
"""
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from medcurate.stage import TableInput
from medcurate.stages.labels.sections import section_group

LENGTH_BUCKETS = (200, 500, 1000, 2000)     # characters


def strata(batch: pa.RecordBatch) -> list[str]:
    columns = {name: batch.column(name).to_pylist() if name in batch.schema.names else [None] * batch.num_rows
               for name in ("source", "kind", "section_title", "license_group")}
    lengths = pc.fill_null(pc.utf8_length(batch.column("text")), 0).to_pylist()
    return [f"{source}|{section_group(kind, title)}|{licence}|{_bucket(n)}" for source, kind, title, licence, n
            in zip(columns["source"], columns["kind"], columns["section_title"], columns["license_group"], lengths)]


def _bucket(length: int) -> str:
    lower = max((b for b in LENGTH_BUCKETS if b <= length), default=0)
    return f">={lower}"


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Equal shares, capped at each stratum's size, the remainder spread over the strata still open."""
    order = sorted(sizes, key=lambda s: (sizes[s], s))
    quota: dict[str, int] = {}
    remaining = min(total, sum(sizes.values()))
    while order and sizes[order[0]] <= remaining // len(order):
        quota[order[0]] = sizes[order[0]]
        remaining -= sizes[order.pop(0)]
    for i, name in enumerate(order):
        quota[name] = remaining // len(order) + (i >= len(order) - remaining % len(order))
    return quota


def stratified_sample(tables: list[TableInput], size: int | None, seed: int) -> dict[str, str]:
    """Passage id -> stratum of the sampled rows (every row when `size` is None)."""
    rows: list[tuple[int, str, str]] = []
    for table in tables:
        for batch in table.iter_batches():
            ids = batch.column("id").to_pylist()
            rows += [(xxhash.xxh64_intdigest(f"{seed}:{i}".encode()), i, s) for i, s in zip(ids, strata(batch))]
    if size is None:
        return {i: s for _, i, s in rows}
    quota = allocate(Counter(s for _, _, s in rows), size)
    picked: dict[str, str] = {}
    for _, i, s in sorted(rows):
        if quota[s] > 0:
            quota[s] -= 1
            picked[i] = s
    return picked
