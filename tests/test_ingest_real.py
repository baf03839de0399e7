"""End-to-end ingestion of the real sample data in ../shared/data through the stages and the store."""
import json
from pathlib import Path

import datasets
import pyarrow.compute as pc
import pytest

from medcurate.inputs import list_files
from medcurate.runner import run_stage
from medcurate.stage import StageInputs
from medcurate.stages.ingest_exams import IngestExams
from medcurate.stages.ingest_notes import IngestNotes
from medcurate.stages.ingest_pmc import IngestPMC
from medcurate.stages.readers.jats import NO_TEXT
from medcurate.store import VersionStore


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return VersionStore(str(tmp_path_factory.mktemp("store")))


def ingest(store, stage, *paths):
    return run_stage(store, stage, StageInputs(files=list_files([str(p) for p in paths])))


def counts(version, table, column):
    values = version.read(table).column(column)
    return {k["values"]: k["counts"] for k in pc.value_counts(values).to_pylist()}


def assert_funnel_adds_up(version):
    f = version.manifest["funnel"]
    assert f["in"] == f["kept"] + f["quarantined"] + sum(f["dropped"].values())
    assert f["quarantined"] == version.tables.get("quarantine", {}).get("rows", 0)


def test_pmc_all_99_articles_with_passages(store, shared_data):
    v = ingest(store, IngestPMC(), shared_data / "pmc_jats").version
    docs = v.read("documents")
    assert docs.num_rows == 98 and v.tables["quarantine"]["rows"] == 0      # 99, less one with only a title
    assert v.manifest["funnel"]["dropped"] == {NO_TEXT: 1}
    assert len(set(docs.column("id").to_pylist())) == 98
    assert v.manifest["funnel"]["inputs"] == 84
    groups = counts(v, "documents", "license_group")
    assert set(groups) <= {"commercial", "non-commercial", "other"} and groups["non-commercial"] >= 10
    passages = v.read("passages")
    assert passages.num_rows > 4000
    by_doc = {row["id"]: row["text"] for row in docs.select(["id", "text"]).to_pylist()}
    for p in passages.slice(0, 2000).to_pylist():
        assert by_doc[p["doc_id"]][p["char_start"]:p["char_end"]] == p["text"]
    assert_funnel_adds_up(v)
    assert datasets.load_from_disk(v.path("passages")).num_rows == passages.num_rows


def test_pmc_rerun_is_a_cache_hit(store, shared_data):
    first = ingest(store, IngestPMC(), shared_data / "pmc_jats")
    again = ingest(store, IngestPMC(), shared_data / "pmc_jats")
    assert again.cached and again.version.id == first.version.id


def test_medline_citations_and_deletions(store, shared_data):
    v = ingest(store, IngestPMC(), shared_data / "medline_xml").version
    docs = v.read("documents")
    assert docs.num_rows == 39 and set(docs.column("source").to_pylist()) == {"pubmed"}
    assert v.tables["quarantine"]["rows"] == 0
    assert v.tables.get("deletions", {"rows": 0})["rows"] == v.manifest["funnel"]["kept"] - 39
    assert_funnel_adds_up(v)


EXPECTED_EXAMS = {"medqa": 636, "medmcqa": 1400, "pubmedqa": 500, "mmlu": 517, "headqa": 1366,
                  "cmexam": 1000, "frenchmedmcqa": 312}


def test_exam_banks_counts_match_provenance(store, shared_data):
    v = ingest(store, IngestExams(), shared_data / "exam_mcq").version
    assert counts(v, "exam_items", "exam") == EXPECTED_EXAMS
    assert v.tables["quarantine"]["rows"] == 0
    assert sum(v.manifest["funnel"]["skipped_inputs"].values()) == 1      # the HEAD-QA README
    langs = counts(v, "exam_items", "language")
    assert langs["zh"] == 1000 and langs["fr"] == 312
    assert_funnel_adds_up(v)
    assert datasets.load_from_disk(v.path("exam_items")).num_rows == sum(EXPECTED_EXAMS.values())


def test_notes_truncated_row_is_quarantined_not_lost(store, shared_data):
    v = ingest(store, IngestNotes(), shared_data / "clinical_notes").version
    # MTSamples: 322 rows = 317 notes + 4 rows whose transcription is empty + the truncated last row
    assert counts(v, "documents", "dataset") == {"mtsamples": 317, "aci-bench": 87, "mts-dialog": 1301,
                                                 "syngp500": 250}
    q = v.read("quarantine").to_pylist()
    assert [(r["file"].endswith("mtsamples_kavyamistry.csv"), r["row"]) for r in q] == [(True, 321)]
    assert v.manifest["funnel"]["dropped"] == {"empty note text": 4}
    assert set(v.read("documents").column("deidentified").to_pylist()) == {True}
    assert_funnel_adds_up(v)


def test_manifest_is_json_with_lineage(store, shared_data):
    v = ingest(store, IngestExams(), shared_data / "exam_mcq" / "medqa_us").version
    manifest = json.loads(Path(v.path(), "manifest.json").read_text())
    assert manifest["stage"] == "ingest_exams" and manifest["kind"] == "exam_items"
    assert "test_rows_0001-0636.jsonl@" in manifest["inputs"][0]
    assert manifest["tables"]["exam_items"]["rows"] == 636
