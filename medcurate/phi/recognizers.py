"""The Presidio analyzer medcurate runs: our clinical rule recognizers plus the gated spaCy NER.

None of Presidio's predefined recognizers is registered: their email/URL recognizers try to download
the public suffix list (offline they print tracebacks), and their date/phone/person logic is not
clinical (it redacts "3 days", doses and eponyms). Context is part of each rule's regex, so Presidio's
lemma-based context booster (which needs the lemmatizer we skip for speed) is replaced by a no-op.
"""
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer

from . import dates, identifiers, names, places
from .ner import ClinicalNerRecognizer, GatedSpacyNlpEngine
from .rules import RuleRecognizer


class _ContextInRules(ContextAwareEnhancer):
    """Scores are final: every rule already required its context."""

    def __init__(self):
        super().__init__(context_similarity_factor=0, min_score_with_context_similarity=0,
                         context_prefix_count=0, context_suffix_count=0)

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        return raw_results


def build_recognizers() -> list[EntityRecognizer]:
    return [
        RuleRecognizer("NAME", names.RULES),
        RuleRecognizer("DATE", dates.RULES),
        RuleRecognizer("AGE", identifiers.AGE_RULES),
        RuleRecognizer("PHONE", identifiers.PHONE_RULES),
        RuleRecognizer("EMAIL", identifiers.EMAIL_RULES),
        RuleRecognizer("URL", identifiers.URL_RULES),
        RuleRecognizer("IP", identifiers.IP_RULES),
        RuleRecognizer("ID", identifiers.ID_RULES),
        RuleRecognizer("ADDRESS", places.build_rules()),
        ClinicalNerRecognizer(),
    ]


def build_analyzer() -> AnalyzerEngine:
    """Load the spaCy model and assemble the analyzer (raises if the model is not installed)."""
    nlp_engine = GatedSpacyNlpEngine()
    nlp_engine.load()
    registry = RecognizerRegistry(recognizers=build_recognizers(), supported_languages=["en"])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"],
                          context_aware_enhancer=_ContextInRules())
