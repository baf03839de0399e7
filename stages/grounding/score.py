"""One `grounding_score` in [0, 1] from the filters' signals: a logistic model over the support signals
and the answer-completeness rules, optionally averaged with the LLM judge's verdict.

The weights were fitted by `python benchmarks/grounding.py --fit` on the first half of the PubMedQA items
(grounded answers against answers moved to another abstract on the same MeSH topic, with altered numbers,
negations or cut off) and are reported on the other half; refit them there if the signals change.
"""
import math

from medcurate.stages.grounding.rules import RuleResult
from medcurate.stages.grounding.support import Support

FEATURES = ("words", "phrases", "entities", "numbers", "polarity_mismatch", "completeness")
WEIGHTS = {"words": 3.36, "phrases": -0.50, "entities": 1.03, "numbers": 1.44, "polarity_mismatch": -1.48,
           "completeness": 5.25}     # phrases < 0: collinear with words; it still helps against other abstracts
BIAS = -8.72


def features(support: Support, rules: RuleResult) -> dict[str, float]:
    """Missing signals (no noun phrase, no number in the answer) count as neutral: 1."""
    return {"words": support.words, "phrases": support.phrases,
            "entities": 1.0 if support.entities is None else support.entities,
            "numbers": 1.0 if support.numbers is None else support.numbers,
            "polarity_mismatch": float(support.polarity_mismatch), "completeness": rules.completeness}


def combine(values: dict[str, float], judge_score: float | None = None, judge_weight: float = 0.5,
            weights: dict[str, float] = WEIGHTS, bias: float = BIAS) -> float:
    z = bias + sum(weights[name] * values[name] for name in FEATURES)
    lexical = 1.0 / (1.0 + math.exp(-z))
    if judge_score is None:
        return round(lexical, 4)
    return round((1 - judge_weight) * lexical + judge_weight * judge_score, 4)
