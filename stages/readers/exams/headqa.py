"""HEAD-QA (Spanish healthcare specialisation exams, and their English translation): questions
{qid, qtext, ra, image, answers[{aid, atext}]} inside exams {name, category, year}; the nesting is
flattened by `containers`, and the Hugging Face layout is flat already.

Option labels are the aid numbers as strings ("1".."5"), as the exam prints them; ids are
"<exam name>:<qid>" because qids restart in every exam. The file's declared language wins over
guessing; category is the subject; name and image stay in meta.
"""
from medcurate.stages.readers.exams.common import BadRecord, Item, Rec, as_year, clean

NAME = "headqa"
LANGUAGE = "es"


def item(rec: Rec, info) -> Item:
    answers = rec.get("answers")
    if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
        raise BadRecord("answers are not a list of {aid, atext} objects")
    exam, qid = clean(rec.get("name")), clean(rec.get("qid"))
    ra = clean(rec.get("ra"))
    return Item(question=rec.get("qtext"),
                options=[{"label": clean(a.get("aid")), "text": clean(a.get("atext"))} for a in answers],
                answer_labels=[ra] if ra else [], source_id=f"{exam}:{qid}" if exam and qid else qid,
                language=clean(rec.get("language")).lower() or None, subject=clean(rec.get("category")) or None,
                year=as_year(rec.get("year")), meta=rec.rest("qid", "qtext", "ra", "answers", "language", "category", "year"))
