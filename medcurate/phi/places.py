"""Geographic PHI below state level: street addresses, PO boxes, cities, ZIP/postcodes and facility names.

Safe Harbor lets states and countries stay, so "moved from Ohio" is kept while "lives in Dayton, Ohio
45402" loses the city and the ZIP (the state between them stays).
"""
import re
from functools import lru_cache
from typing import Iterable, Optional

from spacy.lang.en.stop_words import STOP_WORDS

from . import gazetteer
from .lexicons import (
    CLINICAL_ENDINGS,
    COMMON_WORD_NAMES,
    DRUG_ENDINGS,
    EPONYMS,
    FACILITY_HEADS,
    GENERIC_FACILITY_WORDS,
    HEALTH_SYSTEMS,
    NOT_NAMES,
    NOT_PLACES,
    STREET_SUFFIXES,
)
from .rules import Rule, lead, local_case, words_alternation

Spans = Iterable[tuple[int, int]]
_SP = r"[ \t]"    # an address line does not run across lines
# A dot only after a short abbreviation ("N.", "St.", "Jr."): "held for 10 days. Dr. Ivanova" is no address.
_STREET_NAME = r"(?:\d{1,3}(?:st|nd|rd|th)|[A-Za-z]{1,3}\.|[A-Za-z][A-Za-z'’\-]*)"
_SUFFIX = rf"(?i:{words_alternation(STREET_SUFFIXES)})\b\.?"
_DIRECTION = rf"(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?{_SP}+)"
_UNIT = rf"(?:,?{_SP}+(?i:apt|apartment|suite|ste|unit|flat|fl|floor|room|rm|#)\.?{_SP}*#?{_SP}*[A-Za-z0-9\-]{{1,6}}\b)"
_ZIP = r"\d{5}(?:-\d{4})?"
# Town names: capitalised words, or any words in a note written all in one case.
_CITY_PREFIX = rf"(?i:(?:St\.?|Saint|Fort|Ft\.?|Mount|Mt\.?){_SP}+)?"
_CITY = {"mixed": rf"{_CITY_PREFIX}[A-Z][a-z][A-Za-z'’]*(?:(?:{_SP}|-)[A-Z][a-z][A-Za-z'’]*){{0,2}}",
         "caseless": rf"{_CITY_PREFIX}[A-Za-z][A-Za-z'’]+(?:(?:{_SP}|-)[A-Za-z][A-Za-z'’]+){{0,2}}"}
_WORDS = {"mixed": r"[A-Z][A-Za-z'’&\-]*", "caseless": r"[A-Za-z][A-Za-z'’&\-]*"}
# On a line in one case, a facility name must start a line or follow a word that introduces a place.
_CASELESS_FACILITY_CUE = re.compile(r"(?:^|\n|[-–:|,]|\b(?i:at|to|from|in|cc))[ \t]*$")
_TOWN_BEFORE = {case: re.compile(rf"(?<![\w'’\-]){town}$") for case, town in _CITY.items()}
_FACILITY_NAME = {case: re.compile(
    rf"\b(?:(?i:St\.?|Saint){_SP}+)?{word}(?:{_SP}+(?:(?i:of){_SP}+(?:(?i:the){_SP}+)?|(?i:and){_SP}+|&{_SP}+)?{word})"
    rf"{{0,4}}{_SP}+$") for case, word in _WORDS.items()}
_TOWN_AFTER = {"mixed": re.compile(rf"(?:,|{_SP}+in){_SP}+(?P<city>{_CITY['mixed']})\b"),
               "lower": re.compile(rf"(?:,|{_SP}+in){_SP}+(?P<city>{_CITY['caseless']})\b"),
               "upper": re.compile(rf"(?:,|{_SP}+IN){_SP}+(?P<city>{_CITY['caseless']})\b")}
_CASES = {"mixed": ("mixed",), "caseless": ("lower", "upper")}
# Postal codes of states that are also common clinical abbreviations need a ZIP to count as a state.
_AMBIGUOUS_STATE_CODES = frozenset(
    "md pa do ms ma me or in ok hi id co de al la mo ga va mt ct ne ar sc dc mi nv nd sd nc ut vt ri".split())
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}"

_DIRECTION_WORDS = re.compile(r"^(?:(?:eastern|western|northern|southern|central|upstate|downstate)\s+)+")
_LOCATIVE = re.compile(
    r"(?i:\b(?:in|from|to|at|near|around|outside|visit(?:ed|ing)?|travel(?:l?ed)?|born|live[sd]?|living|"
    r"moved|returned|resident|native|grew\s+up)\s+(?:the\s+)?)$")
# Before an organisation, words that make it a place of care: "transferred from X", "referred to X".
_CARE_PLACE_CUE = re.compile(
    r"(?i:\b(?:transferred|admitted|referred|discharged|seen|treated|followed|air[ \-]?lifted|sent|transported|"
    r"residing|resides|lives|living|clinic|appointment)\b[^\n.;]{0,30}?\b(?:to|from|at|in)\s+(?:the\s+)?)$")
# Descriptive words of departments: "Pulmonary Clinic", "Maintenance Clinic", "Thoracic Surgery".
_SPECIALTY_ENDINGS = ("ology", "ologic", "ological", "iatric", "iatrics", "ics", "ery", "pathy", "ary", "ance",
                      "ence", "ive")
_MOVED_WORDS = "moved relocated lives living resides residing born raised grew is comes originally visiting".split()
# "take 3 times a week at court" is not an address.
_NOT_STREET_WORDS = frozenset("a an the at to in on of for and or with by from my his her their your our every "
                              "each per times".split())
_HEADS = words_alternation(FACILITY_HEADS)
_FACILITY_HEAD = re.compile(rf"(?i:\b(?:{_HEADS})\b)")


@lru_cache(maxsize=1)
def _state_names() -> str:
    return words_alternation(s for s in gazetteer.places()[0] if len(s) > 2)


@lru_cache(maxsize=1)
def _state_codes() -> str:
    return "|".join(sorted(s.upper() for s in gazetteer.places()[0] if len(s) == 2))


@lru_cache(maxsize=1)
def _after_place() -> re.Pattern:
    """", OH" or ", Ohio" after a name makes it a city."""
    return re.compile(rf"\s*,\s*(?:{_state_codes()}|(?i:{_state_names()}))\b")


def _is_state(text: str) -> bool:
    return text.lower().rstrip(".") in gazetteer.places()[0]


def _cased_like_place(text: str, pos: int, words: Iterable[str]) -> bool:
    """Place words are capitalised, except on a line written all in one case."""
    return local_case(text, pos) != "mixed" or all(w[:1].isupper() or w[:1].isdigit() for w in words)


def _street(text: str, m: re.Match) -> Spans:
    """"4500 N. Main St., Apt 3B, Springfield, IL 62704": street, city and ZIP; the state stays."""
    name_words = m["names"].split()
    if not _cased_like_place(text, m.start(), name_words) or any(w.lower() in _NOT_STREET_WORDS for w in name_words):
        return []
    spans = [m.span("street")]
    city = m["city"]
    if city and _cased_like_place(text, m.start("city"), city.split()) and not _is_state(city) and is_place_name(
            city, before_state=bool(m["zip"])):
        spans.append(m.span("city"))
    if m["zip"]:
        spans.append(m.span("zip"))
    return spans


def _town_before(text: str, pos: int) -> Optional[tuple[int, int]]:
    """The town name that ends at `pos` (capitalised words, or any words on a line in one case)."""
    case = "mixed" if local_case(text, pos) == "mixed" else "caseless"
    m = _TOWN_BEFORE[case].search(text, max(0, pos - 50), pos)
    if m is None:
        return None
    words = list(re.finditer(r"\S+", m.group()))
    while words and words[0].group().lower() in STOP_WORDS:
        words.pop(0)
    return (m.start() + words[0].start(), m.end()) if words else None


def _city_state(text: str, m: re.Match) -> Spans:
    """"Springfield, IL 62704": the city and the ZIP are PHI, the state is not. Found from the state
    back, as states are rarer than capitalised words."""
    state, zip_code = m["state"], m["zip"]
    town = _town_before(text, m.start())
    if town is None or (len(state) == 2 and not state.isupper() and local_case(text, m.start()) == "mixed"):
        return []
    city = text[town[0]:town[1]]
    if len(state) == 2 and state.lower() in _AMBIGUOUS_STATE_CODES and not zip_code and not (
            m["end"] and not gazetteer.is_name(city)):
        return []       # "Smith, MD" is a doctor; "Normal, MA." is a town
    if not is_place_name(city, before_state=True):
        return []
    return [town] + ([m.span("zip")] if zip_code else [])


def _city_zip(text: str, m: re.Match) -> Spans:
    """", Salem 94111" on an address line: a town between a comma (or the line start) and a ZIP."""
    town = _town_before(text, m.start())
    if town is None or not re.search(r"(?:^|\n|,)[ \t]*$", text[max(0, town[0] - 5):town[0]]):
        return []
    city = text[town[0]:town[1]]
    ok = is_place_name(city, before_state=True) and not _is_state(city)
    return [town, m.span("zip")] if ok else []


def _is_named_facility(name: str, case: str = "mixed") -> bool:
    """"Mercy Hospital", "Mayo Clinic": a capitalised head and a word that is not merely descriptive
    (not "HIV clinic", "Cardiology Clinic", "Seek urgent care", "INDICATIONS FOR SURGERY"). In a note
    written all in one case only the descriptive-word test is left."""
    head = _FACILITY_HEAD.search(name)
    if head is None or (case == "mixed" and not all(w[0].isupper() and not w.isupper() for w in head.group().split())):
        return False
    return any(_distinctive_facility_word(w, case) for w in re.findall(r"[\w'&.\-]+", name[:head.start()]))


def _distinctive_facility_word(word: str, case: str = "mixed") -> bool:
    """A word that can make a facility's name. Capitalisation says so in ordinary text; on a line in one
    case the word must at least not be an everyday word ("note short clinic", "offered sleep clinic")."""
    low = word.lower()
    if low in GENERIC_FACILITY_WORDS or low in STOP_WORDS or low.endswith(_SPECIALTY_ENDINGS):
        return False
    if case == "mixed":
        return word[0].isupper() and not word.isupper()
    everyday = low in COMMON_WORD_NAMES and not gazetteer.is_first_name(low)       # "hope", "mercy" do name places
    return not (low in NOT_NAMES or everyday or (low.endswith("ed") and len(low) > 4))


def _facility(text: str, m: re.Match) -> Spans:
    """A named facility, found from its head ("Hospital") back to its name; on a line in one case only
    the words after the last stop word can be the name ("REFERRED TO THE WOUND CLINIC" is not one)."""
    case = local_case(text, m.start())
    name = _FACILITY_NAME[case if case == "mixed" else "caseless"].search(text, max(0, m.start() - 80), m.start())
    if name is None:
        return []
    start = name.start()
    inner_head = list(_FACILITY_HEAD.finditer(name.group()))      # "X Hospital and [Mayo] Clinic"
    if inner_head:
        start += inner_head[-1].end()
        start += len(re.match(r"\s*(?:(?i:and|&)\s+)?", text[start:]).group())
    if case != "mixed":
        words = text[start:m.start()]
        stops = [w for w in re.finditer(r"[^\s]+", words) if w.group().lower() in _NOT_STREET_WORDS - {"of", "and"}]
        start += stops[-1].end() if stops else 0
        start += len(text[start:m.start()]) - len(text[start:m.start()].lstrip())
    if not _is_named_facility(text[start:m.end()], case) or (
            case != "mixed" and not _CASELESS_FACILITY_CUE.search(text, max(0, start - 20), start)):
        return []
    town = _TOWN_AFTER[case].match(text, m.end())          # "Mercy Hospital in Springfield"
    if town and is_place_name(town["city"], before_state=True) and not _is_state(town["city"]):
        return [(start, m.end()), town.span("city")]
    return [(start, m.end())]


def _health_system(text: str, m: re.Match) -> Spans:
    """"Kaiser Permanente Fairview": the system's name and the place after it (the longest run of
    words after it that can be a town: "Kaiser Permanente Madison in Madison" stops at "Madison")."""
    end = m.end("system")
    words = list(re.finditer(r"\S+", m["place"] or ""))
    for n in range(len(words), 0, -1):
        place = " ".join(w.group() for w in words[:n])
        cased = _cased_like_place(text, m.start("place"), place.split())
        if cased and is_place_name(place, before_state=True) and not any(
                w.group().lower() in STOP_WORDS for w in words[:n]):
            end = m.start("place") + words[n - 1].end()
            break
    return [(m.start(), end)]


def _moved(text: str, m: re.Match) -> Spans:
    """"She moved from Franklin last year", "is from St. Cloud": a town after a word about living there."""
    city = m["city"]
    descriptive = all(w.lower() in GENERIC_FACILITY_WORDS | STOP_WORDS for w in city.split())   # "assisted living"
    if _cased_like_place(text, m.start("city"), city.split()) and is_place_name(city) and not descriptive:
        return [m.span("city")]
    return []


def build_rules() -> list[Rule]:
    return [rule for case in ("mixed", "caseless") for rule in _cased_rules(case)] + [
        Rule("address.city_state", re.compile(
            rf",{_SP}+(?P<state>\b(?:(?i:{_state_codes()})|(?i:{_state_names()})))\b"
            rf"(?:,?{_SP}+(?P<zip>{_ZIP}))?(?![\w-])"
            rf"(?P<end>\.?{_SP}*(?:$|\n|\.{_SP}+(?=[A-Z])))?", re.M), 0.85, _city_state),
        Rule("address.city_zip", re.compile(rf"{_SP}(?P<zip>{_ZIP})(?![\w-])"), 0.8, _city_zip),
        Rule("address.facility", re.compile(
            rf"{lead(FACILITY_HEADS)}\b(?i:{_HEADS})\b(?:{_SP}+(?i:of){_SP}+[A-Z][A-Za-z]+(?:{_SP}+[A-Z][A-Za-z]+)?)?"),
            0.85, _facility),
        # "i live at 12 harbour street" in a dialogue that is otherwise capitalised
        Rule("address.lives_at", re.compile(
            r"(?i:\b(?:lives?|living|resides?|residing|moved|address(?:\s+is)?|located)\s+(?:at|on|to|:)\s*)"
            rf"(?P<phi>\d{{1,6}}[a-z]?\s+(?:[a-z]+\s+){{0,3}}"
            rf"(?:{words_alternation(s for s in STREET_SUFFIXES if len(s) > 3)})\b)"),
            0.8),
        Rule("address.po_box", re.compile(r"(?i:\bP\.?\s?O\.?\s*Box|\bpost\s+office\s+box)\s+\d+\b"), 0.9),
        Rule("address.zip_cued", re.compile(
            rf"{lead(['zip', 'postcode', 'postal'])}(?i:\bzip(?:\s*code)?|\bpostcode|\bpostal\s+code)\s*[:#]?\s*"
            rf"(?P<phi>{_ZIP}|{_UK_POSTCODE})\b"), 0.9),
        Rule("address.uk_postcode", re.compile(rf"\b{_UK_POSTCODE}\b"), 0.6,
             extract=lambda text, m: [m.span()] if re.search(r"\s", m.group()) else []),
        Rule("address.health_system", re.compile(
            rf"{lead(HEALTH_SYSTEMS)}\b(?P<system>(?i:{words_alternation(HEALTH_SYSTEMS)}))\b"
            rf"(?:{_SP}+(?P<place>{_CITY['caseless']}))?"), 0.85, _health_system),
    ]


def _cased_rules(case: str) -> list[Rule]:
    """The rules whose words are capitalised in an ordinary note and may be any case in a note
    written all in one case ("mercy hospital", "YPSILANTI, AR 08355")."""
    codes = _state_codes() if case == "mixed" else f"(?i:{_state_codes()})"
    state = rf"(?:{codes}|(?i:{_state_names()}))"
    city, cases = _CITY[case], _CASES[case]
    return [
        Rule("address.street", re.compile(
            rf"(?P<street>(?<!#)\b\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?{_SP}+{_DIRECTION}?"
            rf"(?P<names>(?:{_STREET_NAME}{_SP}+){{0,4}}?{_STREET_NAME}){_SP}+{_SUFFIX}"
            rf"(?:{_SP}+(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?{_UNIT}?)"
            rf"(?:,?{_SP}+(?P<city>{city}))?(?:,?{_SP}+{state}\b\.?)?(?:,?{_SP}+(?P<zip>{_ZIP}))?(?![\w-])"),
            0.9, _street, cases),
        Rule("address.moved_from", re.compile(
            rf"{lead(_MOVED_WORDS)}"
            r"\b(?i:(?:moved|relocated)(?:[ \t]+here)?[ \t]+(?:from|to)|(?:lives|living|resides|residing)[ \t]+in"
            r"|born[ \t]+in|raised[ \t]+in|grew[ \t]+up[ \t]+in|is[ \t]+from|comes[ \t]+from|originally[ \t]+from"
            rf"|visiting|visited|returned[ \t]+from){_SP}+(?P<city>{city})\b"), 0.75, _moved, cases),
    ]




def is_place_name(text: str, before_state: bool = False) -> bool:
    """A capitalised place name that is not a state, a country, a payer or a clinical word; before a
    state a country's name is a town ("Lebanon, NH")."""
    low = _DIRECTION_WORDS.sub("", text.lower().strip(" .,"))
    states, countries = gazetteer.places()
    if not low or low in states or (low in countries and not before_state) or low in NOT_PLACES:
        return False
    words = low.split()
    return not any(w in EPONYMS or w in NOT_NAMES or w.endswith(DRUG_ENDINGS + CLINICAL_ENDINGS) for w in words)


def accept_ner_place(text: str, start: int, end: int, label: str) -> Optional[tuple[int, int]]:
    """A spaCy GPE/LOC/FAC that names a place below state level, in a sentence that is about places."""
    name = text[start:end]
    while name and not name[0].isalnum():
        start, name = start + 1, name[1:]
    name = name.rstrip(" .,;:")
    end = start + len(name)
    if len(name) < 3 or not name[0].isupper() or name.isupper() or not is_place_name(name) or any(
            c.isdigit() for c in name):
        return None
    if label == "FAC" and not _FACILITY_HEAD.search(name):
        return None
    if _LOCATIVE.search(text, max(0, start - 40), start) or _after_place().match(text, end):
        return start, end
    return None


def accept_ner_facility(text: str, start: int, end: int) -> Optional[tuple[int, int]]:
    """A spaCy ORG that is a care facility: named with a head ("Mercy Hospital"), or several proper
    words where a patient is sent or comes from ("transferred from Kaiser Permanente Fairview")."""
    lead_in = re.match(r"(?:.*(?:[\-–:|][ \t]|,)[ \t]*)?(?i:the\s+)?", text[start:end])   # "May - Hope Urgent Care"
    start += lead_in.end()
    name = text[start:end].rstrip(" .,;:")
    end = start + len(name)
    if any(c.isdigit() for c in name) or "\n" in name:
        return None
    if _is_named_facility(name, local_case(text, start)):
        return start, end
    words = name.split()
    proper = (len(words) > 1 and all(w[0].isupper() and not w.isupper() for w in words) and is_place_name(name)
              and words[-1].lower() not in GENERIC_FACILITY_WORDS)
    if proper and any(_distinctive_facility_word(w) for w in words) and _CARE_PLACE_CUE.search(
            text, max(0, start - 60), start):
        return start, end
    return None


def propagate(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Other mentions of a detected place's proper words ("Ypsilanti General Hospital" ... "in Ypsilanti")."""
    spans = [(s, e) for s, e in spans if not any(c.isdigit() for c in text[s:e])]   # not street names
    words = {w for s, e in spans for w in re.findall(r"(?:(?:St\.|Saint|Fort|Mount) )?[A-Z][a-z]{3,}(?:-[A-Z][a-z]+)*",
                                                      text[s:e])
             if _distinctive_facility_word(w.split()[-1]) and w.lower() not in STREET_SUFFIXES and is_place_name(w)}
    if not words:
        return []
    taken = sorted(spans)
    pattern = re.compile(rf"(?<![\w\-])(?:{words_alternation(words)})(?![\w\-])")
    return [m.span() for m in pattern.finditer(text) if not any(s <= m.start() < e for s, e in taken)]
