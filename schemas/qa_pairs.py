"""`qa_pairs`: question-answer pairs grounded in a passage, generated here or imported from elsewhere.

The generation columns say exactly what made each pair (model, prompt template version, sampling);
the grounding stage appends its scores and reasons (see stages/grounding.py) without removing rows.
"""
import pyarrow as pa

from medcurate.schemas.exam_items import OPTION

QA_PAIRS = pa.schema([
    pa.field("id", pa.string(), nullable=False),       # "<passage id>/qa<k>" for generated pairs
    pa.field("passage_id", pa.string()),               # the passage the pair is grounded in
    pa.field("source", pa.string()),                   # of the passage: pmc | pubmed | note | exam | ...
    pa.field("passage", pa.string()),                  # the passage text the generator saw
    pa.field("question", pa.string()),
    pa.field("answer", pa.string()),
    pa.field("style", pa.string()),                    # open | mcq
    pa.field("options", pa.list_(OPTION)),             # mcq only
    pa.field("answer_label", pa.string()),             # mcq only: the correct option's label
    pa.field("model", pa.string()),                    # engine and model that generated the pair
    pa.field("prompt_version", pa.string()),           # template "name@version"
    pa.field("sampling", pa.string()),                 # JSON of the sampling settings
    pa.field("deidentified", pa.bool_()),              # true when the passage is a de-identified note
])
