"""Scores de-identifier predictions against the planted-PHI evaluation set (tests/deid_eval_set.py).

Three views, because each hides something: token level regardless of type (was the PHI text covered at
all: what decides a leak), token level with the type, and span level per category, with exact boundaries
and with any overlap. Over-redaction is the share of clinical-term tokens inside predicted spans.
Tokens are runs of letters and digits (\\w+); a token is covered by a span if they share a character.
"""
import re
from bisect import bisect_right
from dataclasses import dataclass, field, fields

from medcurate.phi.categories import PHI_TYPES

TOKEN = re.compile(r"\w+")
Prediction = tuple[str, int, int]   # (type, start, end)


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def f1(p: float | None, r: float | None) -> float | None:
    return None if p is None or r is None else (2 * p * r / (p + r) if p + r else 0.0)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Tally:
    """The counts behind one row: a category (gold side by gold type, predicted side by predicted type) or ALL."""
    gold_spans: int = 0
    pred_spans: int = 0
    exact: int = 0                # gold spans predicted with their type and boundaries
    gold_overlapped: int = 0      # gold spans overlapped by a prediction of their type
    pred_overlapping: int = 0     # predictions overlapping a gold span of their type
    gold_tokens: int = 0
    gold_tokens_found: int = 0    # ... covered by a prediction of any type
    gold_tokens_typed: int = 0    # ... covered by a prediction of their type
    pred_tokens: int = 0
    pred_tokens_gold: int = 0     # ... inside a gold span of any type
    pred_tokens_typed: int = 0    # ... inside a gold span of the predicted type

    def add(self, other: "Tally") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def metrics(self) -> dict[str, float | None]:
        m = {"token_recall": ratio(self.gold_tokens_found, self.gold_tokens),
             "token_precision": ratio(self.pred_tokens_gold, self.pred_tokens),
             "typed_token_recall": ratio(self.gold_tokens_typed, self.gold_tokens),
             "typed_token_precision": ratio(self.pred_tokens_typed, self.pred_tokens),
             "exact_recall": ratio(self.exact, self.gold_spans),
             "exact_precision": ratio(self.exact, self.pred_spans),
             "overlap_recall": ratio(self.gold_overlapped, self.gold_spans),
             "overlap_precision": ratio(self.pred_overlapping, self.pred_spans)}
        m["token_f1"] = f1(m["token_precision"], m["token_recall"])
        return m


COLUMNS = (("tok R", "token_recall"), ("tok P", "token_precision"), ("tok F1", "token_f1"),
           ("typed R", "typed_token_recall"), ("typed P", "typed_token_precision"),
           ("exact R", "exact_recall"), ("exact P", "exact_precision"),
           ("ovl R", "overlap_recall"), ("ovl P", "overlap_precision"))


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@dataclass
class Report:
    rows: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in (*PHI_TYPES, "ALL")})
    clinical_tokens: int = 0
    clinical_tokens_redacted: int = 0

    @property
    def over_redaction(self) -> float | None:
        return ratio(self.clinical_tokens_redacted, self.clinical_tokens)

    def __str__(self) -> str:
        head = f"{'category':<9}{'gold':>6}{'pred':>6}" + "".join(f"{name:>9}" for name, _ in COLUMNS)
        lines = [head, "-" * len(head)]
        for category, tally in self.rows.items():
            m = tally.metrics()
            lines.append(f"{category:<9}{tally.gold_spans:>6}{tally.pred_spans:>6}"
                         + "".join(f"{fmt(m[key]):>9}" for _, key in COLUMNS))
        lines.append(f"clinical-term over-redaction: {fmt(self.over_redaction)} ({self.clinical_tokens_redacted} "
                     f"of {self.clinical_tokens} clinical-term tokens inside predicted spans)")
        return "\n".join(lines)


def token_labels(text: str, spans: list[tuple[str, int, int]]) -> list[set[str]]:
    """For each token of text, the labels of the spans that share a character with it."""
    tokens = [m.span() for m in TOKEN.finditer(text)]
    ends = [end for _, end in tokens]
    labels = [set() for _ in tokens]
    for label, start, end in spans:
        i = bisect_right(ends, start)
        while i < len(tokens) and tokens[i][0] < end:
            labels[i].add(label)
            i += 1
    return labels


def score_note(note, predictions: list[Prediction], report: Report) -> None:
    gold = {(g.type, g.start, g.end) for g in note.gold}
    pred = set(predictions)
    unknown = {t for t, _, _ in pred} - set(PHI_TYPES)
    if unknown:
        raise ValueError(f"{note.id}: prediction types not in PHI_TYPES: {sorted(unknown)}")
    for category in PHI_TYPES:
        g = [(s, e) for t, s, e in gold if t == category]
        p = [(s, e) for t, s, e in pred if t == category]
        spans = Tally(gold_spans=len(g), pred_spans=len(p), exact=len(set(g) & set(p)),
                      gold_overlapped=sum(any(overlaps(a, b) for b in p) for a in g),
                      pred_overlapping=sum(any(overlaps(b, a) for a in g) for b in p))
        report.rows[category].add(spans)
        report.rows["ALL"].add(spans)
    clinical = [("", s, e) for s, e in note.clinical_terms]
    for g, p, c in zip(token_labels(note.text, list(gold)), token_labels(note.text, list(pred)),
                       token_labels(note.text, clinical)):
        for category in g:
            row = report.rows[category]
            row.gold_tokens += 1
            row.gold_tokens_found += bool(p)
            row.gold_tokens_typed += category in p
        for category in p:
            row = report.rows[category]
            row.pred_tokens += 1
            row.pred_tokens_gold += bool(g)
            row.pred_tokens_typed += category in g
        overall = report.rows["ALL"]
        overall.gold_tokens += bool(g)
        overall.gold_tokens_found += bool(g and p)
        overall.gold_tokens_typed += bool(g & p)
        overall.pred_tokens += bool(p)
        overall.pred_tokens_gold += bool(g and p)
        overall.pred_tokens_typed += bool(g & p)
        report.clinical_tokens += bool(c)
        report.clinical_tokens_redacted += bool(c and p)


def score(notes, predictions: list[list[Prediction]]) -> Report:
    """Score one list of (type, start, end) predictions per note, in the order of notes."""
    if len(notes) != len(predictions):
        raise ValueError(f"{len(notes)} notes but {len(predictions)} prediction lists")
    report = Report()
    for note, note_predictions in zip(notes, predictions):
        score_note(note, [tuple(p) for p in note_predictions], report)
    return report
