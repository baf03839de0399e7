"""What the words of a person's name look like, and reading a name that a cue announces.

Shared by the name rules (names.py), the spaCy PERSON checks and the spreading of names in a note.
"""
import re
from dataclasses import dataclass
from typing import Optional

from spacy.lang.en.stop_words import STOP_WORDS

from . import gazetteer
from .lexicons import (
    CLINICAL_ENDINGS,
    COMMON_WORD_NAMES,
    DRUG_ENDINGS,
    EPONYM_NOUNS,
    EPONYMS,
    NOT_NAMES,
    TITLES,
)
from .rules import local_case, words_alternation

_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
CAP = rf"(?:[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?|[{_UP}]['’][{_UP}][{_LO}]+)(?:['’\-][{_UP}]?[{_LO}]+)*"
UPPER = rf"(?:[{_UP}]+(?:['’\-][{_UP}]+)+|[{_UP}]{{2,}})"
LOWER = rf"[{_LO}]{{2,}}(?:['’\-][{_LO}]+)*"
INITIAL = rf"[{_UP}]\."
WORD = rf"(?:{CAP}|{UPPER}|{LOWER})"
# "Van der Berg", "de la Cruz", "bin Said": lowercase inside a name, never a name alone.
PARTICLES = frozenset("van von der den de del della di da du la le dos das bin ibn al el ter ten".split())
_TOKEN = re.compile(
    rf"[ \t]?(?:(?P<initial>{INITIAL}|[{_UP}](?=[ \t]+[{_UP}][{_LO}])|[{_LO}]\.(?=[ \t]+[{_LO}]{{2}}))"
    rf"|(?P<particle>(?i:{'|'.join(sorted(PARTICLES))}))(?=[ \t]+[{_UP}{_LO}])"
    rf"|(?P<cap>{CAP})|(?P<upper>{UPPER})|(?P<low>{LOWER}))(?![\w])")
_POSSESSIVE = re.compile(r"['’]s$")
_CREDENTIAL_NEXT = re.compile(r"[ \t]*,?[ \t]*(?:md|m\.d\.|do|rn|np|pa-c|phd|mbbs|dds)\b")
_CONTRACTION = re.compile(r"(?i:['’](?:re|ve|ll|d|m|t)|n['’]t)$")
_EPONYM_NEXT = re.compile(
    rf"(?:['’]s?)?[ \t]+(?i:(?:{words_alternation(EPONYM_NOUNS)})(?:e?s)?|lamp"
    rf"|\w+(?:{'|'.join(CLINICAL_ENDINGS)}|pexy|rrhaphy)s?)\b")


def plain(word: str) -> str:
    """Lowercase, without a possessive "'s"."""
    return _POSSESSIVE.sub("", word).lower()


def strip_possessive(text: str, start: int, end: int) -> int:
    """`end` moved before a trailing "'s"."""
    possessive = _POSSESSIVE.search(text, start, end)
    return end - len(possessive.group()) if possessive else end


def never_name(word: str, capitalised: Optional[bool] = None) -> bool:
    """Role words, field labels, interjections, contractions; stop words unless written as a known
    name ("Will" in "Dr. Will Smith"; `capitalised` says how a word on a line in one case counts)."""
    low = plain(word)
    if low in NOT_NAMES or low in TITLES or _CONTRACTION.search(word):
        return True
    capitalised = word[:1].isupper() if capitalised is None else capitalised
    return low in STOP_WORDS and not (capitalised and gazetteer.is_name(word))


def clinical_word(word: str) -> bool:
    """A drug (most end like "amlodipine"), an eponym or a clinical term ("Dementia", "Catheter")."""
    low = plain(word)
    return low in EPONYMS or low in EPONYM_NOUNS or low.endswith(DRUG_ENDINGS + CLINICAL_ENDINGS)


def is_eponym_use(text: str, end: int) -> bool:
    """The word ending at `end` names a disease, sign or instrument ("Hodgkin lymphoma", "Bell's palsy")."""
    return bool(_EPONYM_NEXT.match(text, end))


@dataclass(frozen=True)
class Cue:
    """How much the words before a candidate vouch for it being a name."""
    strong: bool               # capitalised words need not be known names ("Dr. Okafor", "Patient: Jane Roe")
    eponyms_ok: bool = False   # "Dr. Parkinson" is a person; "Um, Bell's palsy" is not
    free_lower: bool = False   # "dr. flores" in dictation: the lowercase word after the title is the name
    upper: bool = False        # "PATIENT: JANE ROE"
    known_only: bool = False   # the first word must be a gazetteer name ("Um, Palpitations means...")
    label: bool = False        # a field label: in an all-lowercase note, "patient: wei baptiste"


LABEL = Cue(strong=True, eponyms_ok=True, upper=True, label=True)
BY = Cue(strong=True, upper=True, label=True)
WEAK = Cue(strong=False, upper=True)
KNOWN = Cue(strong=False, known_only=True)


def _kind(text: str, pos: int, kind: str, cue: Cue) -> str:
    """A word's kind as the note's casing makes it: in a note in capitals "JANE" is written like "Jane";
    in an all-lowercase note a labelled field ("patient: wei baptiste") is too."""
    if kind == "upper" and local_case(text, pos) == "upper":
        return "cap"
    if kind == "low" and cue.label and local_case(text, pos) == "lower":
        return "cap"
    return kind


def _known_next(text: str, pos: int) -> bool:
    """The next word is a known name ("Interpreter Søren Rose"); in lowercase one that is no everyday
    word ("her daughter, thanh kowalski", not "discussed incl red flags")."""
    m = _TOKEN.match(text, pos)
    if m is None or m.lastgroup not in ("cap", "low"):
        return False
    word = m.group(m.lastgroup)
    return gazetteer.is_name(word) if m.lastgroup == "cap" else gazetteer.is_distinctive_name(word)


def _word_ok(text: str, m: re.Match, kind: str, cue: Cue, spans: list) -> bool:
    word = m.group(kind)
    if kind == "initial":
        return bool(spans) or cue.strong
    if kind == "particle":
        return True
    recased = _kind(text, m.start(kind), kind, cue)
    if recased != kind and spans and not gazetteer.is_name(word) and (
            plain(word) in COMMON_WORD_NAMES or (plain(word).endswith("ed") and len(word) > 4)):
        return False    # "DR. HUNTER REVIEWED": past the first word, a line in one case takes no verbs
    kind = recased
    as_capitalised = kind == "cap" or (kind == "low" and not spans and cue.free_lower)     # "mr. may"
    if never_name(word, as_capitalised) or (kind != "low" and spans and spans[0][2] == "low"):
        return False
    low = plain(word)
    if kind == "cap":
        known = gazetteer.is_name(word)
        first = not spans
        after_given = bool(spans) and spans[-1][2] == "cap"            # "Katarzyna Addison", "Søren Bell"
        eponym_ok = cue.eponyms_ok or after_given
        unknown_ok = low not in COMMON_WORD_NAMES and not (cue.known_only and first and not _known_next(text, m.end()))
        return (cue.strong or known or unknown_ok) and (eponym_ok or low not in EPONYMS) and (
            known or not clinical_word(word) or eponym_ok)
    if kind == "upper":
        return cue.upper and (gazetteer.is_name(word) if cue.strong else gazetteer.is_distinctive_name(word))
    if not spans:       # "Doctor said that ...": a lowercase word needs a name that is no everyday word
        return cue.free_lower or gazetteer.is_distinctive_name(word) or (
            low not in COMMON_WORD_NAMES and not clinical_word(word) and not low.endswith(("ed", "ing", "ly", "s"))
            and _known_next(text, m.end()))
    return spans[0][2] == "low" and lowercase_surname(text, m.start(kind), m.end(kind))


def read_name(text: str, pos: int, cue: Cue, limit: int = 5) -> Optional[tuple[int, int]]:
    """The name starting at `pos`, if the words there can be one.

    Without a strong cue (greetings, relatives) a capitalised word must be a known name or not an
    everyday word; lowercase words (dictated dialogue) need the gazetteer, except after "dr."/"mr.".
    Words separated by two spaces are columns, not one name.
    """
    spans: list[tuple[int, int, str]] = []
    cursor = pos
    while len(spans) < limit:
        m = _TOKEN.match(text, cursor)
        if m is None or not _word_ok(text, m, m.lastgroup, cue, spans):
            break
        spans.append((m.start(m.lastgroup), m.end(m.lastgroup), _kind(text, m.start(), m.lastgroup, cue)))
        cursor = m.end()
        if _POSSESSIVE.search(m.group()) or is_eponym_use(text, cursor):
            break
    while spans and (spans[-1][2] == "particle" or (spans[-1][2] == "initial" and len(spans) > 1 and not cue.strong)):
        spans.pop()
    if not spans or all(kind in ("initial", "particle") for _, _, kind in spans):
        return None
    start = spans[0][0]
    end = strip_possessive(text, start, spans[-1][1])
    if not cue.eponyms_ok and is_eponym_use(text, end):
        return None
    return start, end


def lowercase_surname(text: str, start: int, end: int) -> bool:
    """In dictation, a surname after a given name: "christina cooper"; an everyday word only where the
    name ends the phrase ("pamela cook ." but not "andrew long time no see")."""
    word = text[start:end]
    if never_name(word):
        return False
    if not gazetteer.is_last_name(word):     # an unknown surname only before a credential: "esperanza baptiste, md"
        return not clinical_word(word) and _CREDENTIAL_NEXT.match(text, end) is not None
    return plain(word) not in COMMON_WORD_NAMES or re.match(r"[ \t]*(?:[.,?!;]|$)", text[end:end + 3]) is not None
