"""CMExam (Chinese national medical licensing exam): CSV Question, Options, Answer, Explanation,
and in the full release also Disease Group, Clinical Department, Medical Discipline, Competency,
Difficulty level (kept in meta). All options sit in one cell as "A 原发病\\nB 出血部位...": a real
newline in the original CSV, the two characters backslash-n in the xlsx-derived copies.
Answers such as "ABD" list several correct options.
"""
import re

from medcurate.stages.readers.exams.common import BadRecord, Item, Rec, clean, labels

NAME = "cmexam"
LANGUAGE = "zh"
_SEPARATOR = re.compile(r"\\n|\r\n|\r|\n")
_LABELLED = re.compile(r"([A-Z])(?![A-Za-z])[\s.．、:：)）]*(.*)", re.S)


def item(rec: Rec, info) -> Item:
    return Item(question=rec.get("question"), options=parse_options(rec.get("options")),
                answer_labels=labels(rec.get("answer")), explanation=rec.get("explanation"),
                meta=rec.rest("question", "options", "answer", "explanation"))


def parse_options(cell: str) -> list[dict]:
    """One option per "X text" line; a line not starting with the next letter continues the previous
    option, so option text may itself start with a capital (e.g. "ATP")."""
    options: list[dict] = []
    for line in _SEPARATOR.split(cell or ""):
        line = line.strip()
        if not line:
            continue
        match = _LABELLED.fullmatch(line)
        if match and match[1] == chr(ord("A") + len(options)):
            options.append({"label": match[1], "text": clean(match[2])})
        elif options:
            options[-1]["text"] = f"{options[-1]['text']}\n{clean(line)}"
        else:
            raise BadRecord(f"options do not start with 'A': {line[:40]!r}")
    return options
