"""A fast screen for tables that come from outside: does a text look like a clinical note, or carry a direct
identifier? Used at every entrance (imports, `--input PATH`, review exports) and by `medcurate audit phi`.

It runs on every row, so it is regex-only (no NER): the detector's own identifier rules (phone numbers,
record numbers, e-mail addresses), labelled patient fields ("DOB:", "Patient name:"), titled names ("Mr.
Okafor"), and note structure — section headings at line starts, dialogue speaker tags, clinical shorthand,
abbreviated vital signs. One marker of note structure is not enough (exam vignettes and case reports share
some); two kinds of marker, or any direct identifier, are. Categories are reported, never the text.
"""
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .identifiers import EMAIL_RULES, ID_RULES, PHONE_RULES

# What refuses an outside table at the door; the other findings (phone numbers, e-mail addresses, record
# numbers, titled names) also appear in literature (authors, accession numbers) and are reported by the audit.
REFUSED = frozenset({"clinical-note structure", "patient field label"})
IDENTIFIER_RULES = {"phone": PHONE_RULES, "record number": ID_RULES, "email": EMAIL_RULES}

NOTE_HEADINGS = frozenset("""
chief complaint|history of present illness|history of the present illness|hpi|past medical history|pmh
|past surgical history|psh|review of systems|ros|physical exam|physical examination|assessment and plan
|assessment & plan|a/p|impression|disposition|discharge diagnosis|discharge diagnoses|discharge medications
|discharge instructions|discharge summary|discharge condition|admission diagnosis|admission diagnoses
|admitting diagnosis|preoperative diagnosis|postoperative diagnosis|pre-operative diagnosis|post-operative diagnosis
|allergies|allergy|current medications|medications|social history|family history|hospital course
|reason for visit|reason for admission|reason for consultation|reason for referral|vital signs|vitals|heent
|estimated blood loss|anesthesia|operative note|operative report|procedure performed|procedures performed
|history|plan|assessment|diagnosis|diagnoses|follow up|follow-up|findings|recommendations""".replace("\n", "").split("|"))
_HEADING_WORDS = "|".join(re.escape(h).replace(r"\ ", r"[ \t]+") for h in sorted(NOTE_HEADINGS, key=len, reverse=True))
# A heading: at a line start, then ":" or the end of the line; or in capitals anywhere with a ":" (exports fold
# a note's sections into one line).
HEADING = re.compile(rf"(?im:^[ \t]*(?:{_HEADING_WORDS})[ \t]*(?::|-|$))|\b[A-Z][A-Z /&\-]{{1,40}}[A-Z](?=[ \t]*:)")
SPEAKER = re.compile(r"(?im)^[ \t]*(?:\[(?:doctor|patient|nurse|pt|dr|provider|clinician|family|guest_family"
                     r"|guest_clinician)\]|(?:doctor|patient|nurse|dr|pt|provider|clinician|physician)[ \t]*:)")
SOAP = re.compile(r"(?m)(?:^|[.;]\s*)([SOAP])\s*:")
SHORTHAND = re.compile(r"(?i)\b(?:pt|y/?o|c/o|s/p|h/o|w/o|b/l|n/v|prn|q\d+h|qhs|bid|tid|qid|po|npo|nad|afebrile"
                       r"|denies|tolerat(?:ed|ing)|f/u|d/c'?d|pmh|hx|dx|tx|sx|rx)\b")
VITALS = re.compile(r"(?i)\b(?:bp|hr|rr|spo2|o2\s*sat|sats?|temp|t|p)\s*[:=]?\s*\d{2,3}(?:/\d{2,3})?\b")
PATIENT_FIELD = re.compile(r"(?im)\b(?:dob|d\.o\.b\.|date\s+of\s+birth|patient(?:'s)?\s+name|name\s*:|mrn|ssn"
                           r"|admission\s+date|discharge\s+date|date\s+of\s+(?:service|admission|visit))\b\s*[:#]")
TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+[A-Z][a-z'\-]+|\b(?:MR|MRS|MS)\.?[ \t]+[A-Z]{2,}\b")
MIN_HEADINGS = 2          # one "Findings:" or "Plan:" line is ordinary prose in a paper


@dataclass
class Screened:
    """What the screen found in a batch of texts: per row, the categories; in all, the counts."""
    flags: list[list[str]] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return sum(bool(f) for f in self.flags)

    def counts(self) -> Counter:
        return Counter(c for f in self.flags for c in set(f))


def screen_text(text: str | None) -> list[str]:
    """The reasons a text may not enter the store un-de-identified (empty when it looks safe)."""
    if not text:
        return []
    found = [name for name, rules in IDENTIFIER_RULES.items() if any(next(iter(r.spans(text)), None) for r in rules)]
    if PATIENT_FIELD.search(text):
        found.append("patient field label")
    if TITLED_NAME.search(text):
        found.append("titled name")
    if looks_like_note(text):
        found.append("clinical-note structure")
    return found


def looks_like_note(text: str) -> bool:
    """A dialogue between clinician and patient, a note with its section headings or SOAP letters, or
    telegraphic clinical shorthand with vital signs."""
    if len(SPEAKER.findall(text)) >= 2:
        return True
    headings = {_heading(m.group()) for m in HEADING.finditer(text)}
    if len(headings & NOTE_HEADINGS) >= 2 or len({m.group(1) for m in SOAP.finditer(text)}) >= 3:
        return True
    shorthand = {m.group().lower() for m in SHORTHAND.finditer(text)}
    return len(shorthand) >= 3 or (len(shorthand) >= 2 and VITALS.search(text) is not None)


def screen(texts: Iterable[str | None]) -> Screened:
    return Screened([screen_text(t) for t in texts])


def _heading(text: str) -> str:
    return " ".join(text.strip(" \t:-").lower().split())
