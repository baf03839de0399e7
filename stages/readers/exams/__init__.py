"""Medical exam banks (MedQA, MedMCQA, PubMedQA, MMLU medical, HEAD-QA, CMExam, FrenchMedMCQA)
as `exam_items` rows.

The layout is recognised from the content (the first record's keys, a CSV's header or its
absence), because shared copies get renamed, re-split and converted between JSON, JSONL and CSV;
the file name only settles ties and supplies what exists nowhere else (split, MMLU subject).

    containers  bytes -> records (JSON / JSONL / CSV), per-record quarantine
    detect      record -> format name; why a file matched none
    <format>    record -> Item, one small module per bank
    rows        Item -> validated row dict
"""
from collections.abc import Iterator

from medcurate.errors import UsageError
from medcurate.records import Quarantined, Skipped
from medcurate.stages.readers.exams import cmexam, frenchmedmcqa, headqa, medmcqa, medqa, mmlu, pubmedqa
from medcurate.stages.readers.exams.common import Rec
from medcurate.stages.readers.exams.containers import Source, read_source
from medcurate.stages.readers.exams.detect import source_format, unrecognised
from medcurate.stages.readers.exams.rows import FileInfo, build

_MODULES = {m.NAME: m for m in (medqa, medmcqa, pubmedqa, mmlu, headqa, cmexam, frenchmedmcqa)}
FORMATS = tuple(_MODULES)


def detect_format(name: str, data: bytes) -> str | None:
    source = read_source(name, data)
    return source_format(source, name) if isinstance(source, Source) else None


def parse_exam(name: str, data: bytes, fmt: str | None = None) -> Iterator[dict | Quarantined | Skipped]:
    """Rows of one exam file (path or tar member `name`), one Quarantined per unreadable record, or a
    single Skipped/Quarantined for the whole file. `fmt` overrides detection."""
    if fmt is not None and fmt not in _MODULES:
        raise UsageError(f"unknown exam format {fmt!r}; known: {', '.join(FORMATS)}")
    source = read_source(name, data)
    if not isinstance(source, Source):
        yield source
        return
    fmt = fmt or source_format(source, name)
    if fmt is not None and not source.entries:
        yield Skipped(f"no exam records in {name}")
    elif fmt is not None:
        yield from build(_MODULES[fmt], source.entries, FileInfo.of(name))
    elif source.header is None and not any(isinstance(e, Rec) for e in source.entries):
        # nothing readable: an empty JSON document, or JSON Lines whose every line is broken
        yield from source.entries or [Skipped(f"no exam records in {name}")]
    else:
        yield unrecognised(name, data, source)
