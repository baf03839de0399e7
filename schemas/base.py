"""Helpers shared by all schemas: the provenance struct, fingerprints, and row conformance."""
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


def conform(rows: list[dict], schema: pa.Schema) -> pa.RecordBatch:
    """Build a batch of `schema` from row dicts; missing keys become null, unknown keys are an error."""
    names = set(schema.names)
    for row in rows:
        extra = row.keys() - names
        if extra:
            raise ValueError(f"columns not in schema: {sorted(extra)}")
    return pa.RecordBatch.from_pylist(rows, schema=schema)
