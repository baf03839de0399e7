"""Building blocks every exam format shares: case-insensitive records, text cleanup, option and answer parsing.

Kept in one place so the per-format modules only say *where* each field lives in their layout.
"""
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from medcurate.text import fold_ws

_SURROGATE = re.compile("[\udc80-\udcff]")     # bytes that were not UTF-8, kept by errors="surrogateescape"
_MANY_NEWLINES = re.compile(r"\n{3,}")
_SPLITS = {"train": "train", "dev": "dev", "val": "dev", "valid": "dev", "validation": "dev", "test": "test"}


class BadRecord(ValueError):
    """A record that cannot become a row; the message is the quarantine reason."""


class Rec:
    """One source record: its fields (looked up case-insensitively, because banks disagree on
    `QUESTION` vs `question`), its index in the file and a human-readable location for reasons."""

    def __init__(self, fields: dict, index: int, where: str, key: str | None = None):
        self.fields = fields
        self.index = index
        self.where = where
        self.key = key                   # the container key it was filed under (PubMedQA's PMID), if any
        self._names = {str(k).strip().lower(): k for k in fields}

    def get(self, name: str, default: Any = None) -> Any:
        key = self._names.get(name)
        return default if key is None else self.fields[key]

    def has(self, *names: str) -> bool:
        return all(n in self._names for n in names)

    def rest(self, *used: str) -> dict:
        """The fields not mapped to a column, under their source spelling, empty values left out: the row's meta."""
        return {k: v for k, v in self.fields.items()
                if str(k).strip().lower() not in used and v not in (None, "", [], {})}

    def has_invalid_text(self) -> bool:
        return _has_surrogates(self.fields)


def _has_surrogates(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogates(k) or _has_surrogates(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogates(v) for v in value)
    return False


@dataclass
class Item:
    """What a format module extracts from one record; `rows.build` validates it and fills the rest."""
    question: Any
    options: list[dict]
    answer_labels: list[str]
    source_id: Any = None
    explanation: Any = None
    context: list[str] | None = None
    language: str | None = None          # only when the source declares it
    subject: str | None = None
    year: int | None = None
    meta: dict = field(default_factory=dict)


def clean(value: Any) -> str:
    """Strip and fold runs of spaces inside each line, but keep line breaks: in case vignettes and
    lab tables they separate findings. None becomes ''."""
    if value is None:
        return ""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _MANY_NEWLINES.sub("\n\n", "\n".join(fold_ws(line) for line in lines)).strip()


def letter_options(mapping: Any) -> list[dict]:
    """Options from a letter-keyed object ({"A": ..} or {"a": ..}) in source order, labels upper-cased;
    keys longer than one character (question, answer, ...) are not options."""
    if not isinstance(mapping, dict):
        raise BadRecord(f"options are not a letter-keyed object but {type(mapping).__name__}")
    return [{"label": str(k).strip().upper(), "text": clean(v)}
            for k, v in mapping.items() if len(str(k).strip()) == 1]


def labels(value: Any) -> list[str]:
    """Answer letters from "C", "ABD", "A, B", "(C)" or ["a", "b"], upper-cased, de-duplicated, in order."""
    parts = value if isinstance(value, list) else [value]
    out: list[str] = []
    for part in parts:
        for token in re.split(r"[\s,;/|+.()、，（）]+", clean(part)):
            letters = list(token) if token.isalpha() and token.isascii() else [token]
            out.extend(t.upper() for t in letters if t and t.upper() not in out)
    return out


def options_dict_item(rec: Rec, source_id: Any = None) -> Item:
    """The {question, options{A..}, answer_idx, answer} layout of MedQA and of the medagents re-formats.
    `answer_idx` is the key; without it the `answer` text is matched against the options."""
    options = letter_options(rec.get("options"))
    answer = labels(rec.get("answer_idx"))
    if not answer and clean(rec.get("answer")):
        text = clean(rec.get("answer"))
        answer = [o["label"] for o in options if o["text"] == text][:1]
        if not answer:
            raise BadRecord(f"answer text {text[:60]!r} matches no option")
    return Item(question=rec.get("question"), options=options, answer_labels=answer, source_id=source_id,
                meta=rec.rest("question", "options", "answer_idx", "answer"))


def as_year(value: Any) -> int | None:
    text = clean(value)
    return int(text) if re.fullmatch(r"(1[89]|20)\d\d", text) else None


def path_of(name: str) -> PurePosixPath:
    """File paths and tar member names alike (Windows separators too)."""
    return PurePosixPath(name.replace("\\", "/"))


def stem_of(name: str) -> str:
    return path_of(name).stem


def split_of(name: str) -> str:
    """train | dev | test | unknown from the file's own name (not its folders, which may be anything):
    the first split word wins; val/valid/validation count as dev; "non_test" is not test."""
    tokens = [t for t in re.split(r"[^a-z0-9]+", stem_of(name).lower()) if t]
    for i, token in enumerate(tokens):
        if token in _SPLITS and (i == 0 or tokens[i - 1] != "non"):
            return _SPLITS[token]
    return "unknown"


def is_split_word(token: str) -> bool:
    return token in _SPLITS
