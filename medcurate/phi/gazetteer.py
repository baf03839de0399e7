"""Given names and surnames, and US states and countries, from Faker's locale data (offline, pinned).

spaCy's small model misses lowercase names (dictated dialogue) and rare names; a gazetteer lets the
rules confirm a candidate ("hi , brian", "christina cooper") without a bigger model.
"""
import importlib
import re
from functools import lru_cache

from .lexicons import COMMON_WORD_NAMES

# Locales whose names appear in English-language clinical notes (Latin script only).
_NAME_LOCALES = (
    "en", "en_US", "en_GB", "en_IE", "en_NZ", "en_IN", "en_KE", "en_NG", "en_PK", "es_ES", "es_MX", "fr_FR",
    "de_DE", "it_IT", "pt_BR", "pt_PT", "nl_NL", "sv_SE", "fi_FI", "pl_PL", "tr_TR", "yo_NG", "ig_NG", "ha_NG",
    "tw_GH", "sw", "zu_ZA", "vi_VN", "id_ID", "zh_CN", "zh_TW", "ja_JP",
)
_NAME_SHAPE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _names(provider, *attributes: str) -> set[str]:
    found = set()
    for attribute in attributes:
        values = getattr(provider, attribute, ())
        if isinstance(values, (list, tuple, dict, set, frozenset)):
            values = [v[-1] if isinstance(v, tuple) else v for v in values]     # (kanji, kana, romaji) pairs
            found.update(v.lower() for v in values if len(v) > 1 and _NAME_SHAPE.fullmatch(v))
    return found


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], frozenset[str]]:
    first, last = set(), set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first |= _names(provider, "first_names", "first_names_male", "first_names_female", "first_romanized_names",
                        "first_name_male_pairs", "first_name_female_pairs")
        last |= _names(provider, "last_names", "last_romanized_names", "male_last_names", "unisex_last_names",
                       "last_name_pairs")
    return frozenset(first), frozenset(last)


@lru_cache(maxsize=1)
def places() -> tuple[frozenset[str], frozenset[str]]:
    """(US state names and postal codes, country names), lowercase: places Safe Harbor lets stay."""
    from faker.providers.address.en import Provider as World
    from faker.providers.address.en_US import Provider as Us

    states = {s.lower() for s in Us.states} | {s.lower() for s in Us.states_abbr}
    return frozenset(states), frozenset(c.lower() for c in World.countries)


def first_names() -> frozenset[str]:
    return _tables()[0]


def _known(word: str, table: frozenset[str]) -> bool:
    """In the table, or hyphenated from words in it ("Mary-Kate", "Fernández-López")."""
    low = word.lower()
    return low in table or ("-" in low and all(part in table for part in low.split("-")))


def is_first_name(word: str) -> bool:
    return _known(word, _tables()[0])


def is_last_name(word: str) -> bool:
    return _known(word, _tables()[1])


def is_name(word: str) -> bool:
    return is_first_name(word) or is_last_name(word)


def is_distinctive_name(word: str) -> bool:
    """A known name that is not also an everyday word: enough on its own in a weak context."""
    return is_name(word) and word.lower() not in COMMON_WORD_NAMES
