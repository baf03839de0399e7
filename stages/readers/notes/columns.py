"""Which column of a note table plays which role, decided from the header, plus the known dataset layouts.

Exports name their columns differently (MTSamples "transcription", ACI-Bench "note", MTS-Dialog
"section_text", MIMIC "TEXT"), so each role has a ranked list of names matched case-insensitively; the
caller's text/id column override wins. Known datasets are recognised by their header, not by file name.
"""
import re
from dataclasses import dataclass
from typing import NamedTuple

TEXT = ("note_text", "clinical_note", "transcription", "section_text", "note", "text", "report_text", "report",
        "body", "narrative", "content", "notes")
ID = ("note_id", "row_id", "encounter_id", "document_id", "doc_id", "report_id", "id", "", "unnamed: 0")
DIALOGUE = ("dialogue", "dialog", "conversation")
SPECIALTY = ("medical_specialty", "specialty", "speciality", "category", "department")
SECTION = ("section_header", "section_type", "section")
TITLE = ("title", "sample_name", "note_title", "description")
KNOWN_NAMES = {name for names in (TEXT, ID, DIALOGUE, SPECIALTY, SECTION, TITLE) for name in names if name}


class _Dataset(NamedTuple):
    name: str
    columns: set[str]          # recognised when the header holds all of these (lower-cased)
    article_type: str
    per_file_ids: bool         # ids restart in every file of the dataset (MTS-Dialog train/valid both from 0)
    flattened: bool            # the export replaced line breaks by commas (Kaggle MTSamples)


_DATASETS = (
    _Dataset("mtsamples", {"description", "medical_specialty", "sample_name", "transcription"},
             "transcription", False, True),
    _Dataset("aci-bench", {"dataset", "encounter_id", "dialogue", "note"}, "visit_note", False, False),
    _Dataset("mts-dialog", {"id", "section_header", "section_text", "dialogue"}, "note_section", True, False),
)

# Extra columns holding direct identifiers must not ride along in `meta`, which the de-identifier never reads.
_IDENTIFYING = re.compile(r"name|birth|dob|date|time|addr|phone|fax|email|mrn|ssn|zip|(?:^|_)age(?:$|_)", re.I)


@dataclass(frozen=True)
class Layout:
    dataset: str
    article_type: str
    split: str | None              # prefix for source ids that restart in every file, from the file name
    flattened: bool
    text: str | None
    id: str | None
    dialogue: str | None
    specialty: str | None
    section: str | None
    title: str | None

    def extras(self, header: list[str]) -> tuple[list[str], list[str]]:
        """(columns kept in meta, identifying columns withheld from it): the columns without a role, plus the
        section type, which describes the whole document too."""
        used = {self.text, self.id, self.dialogue, self.specialty, self.title}
        rest = [c for c in header if c not in used]
        return [c for c in rest if not _IDENTIFYING.search(c)], [c for c in rest if _IDENTIFYING.search(c)]


def find(header: list[str], names: tuple[str, ...], override: str | None = None) -> str | None:
    """The header column for the first of `names` present (case-insensitive), or the override if present."""
    by_lower: dict[str, str] = {}
    for column in header:
        by_lower.setdefault(column.lower(), column)
    if override is not None:
        return override if override in header else by_lower.get(override.lower())
    return next((by_lower[n] for n in names if n in by_lower), None)


def layout(header: list[str], stem: str, text_column: str | None, id_column: str | None) -> Layout:
    """The roles of `header`'s columns; dataset and article type from a recognised header, else from `stem`."""
    lower = {c.lower() for c in header}
    file_slug = slug(stem)
    known = next((d for d in _DATASETS if d.columns <= lower), None)
    if known:
        split = (file_slug.removeprefix(known.name).strip("-") or file_slug) if known.per_file_ids else None
        facts = dict(dataset=known.name, article_type=known.article_type, split=split, flattened=known.flattened)
    else:
        facts = dict(dataset=file_slug or "notes", article_type="clinical_note", split=None, flattened=False)
    roles, free = {}, list(header)
    for role, names, override in (("text", TEXT, text_column), ("id", ID, id_column), ("dialogue", DIALOGUE, None),
                                  ("specialty", SPECIALTY, None), ("section", SECTION, None), ("title", TITLE, None)):
        roles[role] = column = find(free, names, override)
        if column is not None:
            free.remove(column)            # one column, one role (e.g. a text override named "description")
    return Layout(**facts, **roles)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
