"""Clinical-note parsing on the real samples (MTSamples, ACI-Bench, MTS-Dialog, SynGP500) and on broken input."""
from pathlib import Path

import pyarrow as pa
import pytest

from medcurate import schemas
from medcurate.records import Dropped, Quarantined, Skipped
from medcurate.stages.readers.notes import parse_notes
from medcurate.stages.readers.notes.sections import heading, normalise, note_passages, restore_scraped_breaks


def parse(path: Path, **kw) -> list:
    return list(parse_notes(str(path), path.read_bytes(), **kw))


def docs(out: list) -> list[dict]:
    return [o for o in out if isinstance(o, dict)]


def check_rows(rows: list[dict]) -> None:
    """What every documents row must satisfy, whatever its source."""
    for row in rows:
        assert row["deidentified"] is False
        assert row["source"] == "note" and row["id"].startswith(f"note:{row['dataset']}:")
        pa.RecordBatch.from_pylist([{k: v for k, v in row.items() if k != "passages"}], schema=schemas.DOCUMENTS)
        assert row["passages"], row["id"]
        for p in row["passages"]:
            assert row["text"][p["char_start"]:p["char_end"]] == p["text"] != ""
        passages = [{**p, "id": f"{row['id']}#{i}", "doc_id": row["id"], "source": "note", "seq": i}
                    for i, p in enumerate(row["passages"])]
        pa.RecordBatch.from_pylist(passages, schema=schemas.PASSAGES)


@pytest.fixture(scope="module")
def notes_dir(shared_data: Path) -> Path:
    return shared_data / "clinical_notes"


# --- real samples -------------------------------------------------------------------------------------------

def test_mtsamples_every_row_accounted_for(notes_dir):
    out = parse(notes_dir / "mtsamples" / "mtsamples_kavyamistry.csv")
    rows, bad = docs(out), [o for o in out if isinstance(o, Quarantined | Dropped)]
    assert not [o for o in out if isinstance(o, Skipped)]
    # 321 complete rows: 317 notes + 4 whose transcription is empty in the source; then the truncated row 321.
    assert len(rows) == 317
    assert [(q.row, q.reason) for q in bad if q.reason == "empty note text"] == [
        (97, "empty note text"), (116, "empty note text"), (205, "empty note text"), (263, "empty note text")]
    assert all(isinstance(q, Dropped) for q in bad if q.reason == "empty note text")
    truncated = [q for q in bad if q.reason != "empty note text"]
    assert len(truncated) == 1 and isinstance(truncated[0], Quarantined)
    assert len(truncated) == 1 and truncated[0].row == 321 and "unterminated" in truncated[0].reason
    assert sorted([r["provenance"]["offset"] for r in rows] + [q.row for q in bad]) == list(range(322))
    check_rows(rows)


def test_mtsamples_note_reads_as_a_note(notes_dir):
    rows = docs(parse(notes_dir / "mtsamples" / "mtsamples_kavyamistry.csv"))
    note = next(r for r in rows if r["id"] == "note:mtsamples:0")
    assert note["source_id"] == "0" and note["title"] == "Allergic Rhinitis"
    assert note["specialty"] == "Allergy / Immunology" and note["article_type"] == "transcription"
    assert note["language"] == "en"
    assert note["text"].startswith("SUBJECTIVE:\nThis 23-year-old white female")
    assert "\nMEDICATIONS:\nHer only medication" in note["text"] and ",MEDICATIONS" not in note["text"]
    titles = [p["section_title"] for p in note["passages"]]
    assert titles[0] == "SUBJECTIVE" and {"ASSESSMENT", "PLAN"} <= set(titles)
    assert '"keywords": "allergy / immunology' in note["meta"] and '"description"' in note["meta"]
    assert sum(len(r["passages"]) > 1 for r in rows) > 250          # nearly all transcriptions have sections


def test_aci_bench_notes_with_dialogue(notes_dir):
    for split, count in (("train", 67), ("valid", 20)):
        rows = docs(parse(notes_dir / "aci_bench" / f"{split}.csv"))
        assert len(rows) == count
        check_rows(rows)
        for row in rows:
            assert row["article_type"] == "visit_note" and row["id"] == f"note:aci-bench:{row['source_id']}"
            *sections, dialogue = row["passages"]
            assert dialogue["kind"] == "dialogue" and dialogue["section_path"] == "dialogue"
            assert dialogue["text"].startswith(("[doctor]", "[patient]")) and row["text"].endswith(dialogue["text"])
            assert row["text"][dialogue["char_start"] - 2:dialogue["char_start"]] == "\n\n"
            assert all(p["kind"] == "note_section" for p in sections)
            assert "[doctor]" not in (row["meta"] or "")
    first = docs(parse(notes_dir / "aci_bench" / "train.csv"))[0]
    assert first["id"] == "note:aci-bench:D2N001"
    assert [p["section_title"] for p in first["passages"][:2]] == ["CHIEF COMPLAINT", "HISTORY OF PRESENT ILLNESS"]


@pytest.mark.parametrize("name", ["train_metadata.csv", "valid_metadata.csv"])
def test_aci_bench_metadata_is_skipped(notes_dir, name):
    out = parse(notes_dir / "aci_bench" / name)
    assert len(out) == 1 and isinstance(out[0], Skipped)
    assert "patient_firstname" in out[0].reason           # the header is named in the reason


def test_mts_dialog(notes_dir):
    rows = []
    for name in ("MTS-Dialog-TrainingSet.csv", "MTS-Dialog-ValidationSet.csv"):
        out = parse(notes_dir / "mts_dialog" / name)
        assert all(isinstance(o, dict) for o in out)
        rows += out
    assert len(rows) == 1301
    assert len({r["id"] for r in rows}) == 1301           # ids restart at 0 in each file; the split keeps them apart
    assert rows[0]["id"] == "note:mts-dialog:trainingset/0" and rows[-1]["id"] == "note:mts-dialog:validationset/99"
    check_rows(rows)
    first = rows[0]
    assert first["article_type"] == "note_section" and first["specialty"] is None
    assert first["passages"][0]["section_title"] == "GENHX" and '"section_header": "GENHX"' in first["meta"]
    assert first["passages"][-1]["kind"] == "dialogue" and first["passages"][-1]["text"].startswith("Doctor:")


def test_syngp500_one_note_per_text_file(notes_dir):
    files = sorted((notes_dir / "syngp500").iterdir())
    notes = [f for f in files if f.suffix == ".txt"]
    assert len(notes) == 250
    rows = []
    for f in notes:
        out = parse(f)
        assert len(out) == 1 and isinstance(out[0], dict), f.name
        rows += out
    check_rows(rows)
    row = next(r for r in rows if r["source_id"] == "10211000132109_0373_Perinatal_depression")
    assert row["id"] == "note:syngp500:10211000132109_0373_Perinatal_depression"
    assert row["title"] == "Perinatal depression" and row["provenance"] == {"offset": 0}
    assert {"CC", "Hx"} <= {p["section_title"] for p in row["passages"]}
    licence = parse(notes_dir / "syngp500" / "_LICENSE")
    assert len(licence) == 1 and isinstance(licence[0], Skipped)


# --- broken and unfamiliar input ----------------------------------------------------------------------------

def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_latin1_byte_quarantines_only_its_row(tmp_path):
    data = "note_id,text\n1,Seen today.\n2,Café au lait spots.\n3,Review in two weeks.\n".encode("latin-1")
    out = parse(write(tmp_path, "clinic.csv", data))
    assert [r["id"] for r in docs(out)] == ["note:clinic:1", "note:clinic:3"]
    (bad,) = [o for o in out if isinstance(o, Quarantined)]
    assert bad.row == 1 and "0xe9" in bad.reason


def test_csv_without_text_column_is_quarantined(tmp_path):
    out = parse(write(tmp_path, "codes.csv", b"code,value\nA1,3\nB2,4\n"))
    assert out == [Quarantined("no note text column among ['code', 'value']")]
    out = parse(write(tmp_path, "odd.csv", b"code,narrative_blob\nA1," + b"word " * 60 + b"\n"))
    assert len(out) == 1 and isinstance(out[0], Quarantined) and "narrative_blob" in out[0].reason


@pytest.mark.parametrize("data", [b"", b"  \n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, data):
    assert parse(write(tmp_path, "empty.csv", data)) == [Quarantined("empty file")]


def test_mimic_style_tsv(tmp_path):
    text = ('ROW_ID\tSUBJECT_ID\tHADM_ID\tCHARTDATE\tCATEGORY\tDESCRIPTION\tTEXT\n'
            '174\t22532\t167853\t2151-08-04\tDischarge summary\tReport\t"Admission Date:  [**2151-7-16**]\n\n'
            'Chief Complaint:\nSOB\n\nHistory of Present Illness:\n72 yo M with CHF, here with dyspnea."\n'
            '175\t13702\t107527\t2118-06-14\tRadiology\tCHEST (PA & LAT)\tFINDINGS: No acute process.\n')
    out = parse(write(tmp_path, "NOTEEVENTS.tsv", text.encode()))
    check_rows(out)
    first, second = out
    assert first["id"] == "note:noteevents:174" and first["specialty"] == "Discharge summary"
    assert first["title"] == "Report" and first["text"].endswith("72 yo M with CHF, here with dyspnea.")
    assert [p["section_title"] for p in first["passages"]] == [None, "Chief Complaint", "History of Present Illness"]
    assert "2151-08-04" not in first["meta"] and "CHARTDATE" in first["meta"]   # dates withheld from meta
    assert second["specialty"] == "Radiology" and second["provenance"] == {"offset": 1}


def test_text_and_id_column_override(tmp_path):
    path = write(tmp_path, "export.csv", b"pid,narr,summary\nP7,Pt stable. Discharged home.,short\n")
    (row,) = parse(path, text_column="narr", id_column="pid")
    assert row["id"] == "note:export:P7" and row["text"] == "Pt stable. Discharged home."
    assert row["meta"] == '{"summary": "short"}'
    assert parse(path, text_column="missing") == [
        Quarantined("text column 'missing' not in header ['pid', 'narr', 'summary']")]


def test_row_level_damage(tmp_path):
    data = b'id,text\n1,ok note\n2,bad,extra\n3,\n1,same id again\n5,"cut off in the mid'
    out = parse(write(tmp_path, "damaged.csv", data))
    assert [o["id"] if isinstance(o, dict) else (o.row, o.reason) for o in out] == [
        "note:damaged:1",
        (1, "expected 2 fields, got 3"),
        (2, "empty note text"),
        "note:damaged:row3",                                   # duplicate source id: the row index keeps ids unique
        (4, "truncated record: unterminated quoted field at end of file"),
    ]


def test_other_encodings_and_shapes(tmp_path):
    (row,) = parse(write(tmp_path, "excel.tsv", "id\ttext\n1\tNotiz über Schmerzen\n".encode("utf-16")))
    assert row["text"] == "Notiz über Schmerzen"
    assert parse(write(tmp_path, "header_only.csv", b"id,text\n")) == [
        Skipped("header only, no data rows: ['id', 'text']")]
    for name, data in (("README.md", b"# notes"), ("README_EN.txt", b"x"), ("LICENSE.txt", b"x"),
                       ("terms.txt", b"MIT License\n\nCopyright"), ("a.xml", b"<?xml version='1.0'?><a/>"),
                       ("b.json", b'[{"text": "x"}]')):
        (skipped,) = parse(write(tmp_path, name, data))
        assert isinstance(skipped, Skipped)
    long_note = "Seen today. " * 20_000                          # beyond the csv module's default field limit
    (row,) = parse(write(tmp_path, "long.csv", f'id,text\n1,"{long_note}"\n'.encode()))
    assert row["text"] == long_note.strip()
    (bad,) = parse(write(tmp_path, "bad.txt", b"Caf\xe9 note"))
    assert isinstance(bad, Quarantined) and bad.row is None


def test_plain_text_note_layout_decided_by_content(tmp_path):
    text = "Patient: Mr Smith, 45, seen today.\r\n\r\n\r\nHPI: Cough for 3 days.\r\nBP: 120/80\r\n"
    (row,) = parse(write(tmp_path, "ward/visit_0001.txt", text.encode()))
    assert row["dataset"] == "ward" and row["title"] == "visit 0001"
    assert row["text"] == "Patient: Mr Smith, 45, seen today.\n\nHPI: Cough for 3 days.\nBP: 120/80"
    assert [p["section_title"] for p in row["passages"]] == [None, "HPI"]


# --- text helpers -------------------------------------------------------------------------------------------

def test_restore_scraped_breaks():
    flat = ("SUBJECTIVE:,  She has a cough.,MEDICATIONS: , None.,PLAN:,1.  Rest.  ,2.  Fluids with 1:100,000 "
            "epinephrine, C5,C6.,")
    assert restore_scraped_breaks(flat) == (
        "SUBJECTIVE:\nShe has a cough.\nMEDICATIONS:\nNone.\nPLAN:\n1.  Rest.\n2.  Fluids with 1:100,000 "
        "epinephrine, C5,C6.\n")
    assert restore_scraped_breaks("Line one,\nLine two") == "Line one,\nLine two"


@pytest.mark.parametrize("line, after_blank, before_text, title", [
    ("HISTORY OF PRESENT ILLNESS:", False, True, "HISTORY OF PRESENT ILLNESS"),
    ("Assessment and plan:", False, True, "Assessment and plan"),
    ("CHIEF COMPLAINT", True, False, "CHIEF COMPLAINT"),
    ("HEENT:  Throat clear.", False, False, "HEENT"),
    ("HPC", True, True, "HPC"),
    ("BP: 120/80", False, False, None),
    ("NKDA", False, False, None),
    ("Vitals: Weight 130 pounds.", False, False, None),
    ("The patient reports the following symptoms today:", False, True, None),
    ("Annual exam.", True, True, None),
])
def test_heading_rules(line, after_blank, before_text, title):
    assert heading(line, after_blank, before_text) == title


def test_note_without_headings_is_one_passage():
    text = normalise("  Seen in clinic.   \n\n\n\nDoing well.  ")
    assert text == "Seen in clinic.\n\nDoing well."
    assert note_passages(text, "GENHX") == [{"kind": "note_section", "section_path": "note/sec[0]",
                                            "section_title": "GENHX", "char_start": 0, "char_end": len(text),
                                            "text": text}]
