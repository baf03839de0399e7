"""The four label families: their columns in the `labels` table and in classified passages.

The allowed values live in the annotate prompt's JSON schema (one versioned place); the teacher and the
student only ever produce values that schema allows.
"""
import pyarrow as pa

FAMILIES = ("doc_type", "domain", "edu_score", "discipline")
LABEL_FIELDS = [pa.field("doc_type", pa.string()), pa.field("domain", pa.string()),
                pa.field("edu_score", pa.int32()), pa.field("discipline", pa.string())]

LABELS = pa.schema([
    pa.field("id", pa.string(), nullable=False),     # passage id
    pa.field("doc_id", pa.string()),                 # the held-out split groups by document
    pa.field("source", pa.string()),
    pa.field("stratum", pa.string()),                # source|section group|license group|length bucket
    pa.field("text", pa.string()),
    *LABEL_FIELDS,
    pa.field("label_source", pa.string()),           # "llm:<model>@<template>" or "teacher:<rule>"
    pa.field("prompt_version", pa.string()),         # template id, null for teacher labels
    pa.field("deidentified", pa.bool_()),            # carried from the passage, for the PHI gate downstream
])

FAILURES = pa.schema([
    pa.field("id", pa.string(), nullable=False),
    pa.field("text", pa.string()),                   # the passage
    pa.field("raw", pa.string()),                    # what the model answered, kept verbatim
    pa.field("error", pa.string()),
    pa.field("attempts", pa.int32()),
])


def label_values(schema: dict) -> dict[str, list]:
    """The allowed values of each family, from a prompt's JSON schema."""
    return {family: schema["properties"][family]["enum"] for family in FAMILIES}
