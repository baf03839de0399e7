"""De-identification as a gate: notes are scrubbed before the first write, and nothing raw gets past."""
import csv
import re

import pytest

from medcurate.gate import PHIGateError
from medcurate.inputs import list_files
from medcurate.runner import run_stage
from medcurate.stage import StageInputs, TableInput
from medcurate.stages.deidentify.stage import Deidentify
from medcurate.stages.import_table import ImportTable
from medcurate.stages.ingest_notes import IngestNotes
from medcurate.stages.select import Select
from medcurate.store import VersionStore

PLANTED = "Zebulon Quattlebaum"
NOTE = (f"HISTORY OF PRESENT ILLNESS:\nMr. {PLANTED} is a 58-year-old man seen on 03/14/2024 for chest pain. "
        "He lives at 4500 N. Main St., Springfield. MRN 4829103.\nPLAN:\nAspirin 81 mg daily. "
        "Call (555) 201-3344 with questions.")


@pytest.fixture(scope="module")
def aci_sources(shared_data):
    """encounter id -> (original note + dialogue, the patient's and doctor's names from the metadata)."""
    found = {}
    for split in ("train", "valid"):
        base = shared_data / "clinical_notes" / "aci_bench"
        with open(base / f"{split}_metadata.csv", newline="") as fh:
            meta = {row["encounter_id"]: row for row in csv.DictReader(fh)}
        with open(base / f"{split}.csv", newline="") as fh:
            for row in csv.DictReader(fh):
                m = meta[row["encounter_id"]]
                names = {m["patient_firstname"], m["patient_familyname"], *m["doctor_name"].replace("Dr.", "").split()}
                found[row["encounter_id"]] = (row["note"] + "\n\n" + row["dialogue"],
                                              {n.strip() for n in names if len(n.strip()) > 2})
    return found


@pytest.fixture(scope="module")
def aci_version(tmp_path_factory, shared_data):
    store = VersionStore(str(tmp_path_factory.mktemp("store")))
    return run_stage(store, IngestNotes(), StageInputs(files=list_files([str(shared_data / "clinical_notes" /
                                                                               "aci_bench")]))).version


def _strings(version) -> str:
    """Every string value of every table of a version, as one text."""
    parts = []
    for name in version.tables:
        for row in version.read(name).to_pylist():
            parts.extend(v for v in row.values() if isinstance(v, str))
    return "\n".join(parts)


def test_aci_bench_patient_and_doctor_names_do_not_survive_ingest(aci_version, aci_sources):
    docs = aci_version.read("documents")
    assert docs.num_rows == 87 and set(docs.column("deidentified").to_pylist()) == {True}
    before = after = 0
    for doc in docs.to_pylist():
        original, names = aci_sources[doc["source_id"]]
        for name in names:                 # per note, so "Dr. White" is not confused with "white blood cells"
            pattern = rf"\b{re.escape(name)}\b"
            before += len(re.findall(pattern, original, re.I))
            after += len(re.findall(pattern, doc["text"], re.I))
    assert before > 300 and after / before <= 0.02, (before, after)   # measured: 6 of 399 survive ("good")


def test_passages_still_slice_their_deidentified_documents(aci_version):
    docs = {r["id"]: r for r in aci_version.read("documents").to_pylist()}
    for part in aci_version.read("passages").to_pylist():
        doc = docs[part["doc_id"]]
        assert doc["text"][part["char_start"]:part["char_end"]] == part["text"]
        assert part["deidentified"] is True
        for span in part["phi_spans"]:
            assert part["text"][span["start"]:span["end"]] == f"[{span['type']}]"
    spans = [s for d in docs.values() for s in d["phi_spans"]]
    assert {s["type"] for s in spans} >= {"NAME"}
    assert all(docs[d]["text"][s["start"]:s["end"]] == f"[{s['type']}]" for d in docs for s in docs[d]["phi_spans"])


def test_raw_phi_never_reaches_the_store_files(tmp_path):
    src = tmp_path / "notes"
    src.mkdir()
    (src / "visit.txt").write_text(NOTE)
    store_dir = tmp_path / "store"
    version = run_stage(VersionStore(str(store_dir)), IngestNotes(), StageInputs(files=[str(src / "visit.txt")])).version
    blobs = b"".join(p.read_bytes() for p in store_dir.rglob("*") if p.is_file())
    for secret in (b"Quattlebaum", b"Zebulon", b"4829103", b"201-3344", b"03/14/2024", b"4500 N. Main"):
        assert secret not in blobs
    text = version.read("documents").column("text")[0].as_py()
    assert "Aspirin 81 mg daily" in text and "58-year-old" in text     # clinical content survives


def test_external_note_tables_are_deidentified_in_memory_and_refused_raw_elsewhere(tmp_path):
    raw = tmp_path / "their_notes.csv"
    raw.write_text("id,source,text\nn1,note,\"" + NOTE.replace('"', "'") + "\"\n")
    store = VersionStore(str(tmp_path / "store"))
    with pytest.raises(PHIGateError):
        run_stage(store, ImportTable(), StageInputs(files=[str(raw)]))
    version = run_stage(store, Deidentify(), StageInputs(files=[str(raw)])).version
    row = version.read("documents").to_pylist()[0]
    assert row["id"].startswith("note-") and row["deidentified"] is True and PLANTED.split()[1] not in row["text"]
    blobs = b"".join(p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file())
    assert b"Quattlebaum" not in blobs
    run_stage(store, Select(), StageInputs(tables=[TableInput(version, "documents")]))   # passes the gate now


def test_a_stored_raw_note_table_is_refused_then_fixed_by_the_stage(tmp_path):
    store = VersionStore(str(tmp_path / "store"))
    pending = store.begin("legacy-notes", {"stage": "legacy", "config": {}, "inputs": []})
    from medcurate import schemas
    pending.table("documents", schemas.DOCUMENTS).write([{"id": "note:x:1", "source": "note", "text": NOTE,
                                                         "deidentified": False}])
    legacy = pending.commit({})
    with pytest.raises(PHIGateError, match="1 clinical-note rows"):
        run_stage(store, Select(), StageInputs(tables=[TableInput(legacy, "documents")]))
    fixed = run_stage(store, Deidentify(), StageInputs(tables=[TableInput(legacy, "documents")])).version
    assert fixed.read("documents").column("deidentified").to_pylist() == [True]
    run_stage(store, Select(), StageInputs(tables=[TableInput(fixed, "documents")]))


def test_fake_surrogates_are_consistent_within_a_note(tmp_path):
    src = tmp_path / "n.txt"
    src.write_text(f"Mr. {PLANTED} reports chest pain. {PLANTED} was told to rest.")
    stage = IngestNotes(IngestNotes.Config(surrogate="fake"))
    version = run_stage(VersionStore(str(tmp_path / "store")), stage, StageInputs(files=[str(src)])).version
    row = version.read("documents").to_pylist()[0]
    names = [row["text"][s["start"]:s["end"]] for s in row["phi_spans"] if s["type"] == "NAME"]
    assert PLANTED not in row["text"] and len(names) >= 2
    assert names[-1] in names[0] or names[0] in names[-1]        # same person, same fake (full or partial)
