"""How far reviewers agree with each other, and how far the automatic steps agree with the reviewers.

Between humans, per field: percent agreement (the share of agreeing rater pairs per item, averaged) and
Cohen's kappa when the field has exactly two annotators, Fleiss' kappa when it has more (the variant that
allows a different number of raters per item). Kappa is None when chance agreement is already 1 (everyone
gave the same single value): there is nothing to correct for, and the percent agreement says it all.

Model against humans, per prediction source and field: every human judgment of a predicted row is one
observation (two reviewers of a row give two), scored by accuracy and Cohen's kappa, and, for fields with
a positive value (grounded = yes), by precision and recall of the model's positive calls.
"""
from collections import Counter
from itertools import combinations

Judgments = dict[str, dict[str, str]]        # row id -> annotator -> value


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    if len(a) != len(b) or not a:
        raise ValueError("cohen_kappa needs two equally long, non-empty lists")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(items: list[list[str]]) -> float | None:
    """items: the values each item got, at least two raters per item."""
    if not items or any(len(values) < 2 for values in items):
        raise ValueError("fleiss_kappa needs items rated at least twice")
    observed = percent_agreement(items)
    totals = Counter(v for values in items for v in values)
    n = sum(totals.values())
    expected = sum((c / n) ** 2 for c in totals.values())
    return None if expected == 1 else (observed - expected) / (1 - expected)


def percent_agreement(items: list[list[str]]) -> float:
    shares = [sum(x == y for x, y in combinations(values, 2)) / (len(values) * (len(values) - 1) / 2)
              for values in items]
    return sum(shares) / len(shares)


def between_humans(judgments: Judgments) -> dict:
    rated = {row: by for row, by in judgments.items() if len(by) >= 2}
    annotators = sorted({a for by in rated.values() for a in by})
    if not rated:
        return {"items": 0, "annotators": len({a for by in judgments.values() for a in by})}
    items = [list(by.values()) for by in rated.values()]
    if len(annotators) == 2:
        first, second = annotators
        kappa, statistic = cohen_kappa([by[first] for by in rated.values()],
                                       [by[second] for by in rated.values()]), "cohen"
    else:
        kappa, statistic = fleiss_kappa(items), "fleiss"
    return {"items": len(items), "annotators": len(annotators), "percent": percent_agreement(items),
            "kappa": kappa, "statistic": statistic}


def model_vs_humans(predicted: dict[str, str], judgments: Judgments, positive: str | None) -> dict:
    """predicted: row id -> the model's value for the field."""
    pairs = [(predicted[row], value) for row, by in judgments.items() if row in predicted for value in by.values()]
    if not pairs:
        return {"n": 0}
    model, human = zip(*pairs)
    report = {"n": len(pairs), "accuracy": sum(m == h for m, h in pairs) / len(pairs),
              "kappa": cohen_kappa(list(model), list(human))}
    if positive is not None:
        tp = sum(m == positive and h == positive for m, h in pairs)
        called, actual = model.count(positive), human.count(positive)
        report |= {"positive": positive, "precision": tp / called if called else None,
                   "recall": tp / actual if actual else None}
    return report
