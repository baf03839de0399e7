"""Person names: the cues that announce them in clinical text, and checks on spaCy's PERSON guesses.

A name is recognised by what surrounds it: a title ("Dr. Flores", "mr . ward"), a field label
("Patient: Roe, Jane", "Dictated by ..."), a credential ("..., MD"), a greeting in dictated dialogue
("[doctor] hi sophia"), a relative or role ("her daughter Susan", "Per nursing (Hope)"), the subject
of a clinical sentence ("brian is a 58 year old male", "Grace Hodgkin has a history of ...") or a
pairing of known given name and surname. Eponyms ("Parkinson disease", "Bell's palsy", "Hunter
syndrome") and everyday words that are also names ("grace", "will") are kept.
"""
import re
from typing import Callable, Iterable, Optional

from . import gazetteer
from .lexicons import (
    CLINICAL_ENDINGS,
    COMMON_WORD_NAMES,
    CREDENTIALS,
    DASH,
    DRUG_ENDINGS,
    EPONYMS,
    FACILITY_HEADS,
    GENERIC_FACILITY_WORDS,
    GREETINGS,
    RELATIVES,
    TITLES,
    WEAK_TITLES,
)
from .name_words import (
    BY,
    CAP,
    INITIAL,
    KNOWN,
    LABEL,
    LOWER,
    PARTICLES,
    UPPER,
    WEAK,
    WORD,
    Cue,
    clinical_word,
    is_eponym_use,
    never_name,
    plain,
    read_name,
    strip_possessive,
)
from .rules import Rule, lead, local_case, words_alternation

Spans = Iterable[tuple[int, int]]
# What may follow a name in a header field: end of line, a separator, another column, "DOB".
_FIELD_END = re.compile(r"[ \t]*(?:$|\n|[,;(|]|[ \t]{2}|(?i:dob|d\.o\.b|mrn|age|date|sex|born)\b)")
_COMMA = re.compile(r",[ \t]*")
_AND = re.compile(r"[ \t]+(?i:and|&)[ \t]+(?:(?i:dr)\.?[ \t]+)?")
_DOSE_NEXT = re.compile(r"[ \t]+\d+(?:\.\d+)?[ \t]*(?i:mg|mcg|g|ml|units?|%|tabs?|tablets?|puffs?)\b")


def _inverted(text: str, span: tuple[int, int], cue: Cue) -> tuple[int, int]:
    """"Baptiste, Alejandro (age 91)": a surname field continues with ", given name"."""
    comma = _COMMA.match(text, span[1])
    if comma is None:
        return span
    given = read_name(text, comma.end(), cue, limit=2)
    if given and not clinical_word(text[given[0]:given[1]].split()[0]) and _FIELD_END.match(text, given[1]):
        return span[0], given[1]
    return span


def _after(cue: Cue) -> Callable:
    def extract(text: str, m: re.Match) -> Spans:
        span = read_name(text, m.end(), cue)
        return [_inverted(text, span, cue)] if span else []
    return extract


def _after_title(text: str, m: re.Match) -> Spans:
    """"Dr. Flores", "mr . ward", "Drs. García and Adeyemi", "DR. JANE ROE". A full-word title
    ("Doctor", "Sister") takes no dot, so "Thank you, Doctor. Tell me" is not a name; "MS"/"MR" in
    capitals are usually abbreviations (multiple sclerosis, modified release)."""
    title = m["title"]
    if "." in m.group() and title.lower() in WEAK_TITLES - {"prof", "drs", "rev"}:
        return []
    cue = Cue(strong=not title.isupper() or local_case(text, m.start()) == "upper", eponyms_ok=True,
              free_lower=title == "dr" or (title in ("mr", "mrs", "ms", "drs") and "." in m.group()),
              upper=title.isupper())
    spans = []
    span = read_name(text, m.end(), cue)
    while span:
        spans.append(span)
        more = _AND.match(text, span[1]) if title.lower() in ("drs", "doctors") else None
        span = read_name(text, more.end(), cue) if more else None
    return spans


def _greeted(text: str, m: re.Match, cue: Cue = WEAK) -> Spans:
    """"hi sophia", "okay raymond it looks", "hey jean how're you" — not "good morning, young lady"."""
    span = read_name(text, m.end(), cue)
    if span is None:
        vocative = _VOCATIVE.match(text, m.end())
        if vocative and gazetteer.is_first_name(vocative["name"]) and not never_name(vocative["name"]):
            span = vocative.span("name")
    if span is None or _ADDRESSED_GROUP.match(text, span[1]):
        return []
    return [span]


def _speaker_field(text: str, m: re.Match) -> Spans:
    """"Patient: Jane Roe" is a name, "Patient: Sure, I do" is a transcript line."""
    span = read_name(text, m.end(), LABEL)
    if span is None:
        return []
    span = _inverted(text, span, LABEL)
    words = text[span[0]:span[1]].split()
    if (len(words) > 1 or gazetteer.is_name(words[0])) and _FIELD_END.match(text, span[1]):
        return [span]
    return []


def _name_list(text: str, m: re.Match) -> Spans:
    """"cc: Dr. Ann Lee; John Park, MD" — entries up to the first that is not a titled or full name
    ("CC: Chest pain" is a chief complaint)."""
    line_end = text.find("\n", m.end())
    line = text[m.end(): len(text) if line_end < 0 else line_end]
    for entry in re.finditer(r"[^,;]+", line):
        titled = _LIST_TITLE.match(text, m.end() + entry.start())
        span = read_name(text, titled.end(), LABEL)
        words = text[span[0]:span[1]].split() if span else []
        named = len(words) > 1 and all(
            gazetteer.is_name(w) or plain(w) in EPONYMS or re.fullmatch(INITIAL, w) or _name_shaped(w) for w in words)
        if not words or not (titled.group().strip() or named):
            return
        yield span


def _role(text: str, m: re.Match) -> Spans:
    """"Per nursing (Hope)", "Interpreter Frank Fernández-López assisted"; out of brackets a single word
    must be a known name ("pt RN Anglo-Celtic background" is no name)."""
    bracketed = "(" in m.group()
    span = read_name(text, m.end(), WEAK)
    if span is None or (bracketed and not re.match(r"[ \t]*\)", text[span[1]:])):
        return []
    words = text[span[0]:span[1]].split()
    if not bracketed and len(words) < 2 and not gazetteer.is_name(words[0]):
        return []
    return [span]


def _name_word(word: str, caseless: bool) -> bool:
    """Can `word` be part of a name? Lowercase words only on a line written all in lowercase."""
    if re.fullmatch(INITIAL, word) or word.lower() in PARTICLES or (caseless and re.fullmatch(r"[a-z]\.", word)):
        return True
    if never_name(word) or not re.fullmatch(rf"{CAP}|{UPPER}" + (rf"|{LOWER}" if caseless else ""), word):
        return False
    return gazetteer.is_name(word) or (plain(word) not in COMMON_WORD_NAMES and not clinical_word(word))


def _name_before(text: str, pos: int, single_ok: bool = False, single_eponym: bool = False) -> Spans:
    """The name that ends at `pos`, if the (up to three) words before it can be one, one of them known.
    An eponym counts after a given name ("Grace Hodgkin has a history of Hodgkin lymphoma")."""
    line = text[max(0, pos - 60):pos].split("\n")[-1]
    words = list(re.finditer(r"[^\s,]+,?", line))
    offset = pos - len(line)
    kept = []
    caseless = local_case(text, pos - 1) != "mixed"
    for w in reversed(words):
        word = w.group().rstrip(",")
        eponym = plain(word) in EPONYMS and word[:1].isupper()
        counted = sum(k.group().lower() not in PARTICLES for k in kept)         # "Thanh Van der Berg"
        if counted == 3 or not (_name_word(word, caseless) or eponym) or (w.group().endswith(",") and not kept):
            break
        kept.append(w)
    while kept and kept[-1].group() in PARTICLES:       # "der Berg" -> "Berg"; "Van der Berg" stays
        kept.pop()
    names = [w.group().rstrip(",") for w in kept]
    if not names:
        return []
    initialled = len(names) > 1 and any(re.fullmatch(INITIAL, n) for n in names)    # "R. Papadopoulos is ..."
    several = len(names) > 1 and all(gazetteer.is_name(n) or _name_shaped(n) or plain(n) in EPONYMS for n in names) \
        and any(not re.fullmatch(INITIAL, n) for n in names)                          # "Bongani Papadopoulos"
    given = names[-1][:1].isupper() and gazetteer.is_first_name(names[-1])         # "Rose was counselled"
    alone = len(names) == 1 and ((single_ok and _name_shaped(names[0]))                 # "ji-woo (the patient's ...)"
                                 or (single_eponym and re.fullmatch(CAP, names[0]) and plain(names[0]) in EPONYMS))
    if not (initialled or several or given or alone or any(gazetteer.is_distinctive_name(n) for n in names)):
        return []
    if any(plain(n) in EPONYMS for n in names) and len(names) < 2 and not alone:
        return []
    return [(offset + kept[-1].start(), offset + kept[0].end())]


def _name_shaped(word: str) -> bool:
    """An unknown word that can still be a name ("Ji-woo", "BAPTISTE"), unlike "Caregiver", "Treatment",
    "Rash" or an abbreviation."""
    if not re.fullmatch(rf"{CAP}|{LOWER}|{UPPER}", word) or (word.isupper() and len(word) < 4):
        return False
    low = plain(word)
    return not (clinical_word(word) or low in COMMON_WORD_NAMES or low in GENERIC_FACILITY_WORDS
                or never_name(word, capitalised=True)
                or low.endswith(("tion", "ment", "ness", "ing", "ist", "ogy", "er", "al", "ic")))


def _subject(text: str, m: re.Match) -> Spans:
    """The subject of a clinical sentence, if its last words are a name: "brian is a 58 year old",
    "Smith, Oliver presents", "ESPERANZA HADDAD PRESENTS TODAY". Only people deny, report, present
    and complain, so one capitalised eponym is a surname there ("Addison denies chest pain")."""
    verb = m.group().strip()
    if not (verb.islower() or verb.isupper()):
        return []       # "the United States." is no sentence about a person
    person_verb = verb.lower().startswith(("denie", "report", "state", "present", "complain", "endorse"))
    return _name_before(text, m.start(), single_eponym=person_verb)


def _line(text: str, m: re.Match) -> Spans:
    """A line (or "|" field) that is only a name, as in signature blocks and headers: a known given
    name or a known surname among two to four name-shaped words ("Will Nakamura", "liam abdullah",
    "MEI ADEYEMI", "K. VAN DER BERG")."""
    words = [w for w in m["name"].split() if w.lower() not in PARTICLES]
    case = local_case(text, m.start("name"))
    shaped = {"lower": lambda w: w.islower(), "upper": lambda w: w[:1].isupper(),
              "mixed": lambda w: re.fullmatch(rf"{CAP}|{INITIAL}", w) is not None}[case]
    shaped = all(shaped(w) for w in words)
    names = [w for w in words if not re.fullmatch(INITIAL, w)]
    if not shaped or not names or any(never_name(w) or (
            clinical_word(w) and not gazetteer.is_name(w) and not (plain(w) in EPONYMS and len(words) > 1))
            for w in names):
        return []
    initialled = re.fullmatch(INITIAL, words[0]) is not None and case == "mixed"     # "A. Nakamura"
    field = text[m.end():m.end() + 1] == "|"                          # "Ji-woo Baptiste | MRN ..."
    signature = len(names) > 1 and all(_name_shaped(n) or gazetteer.is_name(n) for n in names) and (
        _SIGNATURE_NEXT.match(text, m.end()))                          # a name line above a facility or address
    if initialled or field or signature or gazetteer.is_first_name(names[0]) or gazetteer.is_last_name(names[-1]):
        return [m.span("name")]
    return []


def _credentialed(text: str, m: re.Match) -> Spans:
    """"John A. Smith, MD": up to three name words before the credential, one of them a known name."""
    names = _NAMES_BEFORE.search(text, max(0, m.start() - 80), m.start())
    if names is None:
        return []
    words = list(re.finditer(rf"{CAP}|{INITIAL}", names.group()))
    while words and (len(words) > 3 or never_name(words[0].group()) or words[0].group().endswith(".")):
        words.pop(0)
    if not any(gazetteer.is_name(w.group()) for w in words):
        return []
    return [(names.start() + words[0].start(), names.start() + words[-1].end())]


def _pairs(text: str, m: re.Match) -> Spans:
    """A known given name followed by a surname ("Grace Hunter", "christina cooper", "JUNE KIM")."""
    first = m.group()
    if not gazetteer.is_first_name(first):
        return []
    following = _SURNAME_AFTER.match(text, m.end())
    if following is None:
        return []
    last = following["last"]
    if (never_name(first) or never_name(last) or is_eponym_use(text, following.end())
            or (clinical_word(last) and not gazetteer.is_last_name(last)) or first.islower() != last.islower()):
        return []
    if first.islower():
        ok = (gazetteer.is_distinctive_name(first) and gazetteer.is_last_name(last)
              and plain(last) not in COMMON_WORD_NAMES)
    elif first.isupper() or last.isupper():
        ok = first.isupper() and last.isupper() and gazetteer.is_last_name(last) and (
            gazetteer.is_distinctive_name(first) or gazetteer.is_distinctive_name(last))
    elif gazetteer.is_last_name(last):
        ok = gazetteer.is_distinctive_name(first) or gazetteer.is_distinctive_name(last)
    else:
        ok = gazetteer.is_distinctive_name(first) and plain(last) not in EPONYMS | COMMON_WORD_NAMES
    return [(m.start(), following.end())] if ok else []


def _inverted_pair(text: str, m: re.Match) -> Spans:
    """"García, Piotr | NPI ...", "Cushing, Yusuf |": a surname, a comma and a given name ending a field
    (a known one, or any name-shaped one before a "|")."""
    last, first = m["last"], m["first"]
    surname = last.split()[-1]
    given = gazetteer.is_first_name(first) or (_name_shaped(first) and re.match(r"[ \t]*\|", text[m.end():]))
    if any(never_name(w) for w in last.split()) or never_name(first) or not given:
        return []
    if gazetteer.is_last_name(surname) or not plain(surname).endswith(DRUG_ENDINGS + CLINICAL_ENDINGS):
        return [m.span()]
    return []


# A given name used to address someone, even an everyday one: "hey jean how're you", "hi Grace,".
_VOCATIVE = re.compile(rf"(?P<name>{CAP}|{LOWER})(?=[ \t]*(?:[,.?!]|$)|[ \t]+(?i:how|it's|good|nice|great)\b)")
_ADDRESSED_GROUP = re.compile(r"[ \t]+(?i:lady|man|men|woman|women|folks|people|guys|girls?|boys?|team|all)\b")
_NAMES_BEFORE = re.compile(rf"(?:(?:{CAP}|{INITIAL})[ \t]+){{0,4}}{CAP}$")
_SIGNATURE_NEXT = re.compile(rf"[ \t]*\n[ \t]*(?:\d+[ \t]+\w|[^\n]*\b(?i:{words_alternation(FACILITY_HEADS)})\b)")
_LIST_TITLE = re.compile(rf"[ \t]*(?i:and[ \t]+)?(?:(?i:{words_alternation(TITLES)})\.?[ \t]+)?")
_SURNAME_AFTER = re.compile(rf"[ \t]+(?:{INITIAL}[ \t]+)?(?P<last>{WORD})(?![\w'’\-])")

_FIELD_LABELS = (
    "patient name|patient's name|pt name|name|attending|attending physician|attending doctor|attending surgeon|"
    "referring physician|referring provider|referring doctor|referring clinician|referring consultant|referring|"
    "pcp|gp|primary care physician|primary care provider|primary care doctor|provider|physician|surgeon|"
    "assistant|assistant surgeon|anesthesiologist|anaesthetist|anesthetist|resident|fellow|consultant|"
    "next of kin|nok|emergency contact|contact person|informant|author|clinician|dictating physician|"
    "ordering physician|ordering provider|interpreter|chaperone|witness|scribe|to|from|attn|attention|re|"
    "signed|electronically signed|e-signed|dictated|dictated by|transcribed by|reviewed|reviewed by|cosigned")
_SPEAKER_LABELS = "patient|pt|doctor|nurse|mother|father|guardian|spouse|guest|carer|caregiver"
_BY_PHRASES = ("signed electronically-signed e-signed dictated transcribed reviewed authored seen examined performed "
               "interpreted read ordered requested referred accompanied attended evaluated supervised verified "
               "approved prepared written cosigned co-signed").split()
_INTRO = ("my name is|her name is|his name is|name is|this is|i am|i'm|im|call me|next patient is|patient is|"
          "next is|i'm seeing|im seeing|i am seeing|seeing|meet|patient ,|patient,|pt,")
_ROLES = ("nursing|nurse|rn|sw|social worker|social work|interpreter|translator|chaperone|carer|caregiver|"
          "pharmacist|physio|physiotherapist|therapist|midwife|paramedic|case manager|support worker|key worker")
_DEPARTMENTS = ("social work", "pharmacy", "physio", "physiotherapy", "occupational therapy", "physical therapy",
                "nursing", "case management", "cardiology", "neurology", "oncology", "radiology", "pathology",
                "dietetics", "psychiatry", "psychology", "palliative care", "the lab", "billing", "reception")
_CONTACT_VERBS = ("spoke|spoken|talked|discussed|phoned|rang|messaged|emailed|texted|asked|ask|told|tell|"
                  "informed|updated|reassured|met|per")
_PREDICATES = (
    r"(?:is|was)[ \t]+an?[ \t]+(?:[\w\-]+[ \t]+){0,2}?(?:\d{1,3}|[a-z]+(?:[ \-][a-z]+){0,2})[ \t]*[-‐‑]?[ \t]*"
    r"(?:year|yr|month|week|day)s?[ \t]*[-‐‑]?[ \t]*old\b"
    r"|(?:is|was)[ \t]+an?[ \t]+(?:[\w\-]+[ \t]+){0,2}?\d{1,3}[ \t]*[-‐‑]?[ \t]*(?:year|yr|month|week|day)s?\b"
    r"|(?:has|had)[ \t]+(?:a[ \t]+)?(?:(?:past|prior|long|known|significant|documented)[ \t]+)*"
    r"(?:medical[ \t]+)?history\b"
    r"|(?:presents|presented|reports|reported|denies|denied|states|stated|complains|complained|returns|returned|comes|"
    r"came|arrives|arrived|underwent|tolerated|agrees|agreed|notes|noted|describes|described|endorses|endorsed|"
    r"continues|remains|remained)\b"
    r"|(?:was|is)[ \t]+(?:seen|admitted|referred|evaluated|counsell?ed|advised|here|discharged|being[ \t]+seen)\b")


_PREDICATE_WORDS = sorted(set(re.findall(r"[a-z]+", _PREDICATES)))


def _phrases(alternatives: str) -> str:
    return words_alternation(alternatives.split("|"))


def _first_words(alternatives: str) -> list[str]:
    return [a.split()[0] for a in alternatives.split("|")]


RULES = [
    Rule("name.title", re.compile(
        rf"{lead(TITLES)}(?<![\w])(?P<title>(?i:{words_alternation(TITLES)}))(?:[ \t]*\.[ \t]*|[ \t]+)"), 0.9,
        _after_title),
    Rule("name.field", re.compile(
        rf"{lead(_first_words(_FIELD_LABELS))}(?<![\w])(?<![A-Za-z] )(?i:{_phrases(_FIELD_LABELS)})[ \t]*:[ \t]*"),
        0.85, _after(LABEL)),
    Rule("name.speaker_field", re.compile(rf"(?im:^[ \t]*(?:{_SPEAKER_LABELS})[ \t]*:[ \t]*)"), 0.85, _speaker_field),
    Rule("name.by", re.compile(
        rf"{lead(_BY_PHRASES + ['discussed', 'd'])}(?<![\w])(?i:(?:{words_alternation(_BY_PHRASES)})[ \t]+by[ \t]*:?"
        r"|(?:discussed|reviewed|seen|examined)[ \t]+with|d/w)[ \t]+"), 0.85, _after(BY)),
    Rule("name.cc", re.compile(r"(?im:^[ \t]*(?:cc|c\.c\.|copy\s+to|copies\s+to)[ \t]*:)"), 0.85, _name_list),
    Rule("name.greeting", re.compile(
        rf"{lead(GREETINGS | {'good'})}(?<![\w{re.escape(DASH)}])"
        rf"(?i:good[ \t]+(?:morning|afternoon|evening|night)|thank[ \t]+you|{words_alternation(GREETINGS)})"
        r"\b[ \t]*,?[ \t]*"), 0.8, _greeted),
    # Dictation turns open with a discourse marker and the patient's name: "[doctor] so sophia i see".
    Rule("name.turn_opener", re.compile(
        r"(?im:^(?:\[[\w ]+\]|[A-Za-z]+:)?[ \t]*(?:so|okay|ok|alright|all[ \t]+right|well|now|um|uh)[ \t]*,?[ \t]+)"),
        0.75, lambda text, m: _greeted(text, m, KNOWN)),
    Rule("name.relative", re.compile(
        rf"{lead(['his', 'her', 'their', 'my', 'your', 'the', 'pt'])}(?<![\w])"
        rf"(?i:(?:his|her|their|my|your|the\s+patient'?s|pt'?s)\s+(?:{words_alternation(RELATIVES)}))"
        r"\b[ \t]*,?[ \t]*(?:(?i:is|was|named|called)[ \t]+)?"), 0.8, _after(WEAK)),
    Rule("name.role", re.compile(
        rf"{lead(_first_words(_ROLES))}(?<![\w])(?i:{_phrases(_ROLES)})[ \t]*(?:\([ \t]*|,?[ \t]+)"), 0.8, _role),
    Rule("name.contacted", re.compile(
        rf"{lead(_first_words(_CONTACT_VERBS))}(?<![\w])(?i:{_phrases(_CONTACT_VERBS)})(?:[ \t]+(?i:with|to))?[ \t]+"),
        0.75, _after(KNOWN)),
    Rule("name.intro", re.compile(
        rf"{lead(_first_words(_INTRO))}(?<![\w])(?i:{_phrases(_INTRO)})[ \t]+"), 0.8, _after(WEAK)),
    Rule("name.subject", re.compile(rf"{lead(_PREDICATE_WORDS)}(?<=[\w.,][ \t])(?i:{_PREDICATES})"), 0.8, _subject),
    Rule("name.relation_after", re.compile(
        rf"[ \t]*\((?i:the[ \t]+)?(?i:patient'?s|pt'?s|his|her|their)[ \t]+"
        rf"(?i:{words_alternation(RELATIVES | set(_ROLES.split('|')) | {'case manager'})})\)"),
        0.8, lambda text, m: _name_before(text, m.start(), single_ok=True)),
    Rule("name.line", re.compile(
        rf"(?m)^[ \t]*(?P<name>(?:{INITIAL}|{WORD})(?:[ \t]+(?:{INITIAL}|{WORD})){{1,3}})[ \t]*(?=$|\|)"), 0.75, _line),
    Rule("name.colleague", re.compile(
        rf"[ \t]+(?i:in|from|of)[ \t]+(?:the[ \t]+)?(?i:{words_alternation(_DEPARTMENTS)})\b"), 0.75,
        lambda text, m: _name_before(text, m.start())),
    # Found from the credential back to the name: "MD" is rarer than a capitalised word.
    Rule("name.credential", re.compile(
        rf"(?<=[\w.]),?[ \t]+(?:{'|'.join(re.escape(c.upper()) for c in CREDENTIALS if c not in ('do', 'ms'))}"
        r"|M\.D\.|D\.O\.|PhD|PharmD)(?![\w])"), 0.85, _credentialed),
    # Any word followed by another: the gazetteer test in _pairs is the filter (a plain word pattern is
    # several times faster than the name shapes here, and this rule sees every word of a note).
    Rule("name.pair", re.compile(r"(?<![\w'’\-])[^\W\d_]+(?:['’\-][^\W\d_]+)*(?![\w'’\-])(?=[ \t]+[^\W\d_])"),
         0.75, _pairs),
    Rule("name.inverted", re.compile(
        rf"(?<![\w'’\-])(?P<last>(?:{CAP}|{UPPER})(?:[ \t]+(?:{CAP}|{UPPER})){{0,2}}),[ \t]*(?P<first>{CAP}|{UPPER})"
        rf"(?:[ \t]+{INITIAL})?(?=[ \t]*(?:\||\(|\n|$|[ \t]{{2}}))"), 0.8, _inverted_pair),
]


def accept_ner_person(text: str, start: int, end: int) -> Optional[tuple[int, int]]:
    """spaCy's PERSON, trimmed of titles, leading verbs and possessives, if it can be a person's name.

    Rejected: eponyms and instruments ("Foley catheter", "Murphy neg", "Gore-Tex"), drugs and clinical
    terms, query diagnoses ("?Fournier"), abbreviations in capitals, and words no gazetteer knows.
    """
    column = re.search(r"\n|[ \t]{2}", text[start:end])
    end = start + column.start() if column else end
    words = list(re.finditer(r"[^\s,;:()]+", text[start:end]))
    if any(plain(w.group()) in EPONYMS for w in words):
        return None
    while words and (never_name(words[0].group().rstrip(".")) or not words[0].group()[0].isalpha()):
        words.pop(0)
    while words and (never_name(words[-1].group()) or not words[-1].group()[-1].isalpha()):
        words.pop()
    while len(words) > 1 and not gazetteer.is_distinctive_name(words[0].group()) and any(
            gazetteer.is_distinctive_name(w.group()) for w in words[1:]):
        words.pop(0)
    if not words:
        return None
    s = start + words[0].start()
    e = strip_possessive(text, s, start + words[-1].end())
    tokens = text[s:e].split()
    if (any(c.isdigit() for c in text[s:e]) or is_eponym_use(text, e) or _DOSE_NEXT.match(text, e)
            or text[e:e + 1] in ("-", "‑") or text[max(0, s - 1):s] == "?"
            or any(clinical_word(t) or re.search(r"-[a-z]", t) for t in tokens)):
        return None
    if not all(re.fullmatch(rf"{CAP}|{UPPER}|{INITIAL}", t) or t.lower() in PARTICLES for t in tokens):
        return None     # lowercase or odd tokens: spaCy's guesses there are clinical words
    if len(tokens) == 1:
        word = tokens[0]
        return (s, e) if len(word) > 2 and not word.isupper() and gazetteer.is_distinctive_name(word) else None
    if any(t.isupper() and len(t) > 1 and not re.fullmatch(INITIAL, t) for t in tokens):
        return (s, e) if all(gazetteer.is_name(t) for t in tokens if not t.endswith(".")) else None
    return (s, e) if any(gazetteer.is_distinctive_name(t) for t in tokens) else None

