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


def guess_language(text: str) -> str:
    """ISO 639-1 guess from script and stopwords; 'und' when there is too little evidence.

    Good enough to tag exam banks and notes by language; not a substitute for a real language-id model.
    """
    sample = text[:2000]
    cjk = kana = hangul = cyr = arab = letters = 0
    for ch in sample:
        if not ch.isalpha():
            continue
        letters += 1
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF:
            kana += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            cjk += 1
        elif 0xAC00 <= o <= 0xD7AF:
            hangul += 1
        elif 0x0400 <= o <= 0x04FF:
            cyr += 1
        elif 0x0600 <= o <= 0x06FF:
            arab += 1
    if letters == 0:
        return "und"
    if kana / letters > 0.1:
        return "ja"
    if hangul / letters > 0.3:
        return "ko"
    if cjk / letters > 0.3:
        return "zh"
    if cyr / letters > 0.3:
        return "ru"
    if arab / letters > 0.3:
        return "ar"
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", sample.lower()))
    if not words:
        return "und"
    scores = {lang: sum(w in stops for w in words) for lang, stops in _STOPWORDS.items()}
    best = max(scores, key=scores.get)
    if scores[best] < 2 and len(words) > 8:
        return "und"
    return best if scores[best] > 0 else "und"
