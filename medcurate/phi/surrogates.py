"""What replaces a PHI span: a category tag, or a realistic fake that keeps the note readable.

Fakes are a pure function of (note key, category, original), so a note is rewritten the same way on
every run, the same original gets the same fake throughout a note, and another note gets other fakes.
Names are faked word by word so "Christina Cooper" ... "Mrs. Cooper" stay one person; dates are all
shifted by one per-note offset so intervals between them survive.
"""
import hashlib
import re
from functools import lru_cache

from faker.providers.person.en_US import Provider as People

from . import dates, gazetteer
from .lexicons import FACILITY_HEADS, GENERIC_FACILITY_WORDS, STREET_SUFFIXES
from .rules import words_alternation

# Words of an address that say what kind of place it is, not which: kept in the fake.
_ADDRESS_KEEP = STREET_SUFFIXES | frozenset(
    "n s e w ne nw se sw north south east west apt apartment suite ste unit flat fl floor room rm po p.o. box "
    "post office of the and saint st".split())
_FACILITY_KEEP = GENERIC_FACILITY_WORDS | {w for h in FACILITY_HEADS for w in h.split()}
_FACILITY_HEAD = re.compile(rf"(?i:\b(?:{words_alternation(FACILITY_HEADS)})\b)")
_CITY_ENDINGS = ("ville", "ton", "field", "bury", "port", "dale", "wood", "ford")
_TOKEN = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*\.?")


def tag(category: str) -> str:
    return f"[{category}]"


@lru_cache(maxsize=1)
def _people() -> tuple[tuple[str, ...], tuple[str, ...]]:
    first = sorted(set(People.first_names_male) | set(People.first_names_female))
    return tuple(first), tuple(sorted(People.last_names))


def _number(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def _cased(new: str, old: str) -> str:
    if old.islower():
        return new.lower()
    if old.isupper() and len(old) > 1:
        return new.upper()
    return new


class FakeValues:
    """Fake values for one note (`key`)."""

    def __init__(self, key: str, name_words: dict[str, str]):
        self.key = key
        self.name_roles = name_words           # lowercase name word -> "first" | "last"
        self.shift_days = self._shift_days()

    def _shift_days(self) -> int:
        n = _number(self.key, "date-shift")
        days = 30 + n % 336                    # one to twelve months, never zero
        return days if (n >> 20) % 2 else -days

    def _pick(self, options: tuple[str, ...], *parts: str) -> str:
        original = parts[-1]
        choice = options[_number(self.key, *parts) % len(options)]
        if choice.lower() == original.lower():
            choice = options[(_number(self.key, *parts) + 1) % len(options)]
        return choice

    def __call__(self, category: str, original: str) -> str:
        return getattr(self, f"_{category.lower()}")(original)

    def _name(self, original: str) -> str:
        first, last = _people()

        def fake(m: re.Match) -> str:
            word = m.group()
            if word.isdigit():
                return word
            if len(word.rstrip(".")) == 1:
                return self._pick(first, "initial", word.lower())[0] + word[1:]
            low = word.lower()
            pool = first if self.name_roles.get(low) == "first" else last
            return _cased(self._pick(pool, "name", low), word)
        return _TOKEN.sub(fake, original)

    def _date(self, original: str) -> str:
        shifted = dates.shift(original, self.shift_days)
        if shifted is not None:
            return shifted
        n = _number(self.key, "date", original.lower())
        return f"{1 + n % 12}/{1 + n % 28}/{1990 + n % 35}"

    def _age(self, original: str) -> str:
        age = 90 + _number(self.key, "age", original.lower()) % 10
        return str(age) if any(c.isdigit() for c in original) else _cased("ninety", original)

    def _digits_and_letters(self, original: str, salt: str) -> str:
        n = _number(self.key, salt, original)
        out = []
        for i, c in enumerate(original):
            r = (n >> (i % 48)) + i * 7919
            if c.isdigit():
                out.append(str(r % 10))
            elif c.isalpha() and c.isascii():
                letter = chr(ord("a") + r % 26)
                out.append(letter.upper() if c.isupper() else letter)
            else:
                out.append(c)
        fake = "".join(out)
        return fake if fake != original else self._digits_and_letters(original, salt + "'")

    def _phone(self, original: str) -> str:
        return self._digits_and_letters(original, "phone")

    def _id(self, original: str) -> str:
        return self._digits_and_letters(original, "id")

    def _email(self, original: str) -> str:
        first, last = _people()
        return (f"{self._pick(first, 'email', original.lower())}.{self._pick(last, 'email', original.lower())}"
                f"@example.org").lower()

    def _url(self, original: str) -> str:
        scheme = re.match(r"(?i:(?:https?|ftp)://)?(?:www\.)?", original).group()
        return f"{scheme}{self._pick(_people()[1], 'url', original.lower()).lower()}.example.org"

    def _ip(self, original: str) -> str:
        n = _number(self.key, "ip", original)
        if ":" in original:
            return f"2001:db8::{n % 0xffff:x}"
        return f"{('192.0.2', '198.51.100', '203.0.113')[n % 3]}.{1 + (n >> 8) % 254}"

    def _address(self, original: str) -> str:
        """Word by word: numbers and proper words are replaced, "Street", "Apt", "Hospital" and states stay."""
        states = gazetteer.places()[0]
        city = not any(c.isdigit() for c in original)
        keep = _ADDRESS_KEEP | (_FACILITY_KEEP if _FACILITY_HEAD.search(original) else frozenset())

        def fake(m: re.Match) -> str:
            word = m.group()
            low = word.lower().rstrip(".")
            if any(c.isdigit() for c in word):       # house numbers, ZIPs, "3B", postcodes
                return self._digits_and_letters(word, "address")
            if low in keep or low in states:
                return word
            base = self._pick(_people()[1], "place", low)
            if city:
                base += _CITY_ENDINGS[_number(self.key, "city", low) % len(_CITY_ENDINGS)]
            return _cased(base, word)
        return _TOKEN.sub(fake, original)


def name_roles(texts: list[str]) -> dict[str, str]:
    """Whether each word of a note's names is used as a given name or a surname.

    The first word of a multi-word name is a given name, the others surnames; a word seen only alone
    is a given name if the gazetteer knows it only as one.
    """
    roles: dict[str, str] = {}
    for text in sorted(texts, key=lambda t: -len(t.split())):
        words = [w.lower() for w in _TOKEN.findall(text) if len(w.rstrip(".")) > 1]
        for i, word in enumerate(words):
            if word in roles:
                continue
            if len(words) > 1:
                roles[word] = "first" if i == 0 else "last"
            else:
                alone_first = gazetteer.is_first_name(word) and not gazetteer.is_last_name(word)
                roles[word] = "first" if alone_first else "last"
    return roles
