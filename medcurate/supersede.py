"""Which of two rows of the same document wins: a newer version of an article supersedes an older one.

The ingesters keep one row per document id. When two rows share an id (the same article fetched in two
versions, or the same file given twice), the rule here decides which one stays and why the other goes.
It is one function so that every place that meets two such rows (an ingest walking its files, and an
assembler joining an ingest run in parts) decides alike. The version is `meta.article_version`, an
integer the reader or ingester sets from the PMC Cloud Service's folder name or metadata JSON, or from
the JATS <article-version>; a row without one has no known version.
"""
import json

SUPERSEDED = "superseded by a newer version of the same article"
DUPLICATE = "duplicate id (first occurrence kept)"


def article_version(row: dict) -> int | None:
    """The row's `meta.article_version` (meta is a JSON string or a dict), None when unknown."""
    meta = row.get("meta")
    if isinstance(meta, str):
        if '"article_version"' not in meta:      # most rows: no JSON parse
            return None
        meta = json.loads(meta)
    version = (meta or {}).get("article_version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def supersedes(challenger: int | None, holder: int | None) -> bool:
    """True when a row of version `challenger` replaces the kept row of version `holder`.

    Only a known, strictly newer version does: rows whose versions are equal or unknown are duplicates,
    and the one met first stays (so the result does not depend on anything but the input order).
    """
    return challenger is not None and holder is not None and challenger > holder


def pick(first: dict, second: dict) -> tuple[dict, dict, str]:
    """(winner, loser, the loser's drop reason) for two rows with the same id; `first` is the one met first."""
    old, new = article_version(first), article_version(second)
    if supersedes(new, old):
        return second, first, SUPERSEDED
    return first, second, SUPERSEDED if supersedes(old, new) else DUPLICATE
