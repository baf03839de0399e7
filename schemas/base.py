"""Helpers shared by all schemas: the provenance struct, and schema fingerprints."""
import hashlib

import pyarrow as pa

SCHEMA_VERSION = "2"

PROVENANCE = pa.struct([
    pa.field("file", pa.string()),      # input path as given (or URL)
    pa.field("member", pa.string()),    # tar member name, null for plain files
    pa.field("offset", pa.int64()),     # row / line / article index inside the file or member
])


# Where de-identification replaced PHI: the surrogate's place in the text and the PHI category.
# The original PHI text is never stored.
PHI_SPANS = pa.list_(pa.struct([
    pa.field("type", pa.string()),
    pa.field("start", pa.int64()),
    pa.field("end", pa.int64()),
    pa.field("recognizer", pa.string()),
]))


def fingerprint(schema: pa.Schema) -> str:
    """A short, stable hash of field names and types (metadata ignored)."""
    text = "|".join(f"{f.name}:{f.type}:{f.nullable}" for f in schema)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
