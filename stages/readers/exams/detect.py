"""Which exam layout a record is in, judged by its keys (and, where keys tie, its values and the file name).

Detection needs the answer field too: a file without one is not an exam bank we can ingest, and
saying so once for the file beats quarantining every row.
"""
import re
from typing import TYPE_CHECKING

from medcurate.records import Quarantined, Skipped
from medcurate.stages.readers.exams.common import Rec, path_of

if TYPE_CHECKING:                  # containers imports this module
    from medcurate.stages.readers.exams.containers import Source

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_DOC_SUFFIXES = {".txt", ".md", ".rst", ".html", ".htm", ".pdf", ".doc", ".docx", ".cff", ".yaml", ".yml", ".py"}
_DATA_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv", ".tsv"}
_DOC_STEMS = ("readme", "license", "licence", "notice", "changelog", "citation", "copying", "authors")


def record_format(rec: Rec, name: str = "") -> str | None:
    if rec.has("qtext", "answers", "ra"):
        return "headqa"
    if rec.has("question", "opa", "opb", "cop"):
        return "medmcqa"
    if rec.has("question", "answers", "correct_answers"):
        return "frenchmedmcqa"
    if rec.has("question", "final_decision") and (rec.has("contexts") or rec.has("context")):
        return "pubmedqa"
    if rec.has("question", "options") and (rec.has("answer") or rec.has("answer_idx")):
        options = rec.get("options")
        if isinstance(options, str):
            return "cmexam"
        if isinstance(options, dict):
            return _options_object_exam(rec, name)
    if rec.has("question", "a", "b", "answer"):
        return "mmlu"
    return None


def _options_object_exam(rec: Rec, name: str) -> str:
    """MedQA and the medagents MedMCQA re-format share one layout. MedQA carries meta_info (the USMLE
    step); MedMCQA ids are UUIDs; otherwise the file name decides, and MedQA is the default."""
    if rec.has("meta_info"):
        return "medqa"
    if _UUID.fullmatch(str(rec.get("realidx") or rec.get("id") or "")):
        return "medmcqa"
    return "medmcqa" if "medmcqa" in name.lower() else "medqa"


def source_format(source: "Source", name: str) -> str | None:
    """A CSV is judged by its header (so a file whose first rows are broken is still recognised),
    anything else by its first readable record."""
    if source.header is not None:
        return record_format(Rec(dict.fromkeys(source.header, ""), 0, "header"), name)
    first = next((e for e in source.entries if isinstance(e, Rec)), None)
    return record_format(first, name) if first is not None else None


def unrecognised(name: str, data: bytes, source: "Source") -> Skipped | Quarantined:
    """Why a file matched no layout: not UTF-8 (quarantine), documentation such as a README beside
    the data (skip), or a data file in a layout we do not know (quarantine, saying what was seen)."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Quarantined(f"not UTF-8 text ({exc.reason} at byte {exc.start}) and no known exam layout")
    path = path_of(name)
    first = next((e for e in source.entries if isinstance(e, Rec)), None)
    seen = (f"CSV header {source.header}" if source.header is not None
            else f"record keys {sorted(map(str, first.fields)) if first else []}")
    if source.kind == "csv" and _looks_like_documentation(path, source.header):
        line = next((ln.strip() for ln in data.decode("utf-8-sig").splitlines() if ln.strip()), "")
        return Skipped(f"not an exam file: {path.name} starts with {line[:80]!r}")
    return Quarantined(f"unknown exam layout in {path.name}: {seen}")


def _looks_like_documentation(path, header: list[str]) -> bool:
    """Named like documentation, or prose without a single comma on its first line in a file not
    named as data (a broken .jsonl is still a data file)."""
    suffix = path.suffix.lower()
    if suffix in _DOC_SUFFIXES or path.stem.lower().startswith(_DOC_STEMS):
        return True
    return len(header) < 2 and suffix not in _DATA_SUFFIXES
