"""PubMedQA: the original JSON keyed by PMID {QUESTION, CONTEXTS, LABELS, MESHES, YEAR,
reasoning_required_pred, reasoning_free_pred, final_decision, LONG_ANSWER}, and the Hugging Face
layout {pubid, question, context{contexts, labels, meshes, ...}, long_answer, final_decision}.

The options are the fixed yes/no/maybe, labelled by the word itself so answer_labels reads
["yes"]; the abstract's sections are the context and the long answer is the explanation.
"""
from medcurate.stages.readers.exams.common import Item, Rec, as_year, clean

NAME = "pubmedqa"
LANGUAGE = "en"
_CHOICES = ("yes", "no", "maybe")


def item(rec: Rec, info) -> Item:
    nested = rec.get("context")
    if isinstance(nested, dict):        # HF layout: lift context{...} to the top like the original
        flat = {k: v for k, v in rec.fields.items() if str(k).lower() != "context"}
        rec = Rec({**flat, **nested}, rec.index, rec.where, rec.key)
    contexts = rec.get("contexts")
    contexts = [contexts] if isinstance(contexts, str) else list(contexts or [])
    decision = clean(rec.get("final_decision")).lower()
    return Item(question=rec.get("question"), options=[{"label": c, "text": c} for c in _CHOICES],
                answer_labels=[decision] if decision else [], source_id=rec.get("pubid") or rec.key,
                explanation=rec.get("long_answer"), context=[c for c in map(clean, contexts) if c],
                year=as_year(rec.get("year")),
                meta=rec.rest("pubid", "question", "contexts", "final_decision", "long_answer", "year"))
