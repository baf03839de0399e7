"""MMLU medical subjects: headerless question,A,B,C,D,answer CSV rows, one file per subject and
split (anatomy_test.csv, college_medicine_dev.csv = the 5-shot examples, ..._val.csv).
The subject exists only in the file name: the stem without its split word."""
from medcurate.stages.readers.exams.common import Item, Rec, is_split_word, labels, letter_options, stem_of

NAME = "mmlu"
LANGUAGE = "en"


def item(rec: Rec, info) -> Item:
    options = letter_options(rec.fields)
    return Item(question=rec.get("question"), options=options, answer_labels=labels(rec.get("answer")),
                subject=subject_of(info.name),
                meta=rec.rest("question", "answer", *(o["label"].lower() for o in options)))


def subject_of(name: str) -> str | None:
    parts = stem_of(name).split("_")
    if parts and is_split_word(parts[-1].lower()):
        parts = parts[:-1]
    return "_".join(parts) or None
