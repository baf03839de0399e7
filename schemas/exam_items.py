"""`exam_items`: one multiple-choice (or yes/no/maybe) exam question in a single layout for all banks."""
import pyarrow as pa

from medcurate.schemas.base import PROVENANCE

OPTION = pa.struct([pa.field("label", pa.string()), pa.field("text", pa.string())])

EXAM_ITEMS = pa.schema([
    pa.field("id", pa.string(), nullable=False),       # "<exam>:<source id>" or "<exam>:<file stem>:<row>"
    pa.field("exam", pa.string(), nullable=False),     # medqa | medmcqa | pubmedqa | mmlu | headqa | cmexam | frenchmedmcqa
    pa.field("source_id", pa.string()),
    pa.field("question", pa.string()),
    pa.field("options", pa.list_(OPTION)),
    pa.field("answer_labels", pa.list_(pa.string())),  # all correct labels; several for multi-answer items
    pa.field("answer_texts", pa.list_(pa.string())),
    pa.field("explanation", pa.string()),
    pa.field("context", pa.list_(pa.string())),        # passages the question is about (PubMedQA abstracts)
    pa.field("language", pa.string()),
    pa.field("split", pa.string()),                    # train | dev | test | unknown
    pa.field("subject", pa.string()),
    pa.field("year", pa.int32()),
    pa.field("meta", pa.string()),                     # JSON object of format-specific extras
    pa.field("provenance", PROVENANCE),
])
