"""Number-shaped PHI: ages over 89, phone/fax numbers, record numbers, emails, URLs and IP addresses.

Shape alone is ambiguous in clinical text (a 10-digit number may be a phone, an MRN or a SNOMED code;
"92" may be an age or a heart rate), so most rules require the cue that names the identifier.
"""
import ipaddress
import re
from typing import Iterable

from .lexicons import DASH, RELATIVES
from .rules import Rule, lead, words_alternation

# --- AGE: only ages over 89 are identifiers ------------------------------------------------------
_PEOPLE = sorted(RELATIVES | {"man", "woman", "gentleman", "lady", "he", "she", "patient", "pt", "who"})
_STATED_BY = re.compile(
    rf"\b(?i:(?:{words_alternation(_PEOPLE)})(?:,?\s+(?:is|was))?,?\s+(?:now\s+)?|(?:is|was),?\s+now\s+"
    r"|turned\s+|turns\s+|turning\s+)$")
_OVER_89 = r"(?:9\d|1[0-2]\d)"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_NINETY_WORDS = rf"(?i:ninety(?:[\s\-](?:{_UNITS}))?|one\s+hundred(?:\s+and)?(?:[\s\-](?:{_UNITS}|ten))?)"
_AGE_LEAD = "(?=[19NnOo])"      # what an age over 89 starts with: 9x, 1xx, "ninety", "one hundred"
_D = f"[{DASH}]"
_YEARS_OLD = (rf"(?=\s*{_D}?\s*(?i:years?|yrs?|yr\.|y)\s*{_D}?\s*(?i:old|o\b)|\s*{_D}?\s*(?i:y\.?\s?o\.?|y/o|yo)\b"
              rf"|\s+(?i:years?|yrs?)\s+of\s+age)")
AGE_RULES = [
    Rule("age.years_old", re.compile(rf"(?<![\d.,/]){_OVER_89}(?!\d|\.\d){_YEARS_OLD}"), 0.9),
    Rule("age.words", re.compile(rf"\b{_NINETY_WORDS}{_YEARS_OLD}"), 0.9),
    Rule("age.cued", re.compile(
        rf"{lead(['age', 'at'])}\b(?i:aged?|age\s*(?:is|of|at|:|=)?|at\s+the\s+age\s+of)\s*:?\s*"
        rf"(?P<phi>{_OVER_89}|{_NINETY_WORDS})(?!\d|\.\d)"), 0.9),
    # "she is 93", "Her mother, now 96,", "She turned ninety last month".
    # Found from the number back to the cue: ages over 89 are rarer than "she" or "mother".
    Rule("age.stated", re.compile(
        rf"{_AGE_LEAD}(?<![\d.,/])(?:{_OVER_89}|\b{_NINETY_WORDS})\b"
        rf"(?!\s*(?:%|/|\.\d|(?i:mg|kg|lbs?|bpm|beats|percent|degrees|cm|mm|mmhg)\b))"), 0.8,
         extract=lambda text, m: [m.span()] if _STATED_BY.search(text, max(0, m.start() - 40), m.start()) else []),
    # "(100 yrs)": nobody has done anything for ninety years, so 90+ years is an age.
    Rule("age.years", re.compile(
        rf"{_AGE_LEAD}(?<![\d.,/])(?P<phi>{_OVER_89}|{_NINETY_WORDS})(?!\d|\.\d)(?=\s*(?i:years?|yrs?)\b)"), 0.75),
    # "92M", "93 F" in a one-line summary; not "Temp 98F".
    Rule("age.sex", re.compile(
        rf"(?<![\d.,/])(?<!(?i:temp) )(?<!(?i:temp): )(?<!T )(?P<phi>{_OVER_89})\s?(?:M|F|yo[mf]?)\b(?!\s*°)"), 0.8),
]

# --- PHONE ---------------------------------------------------------------------------------------
# Phone numbers are written on one line: separators are blanks, dots and dashes, never newlines.
_EXT = r"(?:[ \t]*(?:,[ \t]*)?(?i:ext\.?|extension|x)[ \t]*\d{1,5})?"
_PHONE_WORDS = ("tel telephone ph phone mob mobile cell cellular cellphone fax pager beeper bleep contact call "
                "called reach reached whatsapp text home work office direct landline alt alternate daytime evening "
                "number voicemail line sms").split()
_PHONE_CUE = re.compile(
    rf"(?i:\b(?:{words_alternation(_PHONE_WORDS)})(?:[ \t]+(?:no|number|details|me|him|her|them|us|phone|tel))?\b\.?"
    r"[ \t]*(?:(?:no\.?|number|#|is|at|on|:)[ \t]*)*)$")
PHONE_RULES = [
    Rule("phone.us", re.compile(
        rf"(?<![\w/.\-+])(?:\+?1[ \t.\-]?)?(?:\(\d{{3}}\)[ \t]?|\d{{3}}[ \t.\-])\d{{3}}[ \t.\-]\d{{4}}"
        rf"(?![\w\-]|\.\d){_EXT}"), 0.85),
    Rule("phone.international", re.compile(
        rf"(?<![\w+])\+\d{{1,3}}(?:[ \t.\-]?\(?\d{{1,4}}\)?){{2,5}}(?![\w\-]){_EXT}"), 0.85,
        extract=lambda text, m: [m.span()] if 8 <= _digits(m.group()) <= 18 else []),
    # Found from the digits back to the cue ("Best number is 7788064849"): digit runs are rarer than words.
    Rule("phone.cued", re.compile(rf"(?<![\w+(.\-])\+?\(?\d[\d() \t.\-]{{5,18}}\d(?![\w\-]){_EXT}"), 0.9,
         extract=lambda text, m: [m.span()] if 7 <= _digits(m.group()) <= 18 and _PHONE_CUE.search(
             text, max(0, m.start() - 40), m.start()) else []),
]


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)

# --- ID --------------------------------------------------------------------------------------------
_NO = r"(?:\s*(?:number|no\.?|num|#|id|code))"
# Labels that name an identifier on their own ("MRN 1234567") ...
_STRONG_LABELS = (
    r"mrn|mr\s*#|mr\s+(?:no\.?|number)|medical\s+record(?:\s+(?:number|no\.?|#))?"
    r"|med\s+rec(?:ord)?(?:\s*(?:no\.?|#))?|acct(?:\s*(?:no\.?|#))?|patient\s+(?:id|identifier)|pt\s+id"
    r"|member(?:ship)?(?:\s+(?:id|number|no\.?|#))?|subscriber(?:\s+(?:id|number|no\.?))?"
    r"|chart(?:\s+(?:number|no\.?|#))?|lic\.?|licen[cs]e\s+(?:number|no\.?|#)"
    r"|(?:state|medical|nursing|professional|board)\s+licen[cs]e"
    r"|policy(?:\s+(?:number|no\.?|#|id))?|dea(?:\s+(?:number|no\.?|#))?|npi(?:\s+(?:number|no\.?|#))?"
    r"|ssn|social\s+security(?:\s+(?:number|no\.?|#))?|ss\s*#|accession(?:\s+(?:number|no\.?|#))?|acc\s*#"
    r"|specimen(?:\s+(?:id|number|no\.?|#))?|serial(?:\s+(?:number|no\.?|#))?|s/n|lot\s+(?:number|no\.?|#)"
    r"|driver'?s\s+licen[cs]e(?:\s+(?:number|no\.?|#))?|licen[cs]e\s+plate|vehicle\s+identification\s+number")
# ... and words that do only with "number", "no.", "#" or "ID" after them ("hospital number 123").
_WEAK_LABELS = (
    r"record|hospital|unit|patient|account|health\s+plan(?:\s+beneficiary)?|beneficiary|insurance|group|medicaid"
    r"|medicare|claim|licen[cs]e|nhs|passport|certificate|sample|lab|requisition|order|device|model|case"
    r"|encounter|visit|badge|employee|biometric|chart|billing|registration|enrollment|enrolment|path|pathology")
_ID_LABELS = (rf"(?i:(?:{_STRONG_LABELS}|(?:{_WEAK_LABELS})(?:{_NO}|(?=\s*:)))(?:\s+on\s+(?:file|record))?)"
              r"|\b(?:ID|Lot|SN|DL|UPIN|UDI|IMEI|VIN|TIN|EIN|FIN|CSN|CHI)\b"
              # "Insurance: Blue Cross, member 0900..." / "Insurance: Medicare, KQ-531222-24": payer, then the ID
              r"|(?i:insurance|insurer|payer|coverage|carrier)\s*:?\s*(?:[A-Za-z][\w&.'\-]*[ \t]*){1,4},?[ \t]*"
              r"(?:(?i:member|id|no\.?|#|policy)[ \t#:]*)?")
# An identifier: letters, digits and inner separators with at least three digits ("A12-3456", "BS1234563").
_ID_VALUE = (r"\d{3}[ \-]\d{2,3}[ \-]\d{4}"
             r"|(?=(?:[A-Za-z\-/.]*\d){3})[A-Za-z0-9](?:[A-Za-z0-9]|[\-/.](?=[A-Za-z0-9])){2,29}")
_LABEL_BEFORE = re.compile(
    rf"(?<![\w])(?:{_ID_LABELS})\s*(?:(?i:is|was|of|number|no\.?)\s*)?[:#=]?\s*(?:(?i:is|number|no\.?)\s+)?$")


def _labelled(text: str, m: re.Match) -> Iterable[tuple[int, int]]:
    """An identifier-shaped value is an ID when a label stands right before it ("MRN: 1234567")."""
    return [m.span()] if _LABEL_BEFORE.search(text, max(0, m.start() - 60), m.start()) else []


ID_RULES = [
    # Values are rarer than words, so the rule finds values first and then looks back for the label.
    Rule("id.labelled", re.compile(rf"(?<![\w\-/.])(?=[A-Za-z0-9])(?:{_ID_VALUE})(?![\w])"), 0.95, _labelled),
    Rule("id.ssn", re.compile(r"(?<![\w\-])\d{3}-\d{2}-\d{4}(?![\w\-])"), 0.9),
    Rule("id.dea", re.compile(r"(?<![\w])[ABCDEFGHJKLMNPRSTUX][A-Z]\d{7}(?!\w)"), 0.8,
         extract=lambda text, m: [m.span()] if _dea_checksum(m.group()) else []),
]


def _dea_checksum(dea: str) -> bool:
    digits = [int(c) for c in dea[2:]]
    total = digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])
    return total % 10 == digits[6]


# --- EMAIL, URL, IP ---------------------------------------------------------------------------------
EMAIL_RULES = [
    Rule("email", re.compile(
        r"(?<![\w.+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"), 0.95),
]

# Lowercase only: "normal.In addition" is a missing space, not a domain.
_GENERIC_TLDS = ("com", "org", "net", "edu", "gov", "io", "info", "health", "biz")
_TLD = rf"(?i:{'|'.join(_GENERIC_TLDS)}|[a-z]{{2}})"
_URL_TAIL = r"(?:[/?#][^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?])?"
URL_RULES = [
    Rule("url.scheme", re.compile(r"(?i:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?]"), 0.95),
    Rule("url.domain", re.compile(
        rf"(?<![\w@.\-/])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+{_TLD}(?![\w@\-]|\.\w){_URL_TAIL}"), 0.8,
        extract=lambda text, m: [m.span()] if _looks_like_domain(m.group()) else []),
]


def _looks_like_domain(candidate: str) -> bool:
    """"clinic.org", "hcmc.us/login", "MERCY-HOSPITAL.COM" are addresses; "b.i.d", "e.g", "Dr.co" and a
    missing space ("normal.In addition", "pain.No") are not. A country code needs a path to count."""
    host, _, path = candidate.partition("/")
    labels = host.split(".")
    letters = "".join(c for c in host if c.isalpha())
    if not (letters.islower() or letters.isupper()):
        return False
    if labels[-1].lower() not in _GENERIC_TLDS and not path:
        return False
    return len(labels[0]) > 2 or (len(labels) > 2 and len(labels[-2]) > 2)


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IP_RULES = [
    Rule("ip.v4", re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)"), 0.9),
    Rule("ip.v6", re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:\.\d{1,3}){0,3}(?![\w:])"),
         0.9, extract=lambda text, m: [m.span()] if _is_ipv6(m.group()) else []),
]


def _is_ipv6(candidate: str) -> bool:
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True
