"""Agreement of the student with its teacher on held-out rows: per-class precision/recall/F1, macro-F1
(over the classes in either the labels or the predictions), the confusion matrix and Cohen's kappa; for
the ordinal edu_score also Spearman's rho and F1 of the "score >= 3" filter users apply."""
import numpy as np

EDU_THRESHOLD = 3


def classification_report(gold: list, pred: list) -> dict:
    classes = sorted(set(gold) | set(pred), key=str)
    index = {c: i for i, c in enumerate(classes)}
    confusion = np.zeros((len(classes), len(classes)), np.int64)
    np.add.at(confusion, ([index[g] for g in gold], [index[p] for p in pred]), 1)
    per_class = {}
    for i, c in enumerate(classes):
        tp, predicted, support = confusion[i, i], confusion[:, i].sum(), confusion[i].sum()
        per_class[str(c)] = {"precision": _r(_div(tp, predicted)), "recall": _r(_div(tp, support)),
                             "f1": _r(_div(2 * tp, predicted + support)), "support": int(support)}
    n = confusion.sum()
    return {"rows": int(n), "accuracy": _r(_div(np.trace(confusion), n)),
            "macro_f1": _r(np.mean([v["f1"] for v in per_class.values()])) if classes else 0.0,
            "kappa": _r(cohen_kappa(confusion)), "per_class": per_class,
            "confusion": {"labels": [str(c) for c in classes], "matrix": confusion.tolist()}}


def cohen_kappa(confusion: np.ndarray) -> float:
    n = confusion.sum()
    if not n:
        return 0.0
    observed = np.trace(confusion) / n
    expected = (confusion.sum(0) * confusion.sum(1)).sum() / n ** 2
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def ordinal_report(gold: list[int], pred: list[int]) -> dict:
    g, p = np.asarray(gold, np.float64), np.asarray(pred, np.float64)
    return {"spearman": _r(spearman(g, p)),
            f"f1_at_{EDU_THRESHOLD}": _r(_div(2 * ((g >= EDU_THRESHOLD) & (p >= EDU_THRESHOLD)).sum(),
                                             (g >= EDU_THRESHOLD).sum() + (p >= EDU_THRESHOLD).sum()))}


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = _ranks(a), _ranks(b)
    if len(a) < 2 or ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks with ties given their average rank."""
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2)[inverse]


def _div(a, b) -> float:
    return float(a) / float(b) if b else 0.0


def _r(x: float) -> float:
    return round(float(x), 4)
