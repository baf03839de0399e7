"""The planted-PHI evaluation set and its scorer (not the de-identifier): what the benchmark's numbers rest on."""
import re
from collections import Counter

import pytest
from deid_eval_set import HARD_SURNAMES, EvalNote, GoldSpan, build_eval_set
from deid_scoring import score

from medcurate.phi.categories import PHI_TYPES


@pytest.fixture(scope="module")
def data_dir(shared_data):
    return shared_data / "clinical_notes"


@pytest.fixture(scope="module")
def default_set(data_dir):
    return build_eval_set(data_dir)


def gold_texts(notes, category):
    return [n.text[g.start:g.end] for n in notes for g in n.gold if g.type == category]


def clinical_texts(note):
    return [note.text[s:e] for s, e in note.clinical_terms]


def test_same_seed_same_set_other_seed_other_set(data_dir):
    assert build_eval_set(data_dir, 40, seed=5) == build_eval_set(data_dir, 40, seed=5)
    assert build_eval_set(data_dir, 40, seed=5) != build_eval_set(data_dir, 40, seed=6)


def test_default_set_has_every_category_and_source(default_set):
    assert len(default_set) == 300 and len({n.id for n in default_set}) == 300
    counts = Counter(g.type for n in default_set for g in n.gold)
    assert all(counts[c] >= 30 for c in PHI_TYPES), counts
    assert set(counts) == set(PHI_TYPES)
    assert {n.id.split(":")[0] for n in default_set} == {"mtsamples", "aci_bench", "syngp500", "mts_dialog"}


def test_offsets_are_exact_and_spans_disjoint(default_set):
    for note in default_set:
        spans = sorted([(g.start, g.end) for g in note.gold] + note.clinical_terms)
        for (s1, e1), (s2, _) in zip(spans, spans[1:]):
            assert e1 <= s2, (note.id, note.text[s1:e1], note.text[s2:s2 + 20])
        for g in note.gold:
            piece = note.text[g.start:g.end]
            assert piece and piece == piece.strip() and 0 <= g.start < g.end <= len(note.text)
    # surface forms are whole identifiers, nothing more nor less
    assert all(re.fullmatch(r"\S+@\S+\.[a-z]+", t, re.I) for t in gold_texts(default_set, "EMAIL"))
    assert all(re.fullmatch(r"[\d.]+|[\da-f:]+", t, re.I) for t in gold_texts(default_set, "IP"))
    assert all(10 <= len(re.sub(r"\D", "", t)) <= 11 for t in gold_texts(default_set, "PHONE"))
    assert all(t.isdigit() and int(t) >= 90 or t.lower().startswith("ninety") for t in gold_texts(default_set, "AGE"))
    labels = ("dr", "mrn", "ssn")   # titles and field labels stay outside the span
    assert not any(t.lower().startswith(labels) for t in gold_texts(default_set, "NAME") + gold_texts(default_set, "ID"))


def test_surface_forms_vary(default_set):
    def shape(text):
        return re.sub(r"[a-z]+", "a", re.sub(r"\d+", "9", text.lower()))
    assert len({shape(t) for t in gold_texts(default_set, "DATE")}) >= 12
    assert len({shape(t) for t in gold_texts(default_set, "PHONE")}) >= 8
    assert len({shape(t) for t in gold_texts(default_set, "ID")}) >= 10
    assert len(set(gold_texts(default_set, "NAME"))) >= 300


def test_placeholders_replaced_and_real_phi_made_gold(default_set):
    assert not any(re.search(r"\bDr\. (?:X|Y|XYZ|ABC)\b", n.text) for n in default_set)
    aci = [n for n in default_set if n.id.startswith("aci_bench:")]
    assert sum(bool(n.gold) for n in aci) == len(aci)
    assert "22/11/25" in gold_texts([n for n in default_set if n.id.startswith("syngp500:")], "DATE")


def test_hard_cases_present(default_set):
    names = Counter(gold_texts(default_set, "NAME"))
    clinical = Counter(t for n in default_set for t in clinical_texts(n))
    # the same word as a name and, in the same note, medically
    same_note = [w for n in default_set for w in HARD_SURNAMES
                 if w in {n.text[g.start:g.end] for g in n.gold} and any(w in t for t in clinical_texts(n))]
    assert len(same_note) >= 10 and len(set(same_note)) >= 5
    assert sum(names[w] for w in ("Grace", "Hope", "May", "Rose", "Frank", "Hunter")) >= 20
    for term in ("May", "hope", "rose", "frank hematuria", "Wood's lamp"):
        assert clinical[term] + clinical[term.upper()] + clinical[term.lower()] > 0, term
    numbers = [t for t in clinical if re.fullmatch(r"\d+", t)]                    # young ages and years
    assert any(int(t) < 90 for t in numbers) and any(1978 <= int(t) <= 2025 for t in numbers)
    assert any(re.fullmatch(r"(?i)pain \d+/10", t) for t in clinical)
    assert any(re.fullmatch(r"(?i)BP \d+/\d+", t) for t in clinical)
    assert any(re.search(r"(?i)HbA1c", t) for t in clinical)


def test_gold_as_prediction_scores_perfectly(default_set):
    report = score(default_set, [[(g.type, g.start, g.end) for g in n.gold] for n in default_set])
    for category, tally in report.rows.items():
        assert all(v == 1.0 for v in tally.metrics().values()), category
    assert report.over_redaction == 0.0
    assert "NAME" in str(report) and "over-redaction" in str(report)


TEXT = "Seen by Dr. Okafor and Grace Hunter on 03/14/2024 for Parkinson disease."


def at(kind, s):
    return kind, TEXT.index(s), TEXT.index(s) + len(s)


def tiny() -> EvalNote:
    """TEXT with two names and a date as gold, and the disease as a clinical term."""
    gold = [GoldSpan(*at("NAME", "Okafor")), GoldSpan(*at("NAME", "Grace Hunter")), GoldSpan(*at("DATE", "03/14/2024"))]
    return EvalNote("tiny", TEXT, gold, [at("", "Parkinson disease")[1:]])


def test_one_missed_name_one_false_positive():
    report = score([tiny()], [[at("NAME", "Okafor"), at("DATE", "03/14/2024"), at("NAME", "Parkinson")]])
    name, date, overall = (report.rows[c].metrics() for c in ("NAME", "DATE", "ALL"))
    assert name["token_recall"] == pytest.approx(1 / 3)      # Okafor of Okafor, Grace, Hunter
    assert name["token_precision"] == 0.5                    # Okafor right, Parkinson wrong
    assert name["exact_recall"] == name["exact_precision"] == name["overlap_recall"] == 0.5
    assert date["token_recall"] == date["token_precision"] == date["exact_recall"] == 1.0
    assert overall["token_recall"] == pytest.approx(4 / 6)   # 03, 14, 2024 and Okafor
    assert overall["token_precision"] == pytest.approx(4 / 5)
    assert overall["token_f1"] == pytest.approx(2 * (4 / 6) * (4 / 5) / (4 / 6 + 4 / 5))
    assert overall["exact_recall"] == pytest.approx(2 / 3) and overall["exact_precision"] == pytest.approx(2 / 3)
    assert report.over_redaction == 0.5                      # Parkinson of Parkinson, disease
    assert report.rows["AGE"].metrics()["token_recall"] is None


def test_wrong_type_and_loose_boundaries():
    report = score([tiny()], [[at("ID", "03/14/2024"), at("NAME", "Dr. Okafor"), at("NAME", "Grace Hunter")]])
    date, name = report.rows["DATE"].metrics(), report.rows["NAME"].metrics()
    assert date["token_recall"] == 1.0 and date["typed_token_recall"] == 0.0 and date["overlap_recall"] == 0.0
    assert name["exact_recall"] == 0.5 and name["overlap_recall"] == 1.0 and name["overlap_precision"] == 1.0
    assert name["token_precision"] == pytest.approx(3 / 4)   # "Dr" is not a name
    assert report.rows["ID"].metrics()["typed_token_precision"] == 0.0
    assert report.over_redaction == 0.0


def test_rejects_unknown_types_and_misaligned_predictions():
    with pytest.raises(ValueError):
        score([tiny()], [[("PERSON", 0, 4)]])
    with pytest.raises(ValueError):
        score([tiny()], [])
