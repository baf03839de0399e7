"""Clinical notes in the shapes they arrive in: CSV/TSV exports (MTSamples, ACI-Bench, MTS-Dialog, MIMIC-style
NOTEEVENTS, ...) and folders of plain-text notes; one `documents` row per note, with its passages.

The layout is decided by content (a header line that looks like one), never by file extension alone. Rows are
not de-identified here (deidentified=False, always): everything that may carry PHI, the note and any
doctor-patient dialogue, goes into `text` and `passages`, which is what the PHI gate reads later.
"""
import json
import re
from collections.abc import Iterator
from itertools import islice
from pathlib import PurePosixPath

from medcurate.records import Dropped, Quarantined, Skipped
from medcurate.stages.readers.notes.columns import KNOWN_NAMES, Layout, layout, slug
from medcurate.stages.readers.notes.sections import normalise, note_passages, passage, restore_scraped_breaks
from medcurate.stages.readers.notes.table import decode_lenient, read_table, sniff_delimiter, undecodable
from medcurate.text import fold_ws, guess_language

__all__ = ["parse_notes"]

# Files that sit beside notes in dataset folders: named like this, or opening like a licence or markup/JSON.
_NOT_A_NOTE = re.compile(r"[_.]?(licen[cs]e|readme|copying|authors|citation|changelog|provenance|sha\d*sums|md5sums"
                         r"|checksums|manifest)(?![a-z])", re.I)
_LICENCE_LINE = re.compile(r"copyright\b|.*\b(mit|apache|bsd|gnu|mozilla|creative commons)\b.*\blicen[cs]e\b", re.I)
_STRUCTURED = re.compile(r"\s*(<\?xml|<!doctype|\{\s*\"|\[\s*[{\"\[]|<[a-z][\w:.-]*[\s/>](?s:.*)>\s*$)", re.I)
_FREE_TEXT = 200        # a cell longer than this (or multi-line) is free text, not a metadata value
_SAMPLE_ROWS = 50       # rows looked at to tell a metadata table from notes under an unknown column name


def parse_notes(name: str, data: bytes, text_column: str | None = None,
                id_column: str | None = None) -> Iterator[dict | Quarantined | Skipped]:
    """Documents rows (with a "passages" list) from one file or archive member; see the module docstring.

    Every data row comes out as one row dict or one `Quarantined(row=i)`; a file that holds no notes at all
    (licence, readme, metadata table) as one `Skipped`, an unreadable one as one file-level `Quarantined`.
    """
    path = PurePosixPath(name.replace("\\", "/"))
    if _NOT_A_NOTE.match(path.name):
        yield Skipped(f"{path.name}: licence, readme or checksum file, not a note")
        return
    try:
        text = decode_lenient(data)
    except UnicodeDecodeError as err:
        yield Quarantined(f"declares UTF-16 by its BOM but does not decode: {err}")
        return
    if not text.strip():
        yield Quarantined("empty file")
        return
    if _LICENCE_LINE.match(text.lstrip().split("\n", 1)[0]):
        yield Skipped(f"{path.name}: licence text, not a note")
        return
    if _STRUCTURED.match(text):
        yield Skipped(f"{path.name}: XML/JSON content, not a note")
        return
    known = KNOWN_NAMES | {c.lower() for c in (text_column, id_column) if c}
    delimiter = sniff_delimiter(text, known)
    if delimiter is None:
        yield _text_note(path, text)
    else:
        yield from _table_notes(path.stem, text, delimiter, text_column, id_column)


def _text_note(path: PurePosixPath, text: str) -> dict | Quarantined:
    """A plain-text note: the whole file; its folder names the dataset (a folder of notes is one collection)."""
    if reason := undecodable(text):
        return Quarantined(reason)
    title = fold_ws(re.sub(r"^(\d+_)+", "", path.stem).replace("_", " ")) or path.stem   # drop code prefixes
    return _document(dataset=slug(path.parent.name) or "notes", key=path.stem, source_id=path.stem, title=title,
                     note=text, article_type="clinical_note", offset=0, row=None)


def _table_notes(stem: str, text: str, delimiter: str, text_column: str | None, id_column: str | None):
    header, records = read_table(text, delimiter)
    if reason := undecodable(*header):
        yield Quarantined(f"header: {reason}")
        return
    lay = layout(header, stem, text_column, id_column)
    if lay.text is None:
        yield _not_notes(header, records, lay, stem, text_column)
        return
    kept, withheld = lay.extras(header)
    seen: set[str] = set()
    empty = True
    for record in records:
        empty = False
        yield record if isinstance(record, Quarantined) else _table_row(lay, kept, withheld, *record, seen)
    if empty:
        yield Skipped(f"header only, no data rows: {header}")


def _not_notes(header: list[str], records, lay: Layout, stem: str, text_column: str | None):
    """One verdict for a table without a note column: a metadata table (short values keyed by an id, like
    ACI-Bench's *_metadata.csv) is skipped; anything else is quarantined with a hint for the override."""
    if text_column:
        return Quarantined(f"text column {text_column!r} not in header {header}")
    sample = [r[1] for r in islice(records, _SAMPLE_ROWS) if not isinstance(r, Quarantined)]
    free_text = [c for c in header if any(len(row[c]) > _FREE_TEXT or "\n" in row[c] for row in sample)]
    if not free_text and (lay.id is not None or "meta" in stem.lower()):
        return Skipped(f"metadata table, not notes (no free-text column): {header}")
    hint = f"; free text in {free_text}: pass text_column" if free_text else ""
    return Quarantined(f"no note text column among {header}{hint}")


def _table_row(lay: Layout, kept: list[str], withheld: list[str], i: int, row: dict[str, str], seen: set[str]):
    value = row[lay.id].strip() if lay.id is not None else ""
    key = value if value and value not in seen else f"row{i}"     # unique within the file
    seen.add(key)
    meta: dict = {c: row[c].strip() for c in kept if row[c].strip()}
    if withheld:
        meta["withheld_columns"] = withheld
    note = row[lay.text]
    return _document(
        dataset=lay.dataset, key=f"{lay.split}/{key}" if lay.split else key, source_id=value or None,
        title=fold_ws(row[lay.title]) if lay.title is not None else None,
        note=restore_scraped_breaks(note) if lay.flattened else note,
        dialogue=row[lay.dialogue] if lay.dialogue is not None else "",
        section=fold_ws(row[lay.section]) or None if lay.section is not None else None,
        specialty=fold_ws(row[lay.specialty]) if lay.specialty is not None else None,
        article_type=lay.article_type, meta=meta, offset=i, row=i)


def _document(*, dataset: str, key: str, source_id: str | None, title: str | None, note: str, article_type: str,
              offset: int, row: int | None, dialogue: str = "", section: str | None = None,
              specialty: str | None = None, meta: dict | None = None) -> dict | Dropped:
    """The documents row: text is the note, then a blank line and the dialogue when the source has one."""
    note = normalise(note)
    if not note:
        return Dropped("empty note text", row=row)
    passages = note_passages(note, section)
    text = note
    if dialogue := normalise(dialogue):
        text = f"{note}\n\n{dialogue}"
        passages.append(passage("dialogue", "dialogue", None, text, len(note) + 2, len(text)))
    return {
        "id": f"note:{dataset}:{key}", "source": "note", "dataset": dataset, "source_id": source_id,
        "title": title or None, "text": text, "language": guess_language(note), "article_type": article_type,
        "specialty": specialty or None, "deidentified": False,
        "meta": json.dumps(meta, ensure_ascii=False) if meta else None,
        "provenance": {"offset": offset}, "passages": passages,
    }
