"""Note text cleanup and sectioning into passages whose offsets slice the final document text exactly.

Clinical notes are structured by heading lines ("HISTORY OF PRESENT ILLNESS:", "Assessment and plan:",
"CHIEF COMPLAINT", GP shorthand like "HPC" or "Dx:"). Sections are kept flat ("note/sec[i]") and each passage
includes its heading line, so the passages tile the note and nothing escapes the de-identification that runs
on passage text later.
"""
import re

from medcurate.text import fold_ws

_LINE_BREAKS = re.compile(r"\r\n?|[\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f]")
_BLANK_RUNS = re.compile(r"\n{3,}")

# The Kaggle MTSamples scrape replaced every line break by a comma: "SUBJECTIVE:,  This ...", "...ago.  ,SOCIAL
# HISTORY:,", "2-D ECHOCARDIOGRAM,Multiple views", "Temp: 98.6,The patient". A comma is a lost break when it
# follows sentence or heading punctuation (runs of them: "EXAMINATION: , ,VITAL SIGNS") before a capital, digit,
# list mark or the end, or when it touches the next capitalised word or list number without a space. Prose
# commas are followed by a space, and "1:100,000", "C5,C6" keep theirs.
_SCRAPED_BREAK = re.compile(
    r"(?<=[.:!?])(?:\s*,)+\s*(?=[A-Z0-9(#\"']|$)"
    r"|(?<=[^\d,])\s*,(?=[A-Z])"
    r"|,(?=[A-Z][a-z])"
    r"|(?<=[A-Za-z]),(?=\d)"
)

_PHRASE = r"[A-Z][A-Za-z0-9 /&()'+\-]*?"
_ALONE_WITH_COLON = re.compile(rf"({_PHRASE})\s*:")                       # "Assessment and plan:"
_CAPS_INLINE = re.compile(r"([A-Z][A-Z0-9 /&()'+\-]*[A-Z)])\s*:\s+(?=[^\d\s])")  # "HPI: The patient ..."
_LABEL = re.compile(rf"({_PHRASE})")                                      # "CHIEF COMPLAINT", "HPC", "Sleep"
_MAX_WORDS = 8
_MAX_WORDS_MIXED_CASE = 5     # "History of Present Illness:" yes, "These are the settings on the pacemaker:" no


def normalise(text: str) -> str:
    """Conservative cleanup that keeps the note's layout: unified line breaks, no control characters,
    no trailing spaces, at most one blank line in a row, no blank lines around the note."""
    text = _CONTROLS.sub(" ", _LINE_BREAKS.sub("\n", text))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip()


def restore_scraped_breaks(text: str) -> str:
    """Put back the line breaks the MTSamples scrape flattened into commas (only for text without any)."""
    return text if "\n" in text else _SCRAPED_BREAK.sub("\n", text)


def heading(line: str, after_blank: bool, before_text: bool) -> str | None:
    """The section title if `line` opens a section, else None.

    A heading starts the line and is one of: a short phrase with a colon alone on its line ("Assessment and
    plan:"); an ALL-CAPS phrase with a colon followed by text that does not start with a digit ("HPI: The
    patient", but "BP: 120/80" is a value); an ALL-CAPS line without a colon ("CHIEF COMPLAINT"; a single short
    word like "NKDA" only at the start of a block); a short capitalised label alone at the start of a block
    that continues on the next line (GP shorthand such as "HPC", "Sleep"). Word count and final punctuation
    keep sentences out.
    """
    line = line.rstrip()
    m = _ALONE_WITH_COLON.fullmatch(line) or _CAPS_INLINE.match(line)
    title = _title(m or _LABEL.fullmatch(line))
    if title is None:
        return None
    if title.isupper():
        return title if m or " " in title or len(title) >= 5 or after_blank else None
    if m:
        return title if len(title.split()) <= _MAX_WORDS_MIXED_CASE else None
    return title if after_blank and before_text and len(title.split()) <= 4 and len(title) <= 40 else None


def _title(m: re.Match | None) -> str | None:
    title = fold_ws(m.group(1)) if m else ""
    return title if title and len(title.split()) <= _MAX_WORDS else None


def note_passages(text: str, default_title: str | None = None) -> list[dict]:
    """Passages of kind "note_section", one per section of `text` (a note already `normalise`d).

    Text before the first heading is a section titled `default_title` (the section type a source states in a
    column, e.g. MTS-Dialog's section_header); a note without headings is one passage.
    """
    lines = text.split("\n")
    bounds, pos = [], 0
    for k, line in enumerate(lines):
        after_blank = k == 0 or not lines[k - 1].strip()
        before_text = k + 1 < len(lines) and bool(lines[k + 1].strip())
        if title := heading(line, after_blank, before_text):
            bounds.append((pos, title))
        pos += len(line) + 1
    if not bounds or bounds[0][0] > 0:
        bounds.insert(0, (0, default_title))
    ends = [start for start, _ in bounds[1:]] + [len(text)]
    passages = []
    for (start, title), end in zip(bounds, ends):
        chunk = text[start:end]
        start += len(chunk) - len(chunk.lstrip())
        end = start + len(chunk.strip())
        if end > start:
            passages.append(passage("note_section", f"note/sec[{len(passages)}]", title, text, start, end))
    return passages


def passage(kind: str, section_path: str, section_title: str | None, text: str, start: int, end: int) -> dict:
    """A passage dict holding `text[start:end]` and its offsets."""
    return {"kind": kind, "section_path": section_path, "section_title": section_title,
            "char_start": start, "char_end": end, "text": text[start:end]}
