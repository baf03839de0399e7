"""`deletions`: ids a source withdrew (MEDLINE update files' <DeleteCitation>), to be applied downstream."""
import pyarrow as pa

from medcurate.schemas.base import PROVENANCE

DELETIONS = pa.schema([
    pa.field("id", pa.string(), nullable=False),       # the document id that is withdrawn, e.g. "pubmed:123"
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_id", pa.string()),
    pa.field("provenance", PROVENANCE),
])
