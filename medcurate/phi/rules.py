"""Regex rules run as Presidio recognizers.

A clinical identifier is recognised by its context ("MRN:", "Dr.", "date of birth"), not by its shape
alone, so each rule is a regex whose named group `phi` marks the identifier inside the cue, or an
`extract` function that turns a cue match into spans (when a gazetteer or word list must decide).
"""
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Optional

from presidio_analyzer import EntityRecognizer, RecognizerResult

Extract = Callable[[str, re.Match], Iterable[tuple[int, int]]]


@lru_cache(maxsize=4096)
def letter_case(text: str) -> str:
    """"lower" for text written all in lowercase (dictation, some exports), "upper" for text in
    capitals (old systems, headers), else "mixed": capitalisation says what is a proper name only in
    "mixed"."""
    upper = sum(c.isupper() for c in text)
    lower = sum(c.islower() for c in text)
    if upper == 0:
        return "lower"
    if lower <= 0.1 * (upper + lower):
        return "upper"
    return "mixed"


_BOUNDARY = re.compile(r"\n|[.!?;](?=\s)")


def local_case(text: str, pos: int) -> str:
    """letter_case() of the sentence or line holding `pos`: notes mix lowercase dictation, headers and
    sentences in capitals, and ordinary prose, so casing is judged locally."""
    starts = [m.end() for m in _BOUNDARY.finditer(text, max(0, pos - 300), pos)]
    start = starts[-1] if starts else max(0, pos - 300)
    stop = _BOUNDARY.search(text, pos, pos + 300)
    return letter_case(text[start:stop.start() if stop else pos + 300])


@dataclass(frozen=True)
class Rule:
    name: str                       # reported in PhiSpan.recognizer
    pattern: re.Pattern
    score: float = 0.9
    extract: Optional[Extract] = None
    cases: tuple[str, ...] = ("lower", "upper", "mixed")   # the local_case() of the text the rule applies to

    def spans(self, text: str) -> Iterable[tuple[int, int]]:
        has_group = "phi" in self.pattern.groupindex
        every_case = len(self.cases) == 3
        for match in self.pattern.finditer(text):
            if not every_case and local_case(text, match.start()) not in self.cases:
                continue
            if self.extract is not None:
                yield from self.extract(text, match)
            elif not has_group:
                yield match.span()
            elif match.group("phi"):
                yield match.span("phi")


class RuleRecognizer(EntityRecognizer):
    """One PHI category's rules as a Presidio recognizer (entity type = our category)."""

    def __init__(self, category: str, rules: list[Rule]):
        self.rules = rules
        super().__init__(supported_entities=[category], name=f"{category.lower()}_rules")

    def load(self) -> None:
        """Nothing to load: the rules are compiled at import."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        category = self.supported_entities[0]
        results = []
        for rule in self.rules:
            for start, end in rule.spans(text):
                if end > start:
                    results.append(RecognizerResult(
                        category, start, end, rule.score,
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: rule.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        }))
        return results


def lead(words: Iterable[str]) -> str:
    """A lookahead on the first letters of `words`, in both cases, to put before a keyword-led pattern:
    Python's regex engine then skips positions that cannot start a match (2-3x faster on notes)."""
    words = list(words)
    if not all(w[:1].isalnum() for w in words):
        raise ValueError("lead() needs words that start with a letter or digit")
    letters = {w[0].lower() for w in words} | {w[0].upper() for w in words}
    return "(?=[" + "".join(re.escape(c) for c in sorted(letters)) + "])"


def words_alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal words or phrases (any run of blanks between a phrase's words),
    longest first so that "new year's day" beats "new"."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=lambda w: (-len(w), w)))
