"""MedQA (USMLE, Mainland China, Taiwan): {question, options{A..E}, answer, answer_idx, meta_info}
per JSON line, plus metamap_phrases in the 4-option files and realidx in the medagents copies.

There is no source id (realidx is just a row number), so ids are "<file stem>:<row>". meta_info
("step1", "step2&3") is the exam step, not a discipline, so it stays in meta and subject is None.
"""
from medcurate.stages.readers.exams.common import Item, Rec, options_dict_item

NAME = "medqa"
LANGUAGE = "en"


def item(rec: Rec, info) -> Item:
    return options_dict_item(rec)
