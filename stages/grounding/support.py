"""Lexical and entity support of an answer in its passage: is what the answer says written there?

Four signals, all on stemmed content words (stop words removed):
- word coverage: share of the answer's content words found in the passage;
- phrase coverage: share of the answer's adjacent content-word pairs found in the passage, which
  separates "the same topic" (same vocabulary) from "says the same thing";
- entity coverage: share of the answer's noun phrases (spaCy noun chunks) whose words all occur in
  the passage;
- numbers: share of the answer's numbers that occur in the passage.
A polarity check looks for the answer negating words the passage uses without a negation, or making a
negative claim where the passage has no negative finding at all.
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from spacy.lang.en.stop_words import STOP_WORDS

from medcurate.stages.dedup.shingles import tokenize

NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?:\s?%)?")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")
NEGATIONS = {"not", "no", "never", "without", "cannot", "neither", "nor", "none", "absence", "lack", "fail",
             "failed", "unable", "ineffective", "insignificant", "nonsignificant"}
_stemmer = snowballstemmer.stemmer("english")
_NEGATION_STEMS = set(_stemmer.stemWords(sorted(NEGATIONS)))
_STOP_STEMS = set(_stemmer.stemWords(sorted(STOP_WORDS)))


@dataclass(frozen=True)
class Support:
    score: float
    words: float
    phrases: float
    entities: float | None
    numbers: float | None
    polarity_mismatch: bool
    reasons: list[str] = field(default_factory=list)


def content_stems(text: str) -> list[str]:
    return _stems(tuple(t for t in tokenize(text) if t not in STOP_WORDS and (len(t) > 2 or t.isdigit())))


@lru_cache(maxsize=100_000)
def _stems(tokens: tuple[str, ...]) -> list[str]:
    return _stemmer.stemWords(list(tokens))


def numbers(text: str) -> set[str]:
    return {n.replace(",", ".").replace(" ", "") for n in NUMBER.findall(text or "")}


class SupportScorer:
    def __init__(self, nlp=None):
        self.nlp = nlp            # a spaCy pipeline with a parser for noun chunks; None: no entity signal

    def score(self, passage: str, answer: str) -> Support:
        passage_stems = content_stems(passage)
        have = set(passage_stems)
        have_pairs = set(zip(passage_stems, passage_stems[1:]))
        stems = content_stems(answer)
        if not stems:
            return Support(0.0, 0.0, 0.0, None, None, False, ["answer has no content words"])
        words = sum(s in have for s in stems) / len(stems)
        pairs = list(zip(stems, stems[1:]))
        phrases = sum(p in have_pairs for p in pairs) / len(pairs) if pairs else words
        entities = self._entities(answer, have)
        wanted = numbers(answer)
        nums = len(wanted & numbers(passage)) / len(wanted) if wanted else None
        flipped = polarity_mismatch(passage, answer)
        parts = [(0.4, words), (0.4, phrases)] + ([(0.2, entities)] if entities is not None else [])
        score = sum(w * v for w, v in parts) / sum(w for w, _ in parts)
        if nums is not None:
            score *= 0.3 + 0.7 * nums
        if flipped:
            score *= 0.5
        return Support(round(score, 4), round(words, 4), round(phrases, 4), entities, nums, flipped,
                       _reasons(words, phrases, entities, nums, flipped))

    def _entities(self, answer: str, have: set[str]) -> float | None:
        if self.nlp is None:
            return None
        chunks = [content_stems(c.text) for c in self.nlp(answer).noun_chunks]
        chunks = [c for c in chunks if c]
        if not chunks:
            return None
        return round(sum(all(s in have for s in c) for c in chunks) / len(chunks), 4)


def polarity_mismatch(passage: str, answer: str) -> bool:
    """True when the answer negates what the passage states plainly, or makes a negative claim where the
    passage has no negation at all."""
    passage_tokens = _stemmed_tokens(passage)
    answer_tokens = _stemmed_tokens(answer)
    if _NEGATION_STEMS & set(answer_tokens) and not _NEGATION_STEMS & set(passage_tokens):
        return True           # a negative claim with no negative finding anywhere in the passage
    for term in _negated_terms(answer_tokens):
        places = [i for i, t in enumerate(passage_tokens) if t == term]
        if places and not any(_NEGATION_STEMS & set(passage_tokens[max(0, i - WINDOW):i]) for i in places):
            return True
    return False


WINDOW = 5      # tokens a negation reaches ("did not significantly improve survival")


def _stemmed_tokens(text: str) -> list[str]:
    return _stems(tuple(tokenize(text or "")))


def _negated_terms(tokens: list[str]) -> set[str]:
    """Content words within reach after a negation cue."""
    terms = set()
    for i, t in enumerate(tokens):
        if t in _NEGATION_STEMS:
            terms |= {w for w in tokens[i + 1:i + 1 + WINDOW] if w not in _STOP_STEMS and w not in _NEGATION_STEMS}
    return terms


def _reasons(words, phrases, entities, nums, flipped) -> list[str]:
    reasons = []
    if words < 0.6:
        reasons.append(f"only {words:.0%} of the answer's content words are in the passage")
    if phrases < 0.3:
        reasons.append(f"only {phrases:.0%} of the answer's word pairs are in the passage")
    if entities is not None and entities < 0.5:
        reasons.append(f"only {entities:.0%} of the answer's noun phrases are in the passage")
    if nums is not None and nums < 1:
        reasons.append("numbers in the answer are not in the passage")
    if flipped:
        reasons.append("the answer negates what the passage does not")
    return reasons
