"""Rule checks on a QA pair: the failure modes MIRIAD reports in generated medical QA.

A pair fails a rule when its question is not a question, is too short or long, points at its source
("in this study", "the passage", "Figure 2") instead of standing alone, or asks about one study's
particulars (a year, a sample size, a place), and when its answer is empty, too long or cut off.
Each failed rule is a reason; the score is 1 when none fails and drops by each rule's weight.
`COMPLETENESS` are the rules about the answer itself, which also count in the grounding score: a cut-off
answer is not a supported answer even when every word of it is in the passage.
"""
import re
from dataclasses import dataclass

QUESTION_START = re.compile(
    r"^(what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|should|would|will|"
    r"may|might|has|have|had|name|list|describe|explain|define|identify)\b", re.I)
SOURCE_REFERENCE = re.compile(
    r"\b(this|the|these|our|present|current)\s+(passage|text|paragraph|article|paper|study|studies|trial|"
    r"report|case|review|authors?|investigators?|researchers?|cohort|analysis|survey|experiment)s?\b"
    r"|\b(according to|mentioned|described|stated|reported) (in|by) (the|this)\b"
    r"|\b(fig(ure)?|table|supplementary|appendix)\s*\.?\s*[0-9ivx]+\b|\bet al\b", re.I)
STUDY_DETAIL = re.compile(
    r"\b(1[89]\d\d|20\d\d)\b"                                      # a year
    r"|\bn\s*=\s*\d+"                                              # n = 120
    r"|\b\d[\d,]*\s+(patients|participants|subjects|women|men|children|cases|individuals|respondents)\b"
    r"|\b(in|at)\s+(our|a|the)\s+(hospital|clinic|centre|center|institution|department)\b", re.I)


@dataclass(frozen=True)
class RuleResult:
    score: float
    reasons: list[str]

    @property
    def completeness(self) -> float:
        """The score counting only the rules about the answer's completeness."""
        score = 1.0
        for reason in self.reasons:
            if reason in COMPLETENESS:
                score *= 1.0 - WEIGHTS[reason]
        return score


@dataclass(frozen=True)
class Limits:
    question_words: tuple[int, int] = (4, 60)
    answer_words: tuple[int, int] = (1, 200)


# weight of each failed rule on the score (1.0: the pair is unusable on its own)
WEIGHTS = {"not a question": 0.6, "question length": 0.3, "refers to its source": 1.0,
           "study-specific question": 0.5, "answer length": 1.0, "answer cut off": 0.8}


COMPLETENESS = ("answer length", "answer cut off")


def check_rules(question: str, answer: str, limits: Limits = Limits()) -> RuleResult:
    q, a = (question or "").strip(), (answer or "").strip()
    reasons = []
    if not (q.endswith("?") or QUESTION_START.match(q)):
        reasons.append("not a question")
    if not limits.question_words[0] <= len(q.split()) <= limits.question_words[1]:
        reasons.append("question length")
    if SOURCE_REFERENCE.search(q) or SOURCE_REFERENCE.search(a):
        reasons.append("refers to its source")
    if STUDY_DETAIL.search(q):
        reasons.append("study-specific question")
    if not limits.answer_words[0] <= len(a.split()) <= limits.answer_words[1]:
        reasons.append("answer length")
    elif len(a.split()) > 8 and _cut_off(a):
        reasons.append("answer cut off")
    score = 1.0
    for reason in reasons:
        score *= 1.0 - WEIGHTS[reason]
    return RuleResult(round(score, 4), reasons)


def _cut_off(answer: str) -> bool:
    """A sentence-long answer that stops without closing punctuation was cut (by max_tokens, or a copy)."""
    return not answer.rstrip().endswith((".", "!", "?", ")", "]", '"', "'", "%", "»"))
