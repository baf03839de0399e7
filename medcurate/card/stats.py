"""The numbers a card reports, counted batch by batch so a large version is never read whole."""
import re
from collections import Counter

import pyarrow.compute as pc

from medcurate.store import Version

LABELS = ("doc_type", "domain", "edu_score", "discipline")
SIZE_BUCKETS = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]
_CC = re.compile(r"creativecommons\.org/licenses/(by(?:-nc)?(?:-sa|-nd)?)/(\d\.\d)")


def value_counts(version: Version, table: str, column: str) -> Counter:
    """Counts of each value of `column` (None for nulls)."""
    counts: Counter = Counter()
    for batch in version.iter_batches(table):
        for item in pc.value_counts(batch.column(column)).to_pylist():
            counts[item["values"]] += item["counts"]
    return counts


def columns(version: Version, table: str) -> set[str]:
    """The table's column names (none for a table without rows)."""
    batch = next(version.iter_batches(table), None)
    return set(batch.schema.names) if batch is not None else set()


def cluster_sizes(version: Version, table: str) -> Counter:
    """Number of duplicate clusters of each size (one count per cluster: its kept row)."""
    counts: Counter = Counter()
    for batch in version.iter_batches(table):
        kept = pc.filter(batch.column("dup_size"), pc.fill_null(batch.column("dup_keep"), False))
        for item in pc.value_counts(kept).to_pylist():
            counts[item["values"]] += item["counts"]
    return counts


def scores(version: Version, table: str, column: str) -> list[float]:
    return [x for batch in version.iter_batches(table) for x in batch.column(column).to_pylist() if x is not None]


def size_category(rows: int) -> str:
    return next((name for limit, name in SIZE_BUCKETS if rows < limit), "n>1B")


def hf_license(licence: str | None) -> str:
    """A Hugging Face licence id for a stated licence (URL or PMC code); `other` when it names no version."""
    if not licence:
        return "unknown"
    low = licence.lower()
    if match := _CC.search(low):
        return f"cc-{match.group(1)}-{match.group(2)}"
    if "publicdomain/zero" in low or low.replace(" ", "") == "cc0":
        return "cc0-1.0"
    return "other"
