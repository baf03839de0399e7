"""The PHI gate: note content leaves the de-identifier only as de-identified text.

Two checks, both deny by default:

* **At every entrance** (`stage import`, `--input PATH` of any stage, `annotate export --input PATH`) an
  outside table is screened (`screen_table`): columns or `source` values that name clinical notes, rows that
  look like clinical notes or carry patient fields are refused with counts and the remedy, unless the user
  passes a recorded assertion that the table is already de-identified.
* **Before a stage reads a stored table** (`check_deidentified`), rows whose `source` says they are notes
  must come from a de-identifying stage: a `deidentified` column is trusted only when the version's own
  lineage holds `deidentify` / `ingest_notes` (or an import under the recorded assertion), never because a
  file says so.

Messages carry counts and categories, never a value read from the table.
"""
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

from medcurate.errors import UsageError

DEIDENTIFYING_STAGES = {"deidentify", "ingest_notes"}
ASSERTED = "assume_deidentified"             # the import config key that records the user's assertion
NOTE_SOURCE = re.compile(r"(?i)note|clinical|ehr|emr|transcri|dialog|mimic|i2b2|encounter|discharge|nursing|patient")
NOTE_COLUMN = re.compile(r"(?i)^(?:.*[_\s-])?(?:note|notes|transcription|transcript|dialogue|dialog|conversation"
                         r"|narrative|discharge|encounter|hpi|soap|clinical_text|report_text|progress)(?:[_\s-].*)?$")
IDENTIFIER_COLUMN = re.compile(r"(?i)(?:^|_)(?:mrn|ssn|dob|birth|medical_record|record_number|patient_(?:id|name)"
                               r"|first_?name|last_?name|surname|family_?name|given_?name|phone|email|address"
                               r"|zip|postcode|insurance|member_id)(?:_|$)")
REMEDY = ("run `medcurate stage deidentify --input PATH` on it first, or, if it is already de-identified, say so "
          "with --assume-deidentified \"WHY\" (recorded in the version)")


class PHIGateError(UsageError):
    pass


def check_deidentified(table, where: str | None = None) -> None:
    """Refuse a stored table (a TableInput) holding note rows that did not pass a de-identifying stage."""
    where = where or table.ref
    trusted = lineage_deidentified(table.version.store, table.version.id)
    blocked = 0
    for batch in table.iter_batches():
        notes = note_rows(batch)
        if notes is None:
            return
        if trusted and "deidentified" in batch.schema.names:
            notes = pc.and_(notes, pc.invert(pc.fill_null(batch.column("deidentified"), False)))
        blocked += pc.sum(pc.cast(pc.fill_null(notes, False), pa.int64())).as_py() or 0
    if blocked:
        raise PHIGateError(f"{where}: {blocked} clinical-note rows have not passed de-identification "
                           f"(only a deidentify or ingest_notes version upstream makes them so); {REMEDY}")


def note_rows(batch: pa.RecordBatch) -> pa.Array | None:
    """Which rows say they are clinical notes (by `source`); None when the table has no `source` column."""
    if "source" not in batch.schema.names:
        return None
    return pc.match_substring_regex(pc.cast(batch.column("source"), pa.string()), NOTE_SOURCE.pattern)


@lru_cache(maxsize=4096)
def _stage_of(store, vid: str) -> tuple[str, dict, tuple[str, ...]]:
    """A version's stage, config and parent version ids (inputs that are files have no parent)."""
    version = store.get(vid)
    if version is None:
        return "", {}, ()
    m = version.manifest
    parents = tuple(ref.split(":")[0].split("@")[0] for ref in m.get("inputs", ()) if "@" not in ref)
    return m["stage"], m.get("config", {}), parents


def lineage_deidentified(store, vid: str) -> bool:
    """Does the version's lineage hold a de-identifying stage (or an import under the user's assertion)?"""
    seen, todo = set(), [vid]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        stage, config, parents = _stage_of(store, current)
        if stage in DEIDENTIFYING_STAGES or (stage == "import" and config.get(ASSERTED)):
            return True
        todo += list(parents)
    return False


def screen_table(table: pa.Table) -> Counter:
    """Why an outside table may not enter the store as it is: reason -> rows (empty when it may)."""
    from medcurate.phi.screen import REFUSED, screen_text  # the detector loads only where tables come in
    found: Counter = Counter()
    for name in table.column_names:
        if NOTE_COLUMN.match(name):
            found["a column named like clinical notes"] += table.num_rows
        elif IDENTIFIER_COLUMN.search(name):
            found["a column named like a patient identifier"] += table.num_rows
    for batch in table.to_batches():
        notes = note_rows(batch)
        if notes is not None and (count := pc.sum(pc.cast(pc.fill_null(notes, False), pa.int64())).as_py()):
            found["rows whose source names clinical notes"] += count
    for text in _row_texts(table):
        found.update(reason for reason in set(screen_text(text)) if reason in REFUSED)
    return found


def _row_texts(table: pa.Table) -> Iterable[str]:
    """Per row, its string cells joined (list and struct cells flattened)."""
    columns = [table.column(n).to_pylist() for n, t in zip(table.column_names, table.schema.types)
               if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_nested(t)]
    for cells in zip(*columns):
        yield "\n".join(s for cell in cells for s in strings_in(cell))


def strings_in(value) -> Iterable[str]:
    """Every string inside a cell: itself, or those in its lists and struct fields."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings_in(v)


def refusal(where: str, found: Counter, rows: int) -> PHIGateError:
    reasons = ", ".join(f"{reason} ({n:,})" for reason, n in found.most_common())
    return PHIGateError(f"{where}: refused: it looks like clinical notes or carries patient identifiers "
                        f"[{reasons}] in a table of {rows:,} rows; {REMEDY}")
