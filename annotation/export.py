"""`annotate export`: a review sample of a qa_pairs or passages table as Label Studio tasks.

Rows are read from a version like any stage input (so a file path is imported first) and pass the PHI gate:
clinical-note rows that were not de-identified never reach reviewers.
"""
from dataclasses import dataclass
from types import SimpleNamespace

import pyarrow as pa

from medcurate.annotation.configs import load_config
from medcurate.annotation.sample import choose
from medcurate.annotation.tasks import build_tasks
from medcurate.gate import check_deidentified
from medcurate.pipeline.resolve import resolve_inputs
from medcurate.runner import RunResult
from medcurate.store import VersionStore

TABLE_KIND = {"qa": "qa_pairs", "labels": "passages"}


@dataclass
class Export:
    input_ref: str
    rows: int                 # rows in the input table
    tasks: list[dict]

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for task in self.tasks:
            reason = task["data"]["medcurate_reason"].partition(":")[0]
            counts[reason] = counts.get(reason, 0) + 1
        return counts


def build_export(store: VersionStore, ref: str, kind: str, size: int, seed: int = 0,
                 imported: list[RunResult] | None = None, assume_deidentified: str | None = None) -> Export:
    config = load_config(kind)
    # resolve_inputs only needs to know which table kind to pick (and to import paths as that kind)
    reader = SimpleNamespace(reads=(TABLE_KIND[kind],), imports_paths=True)
    (source,) = resolve_inputs(store, reader, [ref], imported, assume_deidentified).tables
    check_deidentified(source)
    table = source.version.read(source.table)
    picks = choose(table, kind, size, seed=seed)
    rows = table.take(pa.array([p.row for p in picks], pa.int64())).to_pylist()
    return Export(source.ref, table.num_rows, build_tasks(rows, picks, config, source.ref))
