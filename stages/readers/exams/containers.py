"""Read an exam file's records whatever the container: a JSON document, JSON Lines, or CSV.

Containers and layouts vary independently (MedQA ships as JSONL but is re-shared as JSON arrays,
MedMCQA the other way round), so this module knows nothing about exams beyond HEAD-QA's nesting
and MMLU's missing header. A record that cannot be read (a line that is not JSON, a CSV row with
the wrong number of cells) becomes a `Quarantined` in its place and the others continue.
"""
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from medcurate.records import Quarantined, Skipped
from medcurate.stages.readers.exams.common import Rec
from medcurate.stages.readers.exams.detect import record_format

_MMLU_ANSWER = re.compile(r"[A-J]")


@dataclass
class Source:
    kind: str                               # json | jsonl | csv
    entries: list[Rec | Quarantined]        # in file order
    header: list[str] | None = None         # a CSV's header as read, to report an unknown layout


def read_source(name: str, data: bytes) -> Source | Skipped | Quarantined:
    """Bytes that are not UTF-8 are kept as surrogates so that only the records containing them are
    quarantined (by `rows.build`), not the whole file."""
    text = data.decode("utf-8-sig", errors="surrogateescape")
    if not text.strip():
        return Skipped(f"empty file: {name}")
    try:
        return _json_document(json.loads(text))
    except json.JSONDecodeError as exc:
        if _is_json_lines(text):
            return Source("jsonl", list(_json_lines(text)))
        if text.lstrip()[:1] in ("[", "{"):
            return Quarantined(f"invalid JSON: {exc}")
    return _csv(text)


def _json_document(doc) -> Source | Quarantined:
    if isinstance(doc, list):
        return Source("json", [_object(value, i, f"element {i}") for i, value in enumerate(doc)])
    if not isinstance(doc, dict):
        return Quarantined(f"JSON document is a {type(doc).__name__}, not records")
    if record_format(Rec(doc, 0, "record 0")):
        return Source("json", [Rec(doc, 0, "record 0")])
    if isinstance(doc.get("exams"), dict):
        return Source("json", list(_headqa_exams(doc)))
    if doc and all(isinstance(v, dict) for v in doc.values()):
        return Source("json", [Rec(v, i, f"entry {k!r}", key=str(k)) for i, (k, v) in enumerate(doc.items())])
    return Quarantined(f"unknown JSON layout: top-level keys {sorted(map(str, doc))[:20]}")


def _headqa_exams(doc: dict) -> Iterator[Rec | Quarantined]:
    """HEAD-QA nests questions as {language, exams: {<exam>: {name, category, year, data: [...]}}};
    each question inherits its exam's fields and the file's language, so it reads like the flat
    Hugging Face layout."""
    index = 0
    for exam_key, exam in doc["exams"].items():
        questions = exam.get("data") if isinstance(exam, dict) else None
        if not isinstance(questions, list):
            yield Quarantined(f"exam {exam_key!r}: no list of questions under 'data'", row=index)
            index += 1
            continue
        inherited = {k: v for k, v in exam.items() if k != "data"}
        if "language" in doc:
            inherited["language"] = doc["language"]
        for i, question in enumerate(questions):
            where = f"exam {exam_key!r} question {i}"
            yield _object({**inherited, **question} if isinstance(question, dict) else question, index, where)
            index += 1


def _object(value, index: int, where: str) -> Rec | Quarantined:
    if isinstance(value, dict):
        return Rec(value, index, where)
    return Quarantined(f"{where}: not a JSON object but {type(value).__name__}", row=index)


def _lines(text: str) -> list[str]:
    # not str.splitlines(): JSON strings may contain U+2028 and friends unescaped
    return [line.rstrip("\r") for line in text.split("\n")]


def _is_json_lines(text: str) -> bool:
    """JSON Lines when the first non-blank line is a whole JSON object (a pretty-printed document's
    first line is just "{" or "["), or when most of the first lines at least look like objects."""
    lines = [line.strip() for line in _lines(text)[:200] if line.strip()]
    try:
        if isinstance(json.loads(lines[0]), dict):
            return True
    except json.JSONDecodeError:
        pass
    return sum(line.startswith("{") for line in lines[:50]) > len(lines[:50]) / 2


def _json_lines(text: str) -> Iterator[Rec | Quarantined]:
    for i, line in enumerate(_lines(text)):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Quarantined(f"line {i + 1}: invalid JSON: {exc.msg} (column {exc.colno})", row=i)
            continue
        yield _object(value, i, f"line {i + 1}")


def _csv(text: str) -> Source:
    """A header row names the columns, except in MMLU's headerless question,A,B,C,D,answer rows,
    recognised by a single answer letter in the last cell."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = _csv_rows(reader)
    first = next(rows, None)
    if first is None:
        return Source("csv", [])
    line, cells = first
    if isinstance(cells, Quarantined):
        return Source("csv", [Quarantined(cells.reason, row=0)])
    if len(cells) >= 4 and _MMLU_ANSWER.fullmatch(cells[-1].strip()) and not _is_header(cells):
        header = ["question", *(chr(ord("A") + i) for i in range(len(cells) - 2)), "answer"]
        body = [(line, cells), *rows]
    else:
        header, body = cells, rows
    return Source("csv", list(_csv_records(header, body)), header=header)


def _is_header(cells: list[str]) -> bool:
    return record_format(Rec(dict.fromkeys(cells, ""), 0, "header")) is not None


def _csv_rows(reader) -> Iterator[tuple[int, list[str] | Quarantined]]:
    """(first physical line, cells) per non-blank row; a CSV syntax error ends the file with one
    Quarantined that says where, since the rest cannot be split into rows reliably."""
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, Quarantined(f"line {start}: CSV error, rest of file not read: {exc}")
            return
        if any(c.strip() for c in cells):
            yield start, cells
        start = reader.line_num + 1


def _csv_records(header: list[str], body) -> Iterator[Rec | Quarantined]:
    for index, (line, cells) in enumerate(body):
        where = f"row {index} (line {line})"
        if isinstance(cells, Quarantined):
            yield Quarantined(cells.reason, row=index)
            continue
        while len(cells) > len(header) and not cells[-1].strip():
            cells = cells[:-1]
        if len(cells) != len(header):
            yield Quarantined(f"{where}: {len(cells)} cells, header has {len(header)}", row=index)
            continue
        yield Rec(dict(zip(header, cells)), index, where)
