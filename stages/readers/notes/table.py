"""Delimited tables (CSV/TSV note exports) read record by record, so one bad record costs one row, not the file.

Note exports are written by many tools: pandas (unnamed index column), Excel (UTF-16 with a BOM, tabs),
MIMIC-style NOTEEVENTS dumps. They are also often cut short or carry a stray byte in a foreign encoding.
Everything here reports such damage per record as `Quarantined(row=i)` and keeps reading.
"""
import codecs
import csv
import io
import re
from collections.abc import Iterator

from medcurate.records import Quarantined
from medcurate.text import decode

# Notes are long; the csv default limit (128 KiB per field) would turn a long discharge summary into an error.
# The limit is process-wide, raising it is harmless for every other csv user.
csv.field_size_limit(2**31 - 1)

_DELIMITERS = ",\t;|"
_COLUMN_NAME = re.compile(r"\w[\w .#()/:-]{0,63}")
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def decode_lenient(data: bytes) -> str:
    """Text of `data`: UTF-16 if it says so by BOM, else UTF-8 with bytes that are not UTF-8 kept as surrogates.

    The surrogates let a caller quarantine only the records that contain them (see `undecodable`).
    Raises UnicodeDecodeError only for a broken UTF-16 file, which has no per-record recovery.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return decode(data)
    except UnicodeDecodeError:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="surrogateescape")


def undecodable(*texts: str) -> str | None:
    """A reason naming the first byte that was not UTF-8 in `texts`, or None when all decoded cleanly."""
    for text in texts:
        if m := _UNDECODABLE.search(text):
            return f"undecodable byte 0x{ord(m.group()) - 0xDC00:02x} (not UTF-8)"
    return None


def sniff_delimiter(text: str, known: set[str]) -> str | None:
    """The delimiter when `text` starts with a table header, else None (the text is prose).

    The delimiter is the candidate most frequent in the first line. The line is a header when every name
    looks like a column name (one may be empty: the pandas index) and either a name is in `known`
    (lower-cased) or the next record has as many fields: prose lines rarely pass both tests.
    """
    first = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first.count)
    if first.count(delimiter) == 0:
        return None
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [name.strip() for name in next(records)]
    if sum(not n for n in names) > 1 or not all(_COLUMN_NAME.fullmatch(n) for n in names if n):
        return None
    if known & {n.lower() for n in names}:
        return delimiter
    second = next(records, None)
    return delimiter if second is None or len(second) == len(names) else None


def read_table(text: str, delimiter: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]] | Quarantined]]:
    """Header names (stripped, duplicates suffixed ".1", ".2" like pandas) and an iterator over data records.

    Each non-blank record comes out as `(i, {column: value})` or `Quarantined(row=i)`, i counting data records
    from 0: a record with undecodable bytes, a record with the wrong number of fields, and a last record cut
    off inside a quoted field (a truncated download or copy) are quarantined.
    """
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, delimiter=delimiter)
    header = _unique([name.strip() for name in next(reader)])
    return header, _records(reader, lines, header, delimiter)


def _records(reader, lines: list[str], header: list[str], delimiter: str):
    pending = None                 # (index, fields, first line) of the previous record: only the last can be cut off
    start, i = reader.line_num, 0
    for fields in reader:
        if fields:
            if pending:
                yield _checked(*pending[:2], header, truncated=False)
            pending = (i, fields, start)
            i += 1
        start = reader.line_num
    if pending:
        i, fields, first = pending
        yield _checked(i, fields, header, truncated=_ends_in_quotes(lines[first:], delimiter))


def _checked(i: int, fields: list[str], header: list[str], truncated: bool):
    if truncated:
        return Quarantined("truncated record: unterminated quoted field at end of file", row=i)
    if len(fields) != len(header):
        return Quarantined(f"expected {len(header)} fields, got {len(fields)}", row=i)
    if reason := undecodable(*fields):
        return Quarantined(reason, row=i)
    return i, dict(zip(header, fields))


def _ends_in_quotes(lines: list[str], delimiter: str) -> bool:
    """Whether these lines end inside a quoted field; the lenient reader would silently close it."""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as err:
        return "end of data" in str(err)
    return False


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(f"{name}.{n}" if n else name)
    return out
