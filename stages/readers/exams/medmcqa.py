"""MedMCQA in its three layouts: the original release {id, question, opa..opd, cop (1-4), exp,
subject_name, topic_name, choice_type}; the Hugging Face export of it, where cop counts from 0
and is -1 for the unanswered test split; and the medagents re-format {realidx, question,
options{A..D}, answer_idx, answer}. Ids are the MedMCQA UUIDs (id or realidx).
"""
from medcurate.stages.readers.exams.common import BadRecord, Item, Rec, clean, letter_options, options_dict_item

NAME = "medmcqa"
LANGUAGE = "en"
_OPTION_FIELDS = ("opa", "opb", "opc", "opd")


def prepare(recs: list[Rec], info) -> None:
    """Both numberings exist in the wild and a wrong guess shifts every answer, so decide per file:
    any cop of 0 means the 0-based export, otherwise the original 1-based release."""
    info.hints["cop_base"] = 0 if any(clean(r.get("cop")) == "0" for r in recs) else 1


def item(rec: Rec, info) -> Item:
    if rec.has("options"):
        return options_dict_item(rec, source_id=rec.get("realidx") or rec.get("id"))
    options = letter_options({chr(ord("A") + i): rec.get(f) for i, f in enumerate(_OPTION_FIELDS) if rec.has(f)})
    return Item(question=rec.get("question"), options=options,
                answer_labels=_cop_label(rec.get("cop"), info.hints["cop_base"]),
                source_id=rec.get("id"), explanation=rec.get("exp"), subject=clean(rec.get("subject_name")) or None,
                meta=rec.rest("id", "question", *_OPTION_FIELDS, "exp", "subject_name"))


def _cop_label(cop, base: int) -> list[str]:
    text = clean(cop)
    if text in ("", "-1"):
        return []
    if len(text) == 1 and text.isalpha():
        return [text.upper()]
    if not text.isdigit():
        raise BadRecord(f"cop {text!r} is neither an option number nor a letter")
    return [chr(ord("A") + int(text) - base)]
