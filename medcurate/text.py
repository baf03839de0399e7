"""Small text utilities shared by the ingesters: whitespace folding, decoding, a cheap language guess."""
import re
import unicodedata


def fold_ws(text: str | None) -> str:
    """Collapse runs of whitespace to single spaces and strip; None becomes ''.

    Hot in the JATS parser, so it skips the work for text that is already folded: printable text holds
    no whitespace but U+0020, so it only needs the double/edge-space checks.
    """
    if not text:
        return ""
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text
    return " ".join(text.split())


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM); raise UnicodeDecodeError on bytes that are not UTF-8."""
    return data.decode("utf-8-sig")


_STOPWORDS = {
    "en": {"the", "of", "and", "to", "in", "is", "with", "for", "which", "a", "was", "are", "following"},
    "fr": {"le", "la", "les", "des", "et", "est", "une", "du", "dans", "pour", "lequel", "laquelle", "sont"},
    "es": {"el", "la", "los", "las", "de", "y", "es", "en", "una", "por", "con", "del", "cuál"},
    "de": {"der", "die", "das", "und", "ist", "mit", "von", "ein", "eine", "nicht", "welche", "den"},
    "pt": {"o", "a", "os", "as", "de", "e", "do", "da", "em", "um", "uma", "com", "não"},
    "it": {"il", "lo", "la", "di", "e", "che", "è", "per", "una", "con", "del", "della", "quale"},
}


_SCRIPTS = [  # (language, pattern, share of letters needed), checked in order
    ("ja", re.compile(r"[\u3040-\u30ff]"), 0.1),
    ("ko", re.compile(r"[\uac00-\ud7af]"), 0.3),
    ("zh", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"), 0.3),
    ("ru", re.compile(r"[\u0400-\u04ff]"), 0.3),
    ("ar", re.compile(r"[\u0600-\u06ff]"), 0.3),
]
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")


def guess_language(text: str) -> str:
    """ISO 639-1 guess from script and stopwords; 'und' when there is too little evidence.

    Good enough to tag exam banks and notes by language; not a substitute for a real language-id model.
    """
    sample = unicodedata.normalize("NFC", text[:2000])
    letters = len(_LETTER.findall(sample))
    if letters == 0:
        return "und"
    for lang, pattern, share in _SCRIPTS:
        if len(pattern.findall(sample)) / letters > share:
            return lang
    words = _WORD.findall(sample.lower())
    if not words:
        return "und"
    scores = {lang: sum(w in stops for w in words) for lang, stops in _STOPWORDS.items()}
    best = max(scores, key=scores.get)
    if scores[best] < 2 and len(words) > 8:
        return "und"
    return best if scores[best] > 0 else "und"
