"""Turning overlapping recognizer hits into one clean, sorted list of PHI spans."""
import bisect
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    type: str
    start: int
    end: int
    score: float
    recognizer: str


def _unite_same_type(hits: list[Hit]) -> list[Hit]:
    """Overlapping hits of one type are one identifier seen by several recognizers ("Wei Cohen" by a
    relative cue, "Cohen" by spaCy): keep their union, with the best score."""
    united: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.type, h.start, -h.end)):
        last = united[-1] if united else None
        if last and last.type == hit.type and hit.start < last.end:
            best = last if last.score >= hit.score else hit
            united[-1] = Hit(hit.type, last.start, max(last.end, hit.end), best.score, best.recognizer)
        else:
            united.append(hit)
    return united


def resolve(hits: list[Hit]) -> list[Hit]:
    """Non-overlapping hits, sorted. Same-type overlaps are united; across types the higher score
    wins, then the longer hit."""
    starts: list[int] = []
    chosen: list[Hit] = []      # kept sorted by start
    for hit in sorted(_unite_same_type(hits), key=lambda h: (-h.score, -(h.end - h.start), h.start)):
        i = bisect.bisect_left(starts, hit.start)
        clear_left = i == 0 or chosen[i - 1].end <= hit.start
        clear_right = i == len(chosen) or hit.end <= chosen[i].start
        if hit.end > hit.start and clear_left and clear_right:
            starts.insert(i, hit.start)
            chosen.insert(i, hit)
    return chosen


# What may separate two pieces of one identifier: "John" "Smith"; "12 Main St" ", " "Springfield".
# Other types are not merged: two dates side by side are two dates.
_JOINERS = {"NAME": re.compile(r"[ \t]*"), "ADDRESS": re.compile(r"[ \t]*,?[ \t]*")}


def merge_adjacent(text: str, hits: list[Hit]) -> list[Hit]:
    """Join sorted, non-overlapping hits of the same type that only whitespace separates."""
    merged: list[Hit] = []
    for hit in hits:
        if merged:
            last = merged[-1]
            joiner = _JOINERS.get(hit.type)
            if last.type == hit.type and joiner and joiner.fullmatch(text, last.end, hit.start):
                merged[-1] = Hit(last.type, last.start, hit.end, max(last.score, hit.score), last.recognizer)
                continue
        merged.append(hit)
    return merged
