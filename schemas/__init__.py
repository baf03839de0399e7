"""Arrow schemas for every dataset kind medcurate stores.

A version's table is checked against the schema of its kind before it is committed, and the
schema's fingerprint goes into the manifest, so a reader knows exactly which layout it gets.
"""
from schemas.base import SCHEMA_VERSION, fingerprint
from schemas.documents import DOCUMENTS
from schemas.exam_items import EXAM_ITEMS
from schemas.passages import PASSAGES
from schemas.quarantine import QUARANTINE
from schemas.deletions import DELETIONS
from schemas.qa_pairs import QA_PAIRS

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
