"""`medcurate audit phi`: the second line of defence, run before anything is released.

It reads everything a version (or a whole store) holds — every string cell of every table (nested lists and
structs included), every manifest, the dataset card, the LLM cache and review exports — and reports each
candidate identifier by **location and category, never by value**:

* rows that come from clinical notes (their `source`, or a de-identifying stage in the version's lineage)
  are scanned with the PHI detector (spans it already replaced, listed in `phi_spans`, are skipped) and
  the screen; anything found there is a finding of severity `phi`;
* every other string is screened: a clinical note or a patient field label outside note-derived rows (a raw
  note that went round the de-identifier) is `phi`; phone numbers,
  e-mail addresses, record numbers and titled names outside note-derived text (authors' addresses in papers,
  accession numbers) are `identifier-shaped` and reported for a person to look at;
* with `--known FILE`, identifiers the user holds (a roster of names, MRNs...) are compared as salted hashes
  of normalised word n-grams: a match anywhere is `phi`. The roster and its hashes are never written.

Exit status 1 when any `phi` finding remains; the `curate` flow runs this on every released version and
fails the release on a hit.
"""
import hashlib
import json
import os
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs

from medcurate.gate import lineage_deidentified, note_rows, strings_in
from medcurate.phi.screen import screen_text
from medcurate.shards import read_shard
from medcurate.store import Version, VersionStore

PHI, SHAPED = "phi", "identifier-shaped"
NOTE_SHAPE = {"clinical-note structure", "patient field label"}   # expected in de-identified notes, raw elsewhere
_TOKEN = re.compile(r"[^\W_]+(?:['\-.][^\W_]+)*", re.UNICODE)
MAX_NGRAM = 4


@dataclass(frozen=True)
class Finding:
    where: str           # "version V table T column C row N", "version V manifest", "cache/llm ..."
    category: str
    severity: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    scanned: Counter = field(default_factory=Counter)     # what was read: strings, rows, manifests, ...

    @property
    def phi(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == PHI]

    def summary(self) -> dict:
        by = Counter((f.severity, f.category) for f in self.findings)
        return {"scanned": dict(self.scanned), "phi": len(self.phi),
                "findings": [{"severity": s, "category": c, "count": n} for (s, c), n in by.most_common()]}


class Roster:
    """Known identifiers as salted hashes of their normalised token sequences (the salt lives in memory only)."""

    def __init__(self, values: Iterable[str]):
        self._salt = os.urandom(16)
        self._hashes: set[bytes] = set()
        self.longest = 1
        for value in values:
            tokens = normalise(value)
            if tokens and (len(tokens) > 1 or len(tokens[0]) >= 3):
                self._hashes.add(self._hash(tokens))
                self.longest = min(max(self.longest, len(tokens)), MAX_NGRAM)

    @classmethod
    def from_file(cls, path: str | Path) -> "Roster":
        """One identifier a line; or a CSV/TSV, every cell an identifier."""
        cells = re.split(r"[\n\t,;]", Path(path).read_text(encoding="utf-8", errors="replace"))
        return cls(c.strip() for c in cells if c.strip())

    def _hash(self, tokens: tuple[str, ...]) -> bytes:
        return hashlib.blake2b(" ".join(tokens).encode(), key=self._salt, digest_size=16).digest()

    def __len__(self) -> int:
        return len(self._hashes)

    def matches(self, text: str) -> int:
        tokens = normalise(text)
        found = 0
        for size in range(1, self.longest + 1):
            for i in range(len(tokens) - size + 1):
                found += self._hash(tokens[i:i + size]) in self._hashes
        return found


def normalise(text: str) -> tuple[str, ...]:
    """Lower-case word tokens; an identifier's separators ("MRN-00123", "555 0188") do not matter."""
    return tuple(t.lower().replace("-", "").replace(".", "").replace("'", "") for t in _TOKEN.findall(text))


class Auditor:
    def __init__(self, store: VersionStore, roster: Roster | None = None, detector=None):
        self.store, self.roster, self.report = store, roster, Report()
        self._detector = detector

    # what gets scanned --------------------------------------------------------------------------------
    def version(self, version: Version) -> None:
        note_lineage = lineage_deidentified(self.store, version.id)
        self._strings(f"version {version.id} manifest", _json_strings(version.manifest), note_lineage)
        self.report.scanned["manifests"] += 1
        for table in version.tables:
            for batch in version.iter_batches(table):
                self._batch(version, table, batch, note_lineage)
        card = posixpath.join(version.path(), "README.md")
        if self.store.fs.get_file_info(card).type == pafs.FileType.File:
            with self.store.fs.open_input_stream(card) as f:
                self._strings(f"version {version.id} card", [f.read().decode("utf-8", "replace")], note_lineage)

    def caches(self) -> None:
        """The LLM response cache and any review exports under the store."""
        folder = posixpath.join(self.store.root, "cache")
        for info in self.store.fs.get_file_info(pafs.FileSelector(folder, recursive=True, allow_not_found=True)):
            if info.path.endswith(".arrow"):
                segment = read_shard(self.store.fs, info.path)
                where = f"cache {posixpath.relpath(info.path, self.store.root)}"
                for column in segment.column_names:
                    if pa.types.is_string(segment.schema.field(column).type):
                        for row, text in enumerate(segment.column(column).to_pylist()):
                            self._strings(f"{where} column {column} row {row}", [text], False)
        review = posixpath.join(self.store.root, "review")
        for info in self.store.fs.get_file_info(pafs.FileSelector(review, recursive=True, allow_not_found=True)):
            if info.path.endswith(".json"):
                with self.store.fs.open_input_stream(info.path) as f:
                    tasks = json.loads(f.read())
                self._strings(f"review export {posixpath.basename(info.path)}", _json_strings(tasks), False)

    # how ----------------------------------------------------------------------------------------------
    def _batch(self, version: Version, table: str, batch: pa.RecordBatch, note_lineage: bool) -> None:
        notes = note_rows(batch)
        from_notes = (notes.to_pylist() if notes is not None else [note_lineage] * batch.num_rows)
        spans = batch.column("phi_spans").to_pylist() if "phi_spans" in batch.schema.names else None
        self.report.scanned["rows"] += batch.num_rows
        for name in batch.schema.names:
            if name == "phi_spans" or not _has_strings(batch.schema.field(name).type):
                continue
            for row, cell in enumerate(batch.column(name).to_pylist()):
                where = f"version {version.id} table {table} column {name} row {row}"
                texts = list(strings_in(cell))
                self._strings(where, texts, bool(from_notes[row]))
                if from_notes[row] and name in ("text", "passage", "answer", "question", "title"):
                    replaced = spans[row] if spans and name == "text" else None
                    self._detect(where, texts, replaced)

    def _strings(self, where: str, texts: Iterable[str], from_notes: bool) -> None:
        for text in texts:
            if not text:
                continue
            self.report.scanned["strings"] += 1
            for category in set(screen_text(text)):
                if from_notes and category in NOTE_SHAPE:
                    continue
                severity = PHI if from_notes or category in NOTE_SHAPE else SHAPED
                self.report.findings.append(Finding(where, category, severity))
            if self.roster and self.roster.matches(text):
                self.report.findings.append(Finding(where, "a known identifier", PHI))

    def _detect(self, where: str, texts: list[str], replaced: list[dict] | None) -> None:
        detector = self._detector or _shared_detector()
        for text in texts:
            done = [(s["start"], s["end"]) for s in replaced or ()]
            for span in detector.detect(text):
                if _is_tag(text[span.start:span.end]) or any(s <= span.start and span.end <= e for s, e in done):
                    continue
                self.report.findings.append(Finding(where, f"detector: {span.type}", PHI))


def audit(store: VersionStore, versions: list[Version], roster: Roster | None = None, caches: bool = True,
          detector=None) -> Report:
    auditor = Auditor(store, roster, detector)
    for version in versions:
        auditor.version(version)
    if caches:
        auditor.caches()
    return auditor.report


_TAG = re.compile(r"^\[[A-Z_]+\]$")


def _is_tag(text: str) -> bool:
    return bool(_TAG.match(text.strip()))


@cache
def _shared_detector():
    from medcurate.phi.engine import Deidentifier  # loads spaCy: only when note-derived rows are found
    return Deidentifier()


def _has_strings(kind: pa.DataType) -> bool:
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return True
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _has_strings(kind.value_type)
    if pa.types.is_struct(kind):
        return any(_has_strings(f.type) for f in kind)
    return False


def _json_strings(value) -> Iterator[str]:
    """Keys and values of a JSON document (a manifest's config, inputs, summary, funnel reasons)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
    elif isinstance(value, str):
        yield value
