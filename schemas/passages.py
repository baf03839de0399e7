"""`passages`: paragraph-level rows with their place in the document and offsets into its text."""
import pyarrow as pa

from medcurate.schemas.base import PHI_SPANS

PASSAGES = pa.schema([
    pa.field("id", pa.string(), nullable=False),       # "<doc id>#<seq>"
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("seq", pa.int32()),                       # order inside the document
    pa.field("kind", pa.string()),                     # title | abstract | paragraph | caption | table_foot | note_section | dialogue
    pa.field("section_path", pa.string()),             # e.g. "body/sec[0]/sec[1]/p[2]"
    pa.field("section_title", pa.string()),            # nearest enclosing section title
    pa.field("char_start", pa.int64()),                # offsets into documents.text: text == doc.text[start:end]
    pa.field("char_end", pa.int64()),
    pa.field("text", pa.string()),
    pa.field("license_group", pa.string()),
    pa.field("deidentified", pa.bool_()),
    pa.field("phi_spans", PHI_SPANS),                  # offsets into this passage's text
])
