"""The de-identifier (stages/deid): what it must remove, what it must keep, and its output contract."""
import csv
import datetime as dt
import re

import pytest

from medcurate.phi.categories import PHI_TYPES
from medcurate.phi.engine import Deidentified, Deidentifier, DeidUnavailable, PhiSpan


@pytest.fixture(scope="module")
def deid() -> Deidentifier:
    return Deidentifier()


@pytest.fixture(scope="module")
def faker() -> Deidentifier:
    return Deidentifier(surrogate="fake")


def found(deid: Deidentifier, text: str) -> dict[str, set[str]]:
    by_type: dict[str, set[str]] = {}
    for span in deid.detect(text):
        by_type.setdefault(span.type, set()).add(text[span.start:span.end])
    return by_type


def covered(deid: Deidentifier, text: str, phrase: str) -> bool:
    """Every character of `phrase` (first occurrence) lies inside a detected span."""
    start = text.index(phrase)
    spans = deid.detect(text)
    return all(any(s.start <= i < s.end for s in spans) for i in range(start, start + len(phrase)))


# --- every category ------------------------------------------------------------------------------

PLANTED = {
    "NAME": [
        ("Patient: Marisol Ferreira\nDOB: 04/11/1961", "Marisol Ferreira"),
        ("Seen in clinic today with Dr. Okonkwo for follow-up.", "Okonkwo"),
        ("Electronically signed by Tobias Lindqvist, MD on 05/02/2023.", "Tobias Lindqvist"),
        ("Dictated by: Priyanka Raman\nTranscribed by: J. Whitfield", "Priyanka Raman"),
        ("cc: Dr. Hannah Oyelaran; Miguel Santos, MD", "Hannah Oyelaran"),
        ("[doctor] hi sophia , how are you feeling today ?", "sophia"),
        ("[doctor] hello , mrs . delacroix . i'm dr. abernathy .", "delacroix"),
        ("Her daughter, Beatriz, drove her to the appointment.", "Beatriz"),
        ("Mr. Parkinson was reviewed on the ward round.", "Parkinson"),
        ("Grace Hunter is a 45-year-old woman with asthma.", "Grace Hunter"),
        ("Nurse Adebayo took the observations.", "Adebayo"),
        ("Prof. Iwasaki will see her in the memory clinic.", "Iwasaki"),
    ],
    "DATE": [
        ("Admitted on 03/14/2024 with chest pain.", "03/14/2024"),
        ("Last colonoscopy 3/14/24, repeat in five years.", "3/14/24"),
        ("Biopsy taken 14-Mar-2024 and reported benign.", "14-Mar-2024"),
        ("Echo (2024-03-14): EF 55%.", "2024-03-14"),
        ("Symptoms started on March 14th after a fall.", "March 14th"),
        ("She was well until the 14th of March.", "14th of March"),
        ("Seen Mar 14 for the same complaint.", "Mar 14"),
        ("Flu vaccine given 03/14 this season.", "03/14"),
        ("Discharged Monday, October 7, 2024 at 10:15 AM.", "October 7, 2024 at 10:15 AM"),
    ],
    "AGE": [
        ("A 92-year-old woman presents with confusion.", "92"),
        ("Lives alone, aged 95, independent with ADLs.", "95"),
        ("Age: 101\nSex: F", "101"),
        ("94 yo man with a productive cough.", "94"),
        ("93 y/o female, nursing home resident.", "93"),
        ("Her father is ninety-six years old and well.", "ninety-six"),
    ],
    "PHONE": [
        ("Call (555) 201-3344 with results.", "(555) 201-3344"),
        ("Daughter's mobile 555.201.3344.", "555.201.3344"),
        ("UK contact +44 20 7946 0958 (son).", "+44 20 7946 0958"),
        ("Clinic line 555-201-7788 ext. 22 for refills.", "555-201-7788 ext. 22"),
        ("Fax: 555 310 4410", "555 310 4410"),
    ],
    "EMAIL": [("Please send the letter to r.alvarez@mailbox.org today.", "r.alvarez@mailbox.org")],
    "ADDRESS": [
        ("Home address: 12 Harbour Street, Dunmore, PA 18512.", "12 Harbour Street"),
        ("Home address: 12 Harbour Street, Dunmore, PA 18512.", "Dunmore"),
        ("Home address: 12 Harbour Street, Dunmore, PA 18512.", "18512"),
        ("Lives at 4500 N. Main St., Apt 3B with her husband.", "4500 N. Main St., Apt 3B"),
        ("Transferred from St. Bridget's Hospital for dialysis.", "St. Bridget's Hospital"),
        ("She moved from Kalispell last spring.", "Kalispell"),
        ("Mail to PO Box 7712 please.", "PO Box 7712"),
    ],
    "ID": [
        ("MRN: 00482913   Acct #: 7730021", "00482913"),
        ("MRN: 00482913   Acct #: 7730021", "7730021"),
        ("Medical record number is 4417720.", "4417720"),
        ("Insurance: Blue Shield, member XKT-448812-09.", "XKT-448812-09"),
        ("SSN 123-45-6789 on file.", "123-45-6789"),
        ("Prescriber DEA AB1234563, NPI 1234567893.", "AB1234563"),
        ("Specimen S24-018832 sent to pathology.", "S24-018832"),
        ("Pacemaker serial number PJN-448120 checked.", "PJN-448120"),
    ],
    "URL": [
        ("Results are on https://portal.example-health.org/results?id=7 now.",
         "https://portal.example-health.org/results?id=7"),
        ("Patient leaflet at www.kidneycare.org/diet.", "www.kidneycare.org/diet"),
    ],
    "IP": [
        ("Remote monitor connected from 192.168.14.20 overnight.", "192.168.14.20"),
        ("Device address fe80::1ff:fe23:4567:890a logged.", "fe80::1ff:fe23:4567:890a"),
    ],
}


@pytest.mark.parametrize("category,text,phrase", [(c, t, p) for c, cases in PLANTED.items() for t, p in cases])
def test_planted_phi_is_found_with_its_category(deid, category, text, phrase):
    assert covered(deid, text, phrase), (category, phrase, deid.detect(text))
    start = text.index(phrase)
    assert any(s.type == category and s.start < start + len(phrase) and start < s.end for s in deid.detect(text))


def test_categories_cover_the_contract():
    assert set(PLANTED) == set(PHI_TYPES)


# --- what must stay ------------------------------------------------------------------------------

KEPT = [
    ("Known Parkinson disease on levodopa; Bell's palsy in 2019.", ["Parkinson", "Bell", "2019"]),
    ("Hodgkin lymphoma in remission. Hunter syndrome in a cousin.", ["Hodgkin", "Hunter"]),
    ("She said grace before meals; grace period for the copay.", ["grace"]),
    ("Crohn's disease, Graves disease and a positive Murphy's sign.", ["Crohn", "Graves", "Murphy"]),
    ("Metformin 500 mg twice daily and atorvastatin 10 mg daily.", ["500", "10", "Metformin"]),
    ("HbA1c 7.4%, BP 134/82, Na 138, K 4.1, HR 92, SpO2 97% on RA.", ["7.4", "134/82", "138", "92"]),
    ("Centor score 4, GCS 15, pain 6/10, power 5/5, murmur 2/6.", ["4", "15", "6/10", "5/5", "2/6"]),
    ("An 88-year-old man; aged 65; 45 yo; 72 y/o female.", ["88", "65", "45", "72"]),
    ("Diagnosed in 2019, treated for 3 days, reviewed last week.", ["2019", "3 days", "last week"]),
    ("Paracetamol 1 g q8h, twice daily; review in 4/52; symptoms 18/12 ago.", ["q8h", "4/52", "18/12"]),
    ("Type 2 diabetes (E11.9); hypertension (I10); SNOMED 44054006.", ["E11.9", "I10", "44054006"]),
    ("HISTORY OF PRESENT ILLNESS\nPHYSICAL EXAMINATION\nASSESSMENT AND PLAN", ["HISTORY", "ASSESSMENT"]),
    ("Foley catheter placed; Kelly clamp applied; Doppler showed flow.", ["Foley", "Kelly", "Doppler"]),
    ("Lives in Ohio, moved from Canada; cousin in the United States.", ["Ohio", "Canada", "United States"]),
    ("Doctor: When did the pain start?\nPatient: Sure, about a week ago.", ["Sure", "Doctor"]),
    ("Seen in Cardiology Clinic and the Emergency Department.", ["Cardiology Clinic", "Emergency Department"]),
]


@pytest.mark.parametrize("text,words", KEPT)
def test_clinical_words_are_not_redacted(deid, text, words):
    out = deid.deidentify(text, "kept").text
    for word in words:
        assert word in out, (word, out)


def test_eponymous_names_are_people_only_with_a_person_cue(deid):
    text = "Mr. Parkinson has Parkinson disease. Grace Hunter has Hunter syndrome."
    out = deid.deidentify(text, "k").text
    assert out == "Mr. [NAME] has Parkinson disease. [NAME] has Hunter syndrome."


# --- tag mode, offsets --------------------------------------------------------------------------

NOTE = ("Patient: Marisol Ferreira   MRN: 00482913\n"
        "Ms. Ferreira is a 92-year-old woman seen on 03/14/2024 by Dr. Okonkwo.\n"
        "Plan: metformin 500 mg daily. Call (555) 201-3344 or e-mail m.ferreira@mailbox.org.\n"
        "Ms. Ferreira agrees with the plan.")
NOTE_PHI = ["Marisol", "Ferreira", "00482913", "92", "03/14/2024", "Okonkwo", "(555) 201-3344",
            "m.ferreira@mailbox.org"]


def test_tag_mode_output(deid):
    result = deid.deidentify(NOTE, "note-1")
    assert result.text == (
        "Patient: [NAME]   MRN: [ID]\n"
        "Ms. [NAME] is a [AGE]-year-old woman seen on [DATE] by Dr. [NAME].\n"
        "Plan: metformin 500 mg daily. Call [PHONE] or e-mail [EMAIL].\n"
        "Ms. [NAME] agrees with the plan.")
    assert [s.type for s in result.spans] == ["NAME", "ID", "NAME", "AGE", "DATE", "NAME", "PHONE", "EMAIL", "NAME"]
    for span in result.spans:
        assert result.text[span.start:span.end] == f"[{span.type}]"
        assert span.recognizer and span.type in PHI_TYPES


def test_detect_spans_are_sorted_and_disjoint(deid):
    spans = deid.detect(NOTE)
    assert all(isinstance(s, PhiSpan) for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


@pytest.mark.parametrize("mode", ["tag", "fake"])
def test_map_offset_maps_passages(deid, faker, mode):
    engine = deid if mode == "tag" else faker
    result = engine.deidentify(NOTE, "note-1")
    lines = NOTE.split("\n")
    out_lines = result.text.split("\n")
    start = 0
    for line, out_line in zip(lines, out_lines):
        end = start + len(line)
        assert result.text[result.map_offset(start):result.map_offset(end)] == out_line
        start = end + 1
    plan = NOTE.index("metformin 500 mg daily")
    assert result.text[result.map_offset(plan):result.map_offset(plan + 22)] == "metformin 500 mg daily"


def test_map_offset_is_monotonic_and_snaps_inside_spans(deid):
    result = deid.deidentify(NOTE, "note-1")
    mapped = [result.map_offset(i) for i in range(len(NOTE) + 1)]
    assert mapped == sorted(mapped) and mapped[0] == 0 and mapped[-1] == len(result.text)
    name = NOTE.index("Okonkwo")
    out = result.text.index("[NAME].")
    assert result.map_offset(name) == out and result.map_offset(name + 3) == out
    assert result.map_offset(name + len("Okonkwo")) == out + len("[NAME]")


@pytest.mark.parametrize("mode", ["tag", "fake"])
def test_planted_phi_never_survives(deid, faker, mode):
    engine = deid if mode == "tag" else faker
    texts = [text for cases in PLANTED.values() for text, _ in cases] + [NOTE]
    phrases = [phrase for cases in PLANTED.values() for _, phrase in cases] + NOTE_PHI
    for text, phrase in zip(texts, phrases):
        out = engine.deidentify(text, "k").text
        assert not re.search(rf"(?<![\w.]){re.escape(phrase)}(?![\w])", out), (phrase, out)
    for phrase in NOTE_PHI:
        assert not re.search(rf"(?<![\w.]){re.escape(phrase)}(?![\w])", engine.deidentify(NOTE, "k").text)


# --- fake surrogates ----------------------------------------------------------------------------

def test_fakes_are_consistent_within_a_note(faker):
    result = faker.deidentify(NOTE, "note-1")
    names = [result.text[s.start:s.end] for s in result.spans if s.type == "NAME"]
    assert len(names) == 4                      # "Marisol Ferreira", "Ferreira", "Okonkwo", "Ferreira"
    assert names[1] == names[3] == names[0].split()[-1]
    assert names[2] != names[1] and "Ferreira" not in result.text and "Marisol" not in result.text


def test_fakes_are_deterministic_and_differ_between_notes(faker):
    first = faker.deidentify(NOTE, "note-1").text
    assert faker.deidentify(NOTE, "note-1").text == first
    assert faker.deidentify(NOTE, "note-2").text != first


def test_fake_dates_shift_together_and_keep_their_format(faker):
    text = "Admitted 03/14/2024, discharged 03/18/2024. Follow-up on March 28, 2024."
    out = faker.deidentify(text, "dates").text
    dates = re.findall(r"\d{2}/\d{2}/\d{4}", out)
    assert len(dates) == 2 and "03/14/2024" not in out
    assert re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", out)
    admitted, discharged = (dt.date(int(y), int(m), int(d)) for m, d, y in (x.split("/") for x in dates))
    assert (discharged - admitted).days == 4


def test_fake_ages_stay_over_89(faker):
    out = faker.deidentify("A 92-year-old woman.", "age").text
    age = int(re.search(r"(\d+)-year-old", out).group(1))
    assert age >= 90


# --- batching, loading --------------------------------------------------------------------------

def test_deidentify_many_matches_deidentify(deid):
    texts = [NOTE, "Seen by Dr. Abernathy on 02/02/2022.", ""]
    keys = ["a", "b", "c"]
    many = deid.deidentify_many(texts, keys)
    assert [m.text for m in many] == [deid.deidentify(t, k).text for t, k in zip(texts, keys)]
    assert isinstance(many[0], Deidentified)


def test_unsupported_language_is_unavailable():
    with pytest.raises(DeidUnavailable):
        Deidentifier(language="xx")


# --- real notes ---------------------------------------------------------------------------------

def test_aci_bench_names_never_survive(deid, shared_data):
    """Patient and doctor names from the ACI-Bench metadata, in its notes and its (lowercase,
    dictated) dialogues."""
    folder = shared_data / "clinical_notes" / "aci_bench"
    with open(folder / "valid.csv", newline="") as f:
        encounters = {row["encounter_id"]: row for row in csv.DictReader(f)}
    with open(folder / "valid_metadata.csv", newline="") as f:
        metadata = list(csv.DictReader(f))
    texts, keys, names = [], [], []
    for meta in metadata:
        row = encounters[meta["encounter_id"]]
        people = [n.strip() for n in (meta["patient_firstname"], meta["patient_familyname"], meta["doctor_name"])
                  if n.strip()]
        for column in ("note", "dialogue"):
            texts.append(row[column])
            keys.append(f"{meta['encounter_id']}-{column}")
            names.append(people)
    assert len(texts) >= 30
    mentions = 0
    for text, result, people in zip(texts, deid.deidentify_many(texts, keys), names):
        for name in people:
            pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
            mentions += len(pattern.findall(text))
            leaked = pattern.search(result.text)
            assert leaked is None, (name, result.text[max(0, leaked.start() - 60):leaked.end() + 30])
    assert mentions > 80
