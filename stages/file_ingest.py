"""The part every ingest stage shares: walk input files, parse each unit, route what comes out.

A concrete ingester only says how to parse one unit (a file or a tar member) into rows. This base
fills provenance, derives passage ids, keeps one row per id (a newer version of an article supersedes an
older one, see medcurate.supersede; other repeats are dropped as duplicates), sends unreadable input
to the `quarantine` table and counts every record in the funnel, so the three ingesters cannot
drift apart in how they account for input.
"""
from collections import Counter
from collections.abc import Iterator
from itertools import chain

from medcurate import schemas
from medcurate.console import track
from medcurate.funnel import Funnel
from medcurate.inputs import ARCHIVE_SUFFIXES, BadInput, InputUnit, iter_units
from medcurate.records import Dropped, Quarantined, Skipped, Withdrawn
from medcurate.stage import Stage, StageInputs
from medcurate.stages.supersession import Claims
from medcurate.store import PendingVersion

FLUSH_ROWS = 2_000


class _Sink:
    """Buffers rows for one output table and writes them in batches."""

    def __init__(self, out: PendingVersion, kind: str):
        self.writer = out.table(kind, schemas.KINDS[kind])
        self.rows: list[dict] = []

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        self.writer.write(self.rows)
        self.rows = []


class FileIngestStage(Stage):
    writes = ("documents", "passages", "quarantine")     # the first is the main output

    def parse(self, unit: InputUnit) -> Iterator[dict | Dropped | Quarantined | Skipped | Withdrawn]:
        raise NotImplementedError

    def read_side_files(self, files: list[str]) -> tuple[list[str], list[BadInput]]:
        """Hook to read side files (e.g. PMC file lists) before the walk.

        Returns the files still to parse, and the side files that could not be read (quarantined).
        """
        return files, []

    def finish_rows(self, rows: list[dict]) -> list[dict]:
        """Hook to enrich or transform the rows parsed from one file or member, before they are written."""
        return rows

    def run(self, inputs: StageInputs, out: PendingVersion, funnel: Funnel) -> dict:
        main = _Sink(out, self.writes[0])
        passages = _Sink(out, "passages") if "passages" in self.writes else None
        quarantine = _Sink(out, "quarantine")
        deletions: _Sink | None = None
        claims = Claims()                           # one row per id; a newer article version wins
        per_kind: Counter[str] = Counter()
        files, unreadable = self.read_side_files(inputs.files)
        funnel.inputs += len(inputs.files) - len(files) - len(unreadable)
        # one tick per file or archive member; with archives the member count is unknown up front
        total = None if any(f.lower().endswith(ARCHIVE_SUFFIXES) for f in files) else len(files) + len(unreadable)
        for unit in track(chain(unreadable, iter_units(files)), f"{self.name}: files", total=total):
            funnel.inputs += 1
            if isinstance(unit, BadInput):
                funnel.see()          # a whole unreadable file or member counts as one quarantined record
                self._quarantine(quarantine, funnel, unit.file, unit.member, None, unit.reason)
                continue
            parsed: list[dict] = []
            for item in self.parse(unit):
                if isinstance(item, Skipped):
                    funnel.skip_input(item.reason)
                    continue
                funnel.see()
                if isinstance(item, Dropped):
                    funnel.drop(item.reason)
                elif isinstance(item, Quarantined):
                    self._quarantine(quarantine, funnel, unit.file, unit.member, item.row, item.reason)
                elif isinstance(item, Withdrawn):
                    deletions = deletions or _Sink(out, "deletions")
                    deletions.add({"id": item.id, "source": item.source, "source_id": item.source_id,
                                   "provenance": {"file": unit.file, "member": unit.member, "offset": item.row}})
                    funnel.keep()
                elif claims.admit(item, funnel):
                    parsed.append(item)
            for row in self.finish_rows(parsed):
                if not claims.hold(row, unit):
                    self._write(row, unit, main, passages, per_kind)
        for row, unit in claims.released():
            self._write(row, unit, main, passages, per_kind)
        for sink in (main, passages, quarantine, deletions):
            if sink:
                sink.flush()
        return {"rows_by_dataset": dict(sorted(per_kind.items()))}

    @staticmethod
    def _write(row: dict, unit: InputUnit, main: _Sink, passages: _Sink | None, per_kind: Counter) -> None:
        per_kind[row.get("exam") or row.get("dataset") or row["source"]] += 1
        parts = row.pop("passages", None) or []
        offset = (row.get("provenance") or {}).get("offset")
        row["provenance"] = {"file": unit.file, "member": unit.member, "offset": offset}
        main.add(row)
        if passages is None:
            return
        for seq, part in enumerate(parts):
            passages.add({**part, "id": f"{row['id']}#{seq}", "doc_id": row["id"], "source": row["source"],
                          "seq": seq, "license_group": row.get("license_group"),
                          "deidentified": row.get("deidentified")})

    def _quarantine(self, sink: _Sink, funnel: Funnel, file: str, member: str | None, row: int | None,
                    reason: str) -> None:
        funnel.quarantine()
        sink.add({"id": f"q{funnel.quarantined:07d}", "file": file, "member": member, "row": row,
                  "reason": reason, "stage": self.name})
