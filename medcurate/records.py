"""What format parsers yield: rows as plain dicts, or a `Quarantined` marker for input they cannot read.

Parsers never raise on bad input and never drop it silently: each unreadable record becomes a
`Quarantined` with a human-readable reason, and the stage writes it to the `quarantine` table.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Quarantined:
    reason: str
    row: int | None = None      # index of the bad record inside the file/member, if only one record is bad


@dataclass(frozen=True)
class Dropped:
    """A readable record with nothing to keep (e.g. an empty note): counted in the funnel under `reason`."""
    reason: str
    row: int | None = None


@dataclass(frozen=True)
class Skipped:
    """A whole input that is deliberately not ingested (e.g. a licence file beside notes), with why."""
    reason: str


@dataclass(frozen=True)
class Withdrawn:
    """A record the source withdrew (MEDLINE <DeleteCitation>): written to the `deletions` table."""
    id: str
    source: str
    source_id: str
    row: int | None = None
