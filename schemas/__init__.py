"""Arrow schemas for every dataset kind medcurate stores.

A version's table is checked against the schema of its kind before it is committed, and the
schema's fingerprint goes into the manifest, so a reader knows exactly which layout it gets.
"""
from medcurate.schemas.base import SCHEMA_VERSION, fingerprint
from medcurate.schemas.deletions import DELETIONS
from medcurate.schemas.documents import DOCUMENTS
from medcurate.schemas.exam_items import EXAM_ITEMS
from medcurate.schemas.passages import PASSAGES
from medcurate.schemas.qa_pairs import QA_PAIRS
from medcurate.schemas.quarantine import QUARANTINE

KINDS = {
    "documents": DOCUMENTS,
    "passages": PASSAGES,
    "exam_items": EXAM_ITEMS,
    "quarantine": QUARANTINE,
    "deletions": DELETIONS,
    "qa_pairs": QA_PAIRS,
}

__all__ = ["KINDS", "SCHEMA_VERSION", "fingerprint",
           "DOCUMENTS", "PASSAGES", "EXAM_ITEMS", "QUARANTINE", "DELETIONS", "QA_PAIRS"]
