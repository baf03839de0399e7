"""De-identification of clinical notes: the interface the ingest stage calls.

Presidio (our clinical recognizers + spaCy NER) finds candidate spans; overlaps are resolved, names are
spread to their other mentions in the note, adjacent pieces are merged; each span is then replaced by a
tag ("[NAME]") or a consistent fake, and offsets into the note can be mapped onto the rewritten text.
"""
import bisect
from dataclasses import dataclass, field

from presidio_analyzer import BatchAnalyzerEngine, RecognizerResult

from medcurate.errors import RunFailed

from . import gazetteer, name_spread, places
from .recognizers import build_analyzer
from .spans import Hit, merge_adjacent, resolve
from .surrogates import FakeValues, name_roles, tag

SURROGATE_MODES = ("tag", "fake")
_BATCH_SIZE = 32


class DeidUnavailable(RunFailed):
    """The model or the recognizers cannot load: ingest must refuse to run rather than pass PHI."""


@dataclass(frozen=True)
class PhiSpan:
    type: str        # one of categories.PHI_TYPES
    start: int
    end: int
    recognizer: str  # which rule or model found it (for audits; never the PHI text)


@dataclass(frozen=True)
class Deidentified:
    text: str
    spans: list[PhiSpan]
    # (input start, input end, output start, output end) of every replacement, in order
    edits: tuple[tuple[int, int, int, int], ...] = field(default=(), repr=False)

    def map_offset(self, offset: int) -> int:
        """An input offset in the output text. Monotonic; an offset at or inside a replaced span maps
        to the surrogate's start and the span's end to the surrogate's end, so consecutive slices of
        the input map to consecutive slices of the output."""
        i = bisect.bisect_right(self.edits, offset, key=lambda edit: edit[0]) - 1
        if i < 0:
            return offset
        in_start, in_end, out_start, out_end = self.edits[i]
        return out_start if offset < in_end else offset - in_end + out_end


class Deidentifier:
    def __init__(self, surrogate: str = "tag", language: str = "en"):
        if surrogate not in SURROGATE_MODES:
            raise ValueError(f"surrogate must be one of {SURROGATE_MODES}, not {surrogate!r}")
        if language != "en":
            raise DeidUnavailable(f"no de-identification model for language {language!r}")
        try:
            self._analyzer = build_analyzer()
            gazetteer.first_names()
            self._analyzer.analyze("Seen by Dr. Test on 01/02/2020.", language="en")
        except Exception as exc:
            raise DeidUnavailable(f"de-identification cannot load: {exc}") from exc
        self._batch = BatchAnalyzerEngine(self._analyzer)
        self.surrogate = surrogate

    def detect(self, text: str) -> list[PhiSpan]:
        """PHI spans in `text` (input offsets), non-overlapping and sorted."""
        return _spans(text, self._analyzer.analyze(text, language="en"))

    def deidentify(self, text: str, key: str) -> Deidentified:
        return self._rewrite(text, self.detect(text), key)

    def deidentify_many(self, texts: list[str], keys: list[str]) -> list[Deidentified]:
        if len(texts) != len(keys):
            raise ValueError("texts and keys differ in length")
        analyses = self._batch.analyze_iterator(texts, language="en", batch_size=_BATCH_SIZE)
        return [self._rewrite(text, _spans(text, found), key) for text, found, key in zip(texts, analyses, keys)]

    def _rewrite(self, text: str, spans: list[PhiSpan], key: str) -> Deidentified:
        if self.surrogate == "fake":
            surrogate = FakeValues(key, name_roles([text[s.start:s.end] for s in spans if s.type == "NAME"]))
        else:
            surrogate = lambda category, original: tag(category)    # noqa: E731
        pieces, out_spans, edits = [], [], []
        cursor = out = 0
        for span in spans:
            new = surrogate(span.type, text[span.start:span.end])
            pieces += [text[cursor:span.start], new]
            out += span.start - cursor
            out_spans.append(PhiSpan(span.type, out, out + len(new), span.recognizer))
            edits.append((span.start, span.end, out, out + len(new)))
            out += len(new)
            cursor = span.end
        pieces.append(text[cursor:])
        return Deidentified("".join(pieces), out_spans, tuple(edits))


def _spans(text: str, results: list[RecognizerResult]) -> list[PhiSpan]:
    hits = resolve([Hit(r.entity_type, r.start, r.end, r.score,
                        r.recognition_metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY, "presidio"))
                    for r in results])
    names = [(h.start, h.end) for h in hits if h.type == "NAME"]
    # spaCy's place guesses are not spread: one drug taken for a town would become many
    addresses = [(h.start, h.end) for h in hits if h.type == "ADDRESS" and not h.recognizer.startswith("ner.")]
    hits = resolve(hits + [Hit("NAME", s, e, 0.7, "name.propagated") for s, e in name_spread.propagate(text, names)]
                   + [Hit("ADDRESS", s, e, 0.65, "address.propagated") for s, e in places.propagate(text, addresses)])
    hits = merge_adjacent(text, _extend_names(text, hits))
    return [PhiSpan(h.type, h.start, h.end, h.recognizer) for h in hits]


def _extend_names(text: str, hits: list[Hit]) -> list[Hit]:
    """Grow each name by an adjacent given name or surname that no other span has claimed."""
    grown = list(hits)
    for i, hit in enumerate(grown):
        if hit.type != "NAME":
            continue
        start, end = name_spread.extend(text, hit.start, hit.end)
        left = grown[i - 1].end if i else 0
        right = grown[i + 1].start if i + 1 < len(grown) else len(text)
        if (start, end) != (hit.start, hit.end) and start >= left and end <= right:
            grown[i] = Hit(hit.type, start, end, hit.score, hit.recognizer)
    return grown
