"""Clinical date grammar: which date mentions are PHI, and how to shift one while keeping its format.

Safe Harbor removes every date element more specific than the year, so "03/14/2024", "14-Mar-2024",
"March 14th", "12/2019" and "Labor Day" are PHI, while "2019", "3 days", "q8h", "92-year-old", pain
scores ("6/10") and UK duration shorthand ("4/52", "18/12 ago") are not.
"""
import datetime as dt
import re
from typing import Iterable, Optional

from .lexicons import DASH, HOLIDAYS, MONTHS
from .rules import Rule, lead, words_alternation

_D = r"(?:0?[1-9]|[12]\d|3[01])"
_Y4 = r"(?:19|20)\d{2}"
_ORD = r"(?i:st|nd|rd|th)"
_MON = rf"(?i:{words_alternation(MONTHS)})"
_DASH = f"[{DASH}]"
# A time of day is not PHI by itself, but travels with the date it belongs to.
_TIME = (r"(?P<time>(?:,?\s*(?:at\s+)?(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s*(?i:[ap]\.?m\.?))?"
         r"|T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?))?")
_START = r"(?<![\w./\-])"
_END = r"(?![\w/]|[.\-]\d)"

NUMERIC = re.compile(
    rf"{_START}(?P<a>\d{{1,2}})(?P<sep>[/.\-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}}){_END}{_TIME}")
ISO = re.compile(rf"{_START}(?P<y>{_Y4})(?P<sep>[/.\-])(?P<a>\d{{1,2}})(?P=sep)(?P<b>\d{{1,2}}){_END}{_TIME}")
COMPACT = re.compile(rf"{_START}(?P<y>{_Y4})(?P<a>0[1-9]|1[0-2])(?P<b>0[1-9]|[12]\d|3[01]){_END}")   # 20190624
MONTH_YEAR_NUMERIC = re.compile(rf"{_START}(?P<a>0?[1-9]|1[0-2])[/\-](?P<y>{_Y4}){_END}")
# "since 11/94": month and two-digit year, which cannot be a day (32-99; "/52" is UK shorthand for weeks)
MONTH_SHORT_YEAR = re.compile(rf"{_START}(?P<a>0?[1-9]|1[0-2])/(?P<y>3[2-9]|[46-9]\d|5[013-9]){_END}")
DAY_MONTH_NUMERIC = re.compile(rf"{_START}(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}}){_END}")
_SP = r"[ \t]"   # dates do not run across lines
_LEAD_MONTH = lead(MONTHS)
MONTH_DAY = re.compile(
    rf"{_LEAD_MONTH}\b(?P<mon>{_MON})(?P<dot>\.)?(?:{_SP}+(?:the{_SP}+)?|{_DASH})(?P<d>{_D})(?P<ord>{_ORD})?\b"
    rf"(?![.,]\d|{_SP}*(?i:mg|mcg|ml|units?|%|kg|g)\b)"
    rf"(?:(?:,{_SP}*|{_SP}+|{_DASH})(?:of{_SP}+)?(?P<y>{_Y4}|'\d{{2}})\b)?{_TIME}")
DAY_MONTH = re.compile(
    rf"(?<![/\d])\b(?:the{_SP}+)?(?P<d>{_D})(?P<ord>{_ORD})?(?:{_SP}+of)?"
    rf"(?:{_SP}+|{_DASH})(?P<mon>{_MON})(?P<dot>\.)?\b(?:(?:,{_SP}*|{_SP}+|{_DASH})(?P<y>{_Y4}|'?\d{{2}})\b)?{_TIME}")
MONTH_YEAR = re.compile(rf"{_LEAD_MONTH}\b(?P<mon>{_MON})(?P<dot>\.)?,?{_SP}+(?:of{_SP}+)?(?P<y>{_Y4}|'\d{{2}})\b")
# Dictated dates are spelled out: "August thirty first nineteen ninety", "March of two thousand eight".
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_ORDINAL_WORDS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
_SPOKEN_DAY = (rf"(?:(?:twenty|thirty)(?:[ \-](?:{_ORDINAL_WORDS}|{_UNITS})(?![ \-]thousand))?"
               rf"|twentieth|thirtieth|{_ORDINAL_WORDS}|"
               r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
               rf"nineteenth|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|{_UNITS})")
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_SPOKEN_YEAR = (rf"(?:nineteen(?:[ \-]hundred)?(?:[ \-](?:(?:{_TENS})(?:[ \-](?:{_UNITS}))?|ten|eleven|twelve|"
                rf"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
                rf"|o[ \-](?:{_UNITS})|oh[ \-](?:{_UNITS})))"
                rf"|two[ \-]thousand(?:[ \-]and)?(?:[ \-](?:{_UNITS}|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                rf"sixteen|seventeen|eighteen|nineteen|twenty(?:[ \-](?:{_UNITS}))?))?"
                rf"|(?:o|oh)[ \-](?:{_UNITS})|(?:{_TENS})(?:[ \-](?:{_UNITS}))?)")
_SPOKEN = (rf"(?:{_SP}+(?:the{_SP}+)?(?i:{_SPOKEN_DAY})\b)?"
           rf"(?:,?{_SP}+(?:(?i:of){_SP}+)?(?i:{_SPOKEN_YEAR})\b)?")
MONTH_ALONE = re.compile(
    _LEAD_MONTH + r"\b(?P<mon>(?i:january|february|april|june|july|august|september|october|november|december))\b"
    + rf"(?!{_DASH}[A-Za-z]){_SPOKEN}")
# "May" and "March" are also verbs: alone they need a temporal cue.
CUED_MONTH = re.compile(
    lead("in since until till from by early late mid last next through before after during of".split()) +
    r"\b(?i:in|since|until|till|from|by|early|late|mid|last|next|through|before|after|during|of)"
    rf"(?:\s+|{_DASH})(?P<phi>(?P<mon>(?i:may|march))\b(?!{_DASH}[A-Za-z])"
    r"(?!\s+(?i:be|have|has|had|need|not|also|help|cause|take|want|we|you|i|he|she|they|it|or|and)\b)"
    rf"{_SPOKEN})")
HOLIDAY = re.compile(rf"{lead(HOLIDAYS)}\b(?P<hol>(?i:{words_alternation(HOLIDAYS)}))\b")
CUED_ORDINAL = re.compile(
    rf"{lead(['on', 'since', 'from', 'until', 'by', 'before', 'after'])}\b(?i:on|since|from|until|by|before|after)"
    rf"\s+the\s+(?P<phi>(?P<d>{_D})(?P<ord>{_ORD}))\b"
    r"(?!\s+(?!(?i:at|of|and|or)\b)[A-Za-z])")

_AMBIGUOUS_MONTHS = {"may", "mar", "march"}
# Before a bare "3/14": words that make it a date, and weaker ones that do only for unusual numbers.
_DATE_CUE = re.compile(
    r"(?i:\b(?:on|since|dated|seen|admitted|admit|admission|discharged|discharge|performed|done|dos|date|visit|"
    r"starting|started|stopped|ending|dob|d\.o\.b\.?|born|birth|service|transcribed|dictated|signed|given|"
    r"administered|received|encounter|"
    r"(?:scheduled|booked|planned|set)\s+for)\s*:?\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?$)")
_WEEKDAY_BEFORE = re.compile(r"(?i:\b(?:mon|tues|wednes|thurs|fri|satur|sun)day),?[ \t]+$")
_WEAK_DATE_CUE = re.compile(
    r"(?i:\b(?:from|until|till|through|thru|by|of|last|next|appointment|appt|review|due|before|after|"
    r"between|and|to)\s*:?\s*$|[(@]\s*$)")
# "/7", "/12", "/52" are days, months and weeks in UK shorthand; "/10", "/5", "/6" are scores.
_DURATION_OR_SCALE = {3, 4, 5, 6, 7, 8, 10, 12, 24, 52, 60}
# A day of month no duration or score uses: "Signed ... 10/26" is a date without a cue.
_DAY_ONLY = set(range(13, 32)) - _DURATION_OR_SCALE
_SCALE_CUE = re.compile(
    r"(?i:\b(?:pain|strength|power|motor|grade|graded|murmur|score|scale|rated|rates|rating|severity|"
    r"sensation|reflexes|dtrs?|vision|acuity|va|bp|pressure|ratio|fev1|fvc|apgars?|gcs|x)\b[^\n]{0,12}$)")
_SCALE_AFTER = re.compile(
    r"(?i:\s*(?:pain|strength|power|murmur|on\s+the\s+|scale|score|ago|mixture|ratio|dilution|solution)\b)")


def _valid_day_month(a: int, b: int) -> bool:
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


def _numeric_ok(text: str, m: re.Match) -> bool:
    a, b, year = int(m["a"]), int(m["b"]), m["y"]
    if len(year) == 4 and not 1900 <= int(year) <= 2099:
        return False
    if m["sep"] == "." and len(year) != 4 and (len(m["a"]) != 2 or len(m["b"]) != 2):
        return False     # "1.5.20" is a version or a list, not a date
    return _valid_day_month(a, b)


def _month_ok(text: str, m: re.Match) -> bool:
    """"may 2" in lowercase is usually the verb, unless a year, an ordinal or a date cue comes with it."""
    mon = m["mon"]
    if mon.lower() not in _AMBIGUOUS_MONTHS or mon[0].isupper() or m.group("y") or m.group("ord"):
        return True
    if _WEEKDAY_BEFORE.search(text, max(0, m.start() - 12), m.start()):
        return True         # "tuesday, may 23"
    before = text[max(0, m.start() - 40):m.start()]
    return bool(_DATE_CUE.search(before) or _WEAK_DATE_CUE.search(before))


def _with_weekday(text: str, m: re.Match) -> Iterable[tuple[int, int]]:
    """A month-and-day date, with the weekday written before it ("Friday, May 29")."""
    if _month_ok(text, m):
        weekday = _WEEKDAY_BEFORE.search(text, max(0, m.start() - 12), m.start())
        yield (weekday.start() if weekday else m.start()), m.end()


def _no_year_ok(text: str, m: re.Match) -> bool:
    """"03/14" or "seen on 3/14" is a date; "pain 6/10", "5/5 strength" and "4/52" are not."""
    a, b = int(m["a"]), int(m["b"])
    if not _valid_day_month(a, b):
        return False
    before = text[max(0, m.start() - 30):m.start()].split("\n")[-1]
    if _SCALE_CUE.search(before) or _SCALE_AFTER.match(text, m.end()):
        return False
    padded = len(m["a"]) == 2 and len(m["b"]) == 2 and (m["a"][0] == "0" or m["b"][0] == "0")
    if padded or _DATE_CUE.search(before) or (a <= 12 and b in _DAY_ONLY):
        return True     # nobody writes a score as "10/05" or "10/26"
    return bool(_WEAK_DATE_CUE.search(before)) and b not in _DURATION_OR_SCALE


def _iso_ok(text: str, m: re.Match) -> bool:
    return 1 <= int(m["a"]) <= 12 and 1 <= int(m["b"]) <= 31


def _checked(check):
    def extract(text: str, m: re.Match) -> Iterable[tuple[int, int]]:
        if check(text, m):
            yield m.span("phi") if "phi" in m.re.groupindex else m.span()
    return extract


RULES = [
    Rule("date.numeric", NUMERIC, 0.9, _checked(_numeric_ok)),
    Rule("date.iso", ISO, 0.9, _checked(_iso_ok)),
    Rule("date.compact", COMPACT, 0.85),
    Rule("date.month_year_numeric", MONTH_YEAR_NUMERIC, 0.8),
    Rule("date.day_month_numeric", DAY_MONTH_NUMERIC, 0.7, _checked(_no_year_ok)),
    Rule("date.month_short_year", MONTH_SHORT_YEAR, 0.7, _checked(
        lambda text, m: not (_SCALE_CUE.search(text, max(0, m.start() - 30), m.start()) or _SCALE_AFTER.match(
            text, m.end())))),
    Rule("date.month_day", MONTH_DAY, 0.9, _with_weekday),
    Rule("date.day_month", DAY_MONTH, 0.9, _with_weekday),
    Rule("date.month_year", MONTH_YEAR, 0.85),
    Rule("date.month", MONTH_ALONE, 0.6),
    Rule("date.cued_month", CUED_MONTH, 0.6),
    Rule("date.holiday", HOLIDAY, 0.7),
    Rule("date.cued_ordinal", CUED_ORDINAL, 0.6),
]


def find(text: str) -> list[tuple[int, int]]:
    """Every span of `text` the date grammar accepts."""
    return [span for rule in RULES for span in rule.spans(text)]


# --- shifting (fake surrogates) -------------------------------------------------------------------

# Cued rules report only the month or the ordinal: these parse what they report.
_BARE_MONTH = re.compile(rf"(?P<mon>{_MON})\.?")
_BARE_ORDINAL = re.compile(rf"(?P<d>{_D})(?P<ord>{_ORD})")
_PARSERS = (NUMERIC, ISO, COMPACT, MONTH_YEAR_NUMERIC, MONTH_SHORT_YEAR, MONTH_DAY, DAY_MONTH, MONTH_YEAR,
            DAY_MONTH_NUMERIC,
            HOLIDAY, _BARE_MONTH, _BARE_ORDINAL)
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_PREFIX = re.compile(r"(?P<wd>(?i:(?:mon|tues|wednes|thurs|fri|satur|sun)day)),?[ \t]+")
_FULL_MONTHS = {name.lower() for name in _MONTH_NAMES}
_LEAP_YEAR = 2000   # stands in for a missing year, so that 29 February survives the shift


def shift(text: str, days: int) -> Optional[str]:
    """`text` (one date mention) moved by `days`, in the same format; None when it cannot be parsed."""
    core = text.strip()
    weekday = _WEEKDAY_PREFIX.match(core)
    rest = core[weekday.end():] if weekday else core
    for pattern in _PARSERS:
        m = pattern.fullmatch(rest)
        when = _to_date(m) if m else None
        if when is not None:
            moved = when + dt.timedelta(days=days)
            out = _render(m, moved)
            if weekday:
                name = _cased(_WEEKDAY_NAMES[moved.weekday()], weekday["wd"])
                out = name + core[weekday.end("wd"):weekday.end()] + out
            head = len(text) - len(text.lstrip())
            return text[:head] + out + text[head + len(core):]
    return None


def _group(m: re.Match, name: str) -> Optional[str]:
    return m.groupdict().get(name)


def _to_date(m: re.Match) -> Optional[dt.date]:
    if _group(m, "hol"):
        month, day = HOLIDAYS[m["hol"].lower()]
        return dt.date(_LEAP_YEAR, month, day)
    year = _year(_group(m, "y"))
    if _group(m, "mon"):
        month = MONTHS[m["mon"].lower()]
        day = int(_group(m, "d") or 15)
    elif _group(m, "a") and _group(m, "b"):
        month, day = int(m["a"]), int(m["b"])
        if month > 12:
            month, day = day, month
    elif _group(m, "a"):
        month, day = int(m["a"]), 15
    else:
        month, day = 1, int(m["d"])
    try:
        return dt.date(year or _LEAP_YEAR, month, day)
    except ValueError:
        return None


def _year(text: Optional[str]) -> Optional[int]:
    if not text:
        return None
    digits = text.lstrip("'")
    return int(digits) if len(digits) == 4 else 2000 + int(digits) if int(digits) < 50 else 1900 + int(digits)


def _render(m: re.Match, when: dt.date) -> str:
    if _group(m, "hol"):
        return _cased(f"{_MONTH_NAMES[when.month - 1]} {when.day}", m["hol"])
    swapped = bool(_group(m, "a") and _group(m, "b") and int(m["a"]) > 12)
    pad = any((_group(m, g) or "x").startswith("0") for g in ("a", "b", "d"))
    values = {
        "y": lambda old: _year_text(old, when.year),
        "a": lambda old: _number(when.day if swapped else when.month, pad),
        "b": lambda old: _number(when.month if swapped else when.day, pad),
        "d": lambda old: _number(when.day, pad),
        "mon": lambda old: _month_text(old, when.month),
        "ord": lambda old: _cased(_ordinal(when.day), old),
    }
    pieces, cursor = [], 0
    for name in sorted((g for g in values if _group(m, g)), key=m.start):
        start, end = m.span(name)
        pieces += [m.string[cursor:start], values[name](m[name])]
        cursor = end
    pieces.append(m.string[cursor:])
    return "".join(pieces)


def _number(value: int, pad: bool) -> str:
    return f"{value:02d}" if pad else str(value)


def _year_text(old: str, year: int) -> str:
    digits = old.lstrip("'")
    return ("'" if old.startswith("'") else "") + (str(year) if len(digits) == 4 else f"{year % 100:02d}")


def _month_text(old: str, month: int) -> str:
    name = _MONTH_NAMES[month - 1]
    if old.lower() not in _FULL_MONTHS:
        name = "Sept" if month == 9 and len(old) == 4 else name[:3]
    return _cased(name, old)


def _ordinal(day: int) -> str:
    return "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _cased(new: str, old: str) -> str:
    if old.isupper() and len(old) > 1:
        return new.upper()
    if old.islower():
        return new.lower()
    return new
