"""The PHI gate: no stage except de-identification may read a clinical-note row that has not passed it."""
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from medcurate.errors import UsageError


class PHIGateError(UsageError):
    pass


def check_deidentified(batches: Iterable[pa.RecordBatch], where: str) -> None:
    """Raise PHIGateError if any row with source == 'note' lacks deidentified == true."""
    blocked = 0
    for batch in batches:
        if "source" not in batch.schema.names:
            return
        notes = pc.equal(batch.column("source"), "note")
        if "deidentified" in batch.schema.names:
            passed = pc.fill_null(batch.column("deidentified"), False)
            notes = pc.and_(notes, pc.invert(passed))
        blocked += pc.sum(pc.cast(pc.fill_null(notes, False), pa.int64())).as_py() or 0
    if blocked:
        raise PHIGateError(
            f"{where}: {blocked} clinical-note rows have not passed de-identification "
            "(deidentified is not true); run the deidentify stage on them first")
