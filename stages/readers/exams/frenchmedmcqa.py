"""FrenchMedMCQA: {id, question, answers{a..e}, correct_answers[..], subject_name, type,
nbr_correct_answers}, single- and multiple-answer pharmacy questions. Labels are upper-cased
like every letter-labelled bank; type and nbr_correct_answers stay in meta."""
from medcurate.stages.readers.exams.common import Item, Rec, clean, labels, letter_options

NAME = "frenchmedmcqa"
LANGUAGE = "fr"


def item(rec: Rec, info) -> Item:
    return Item(question=rec.get("question"), options=letter_options(rec.get("answers")),
                answer_labels=labels(rec.get("correct_answers")), source_id=rec.get("id"),
                subject=clean(rec.get("subject_name")) or None,
                meta=rec.rest("id", "question", "answers", "correct_answers", "subject_name"))
