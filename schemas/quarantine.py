"""`quarantine`: every input (file, tar member or row) that could not be read, with the reason.

No content of the bad input is kept: clinical notes may carry PHI, and the location is enough to find it.
"""
import pyarrow as pa

QUARANTINE = pa.schema([
    pa.field("id", pa.string(), nullable=False),
    pa.field("file", pa.string(), nullable=False),
    pa.field("member", pa.string()),
    pa.field("row", pa.int64()),        # row / line / article index when a single record was bad
    pa.field("reason", pa.string(), nullable=False),
    pa.field("stage", pa.string()),
])
