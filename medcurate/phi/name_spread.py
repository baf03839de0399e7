"""Names found once, found everywhere in the note: other mentions of their words, and an adjacent
given name or surname that the cue did not cover ("christina [cooper]")."""
import re
from typing import Iterable

from spacy.lang.en.stop_words import STOP_WORDS

from . import gazetteer
from .lexicons import COMMON_WORD_NAMES, EPONYM_NOUNS, EPONYMS
from .name_words import CAP, LOWER, UPPER, WORD, is_eponym_use, lowercase_surname, never_name, plain
from .rules import words_alternation

_NAME_WORD = re.compile(rf"{CAP}|{UPPER}|{LOWER}")
_WORD_BEFORE = re.compile(rf"(?<![\w'’\-])({WORD})[ \t]+$")
_WORD_AFTER = re.compile(rf"[ \t]+({WORD})(?![\w'’\-])")
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n][ \t\n]*|[.!?:][\"”’)]?[ \t]+)$")


def _seed_words(text: str, spans: Iterable[tuple[int, int]]) -> dict[str, bool]:
    """Words of detected names -> whether any was written in lowercase (dictated dialogue)."""
    seeds: dict[str, bool] = {}
    for start, end in spans:
        for word in _NAME_WORD.findall(text, start, end):
            low = plain(word)
            if len(low) > 2 and not never_name(low) and low not in EPONYM_NOUNS:
                seeds[low] = seeds.get(low, False) or word.islower()
    return seeds


def propagate(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Other mentions of a detected name's words in the same note ("hi, brian" ... "so, brian is").

    Words that are also ordinary words ("Ward", "White") spread only to mentions written the same way;
    eponymous uses ("Wood's lamp", "Graves disease") are left alone.
    """
    seeds = _seed_words(text, spans)
    if not seeds:
        return []
    taken = sorted(spans)
    found = []
    pattern = re.compile(rf"(?<![\w'’\-])(?i:{words_alternation(seeds)})(?=['’]s\b|[^\w'’\-]|$)")
    for m in pattern.finditer(text):
        word, low = m.group(), m.group().lower()
        if any(s <= m.start() < e for s, e in taken) or is_eponym_use(text, m.end()):
            continue
        everyday = low in COMMON_WORD_NAMES or low in STOP_WORDS or low in EPONYMS
        if everyday and ((word.islower() and not seeds[low]) or _SENTENCE_START.search(text, 0, m.start())):
            continue        # "white blood cells", "Frank discussion held", "Grace period"
        found.append(m.span())
    return found


def extend(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a name by an adjacent given name before it or a surname after it."""
    lower = text[start:end].islower()
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before and _same_case(before.group(1), lower) and gazetteer.is_first_name(before.group(1)) \
            and not never_name(before.group(1)) and (not lower or plain(before.group(1)) not in COMMON_WORD_NAMES):
        start = before.start()
    after = _WORD_AFTER.match(text, end)
    if after and _same_case(after.group(1), lower) and not is_eponym_use(text, after.end()) and (
            lowercase_surname(text, after.start(1), after.end(1)) if lower else
            gazetteer.is_last_name(after.group(1)) and plain(after.group(1)) not in COMMON_WORD_NAMES
            and not never_name(after.group(1))):
        end = after.end()
    return start, end


def _same_case(word: str, lower: bool) -> bool:
    return word.islower() if lower else word[:1].isupper()
