"""Labelling on the real PMC articles: metadata-teacher labels -> fastText students -> classified passages,
reproducible models, LLM annotation with the embedded model (failures recorded, never guessed), and
upsampling in `select`."""
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from medcurate.llm import load_template
from medcurate.runner import run_stage
from medcurate.stage import StageInputs, TableInput
from medcurate.stages.labels.annotate import Annotate
from medcurate.stages.labels.classify import TAG_COLUMNS, Classify
from medcurate.stages.labels.families import label_values
from medcurate.stages.labels.student import Params, prepare, train
from medcurate.stages.labels.train_classifier import TrainClassifier
from medcurate.stages.select import Select

SMALL_LLM = {"engine": "embedded", "context_length": 1536, "parallel": 2}


def inputs(*tables: tuple) -> StageInputs:
    return StageInputs(tables=[TableInput(version, table) for version, table in tables])


@pytest.fixture(scope="module")
def teacher(real_store):
    pmc = real_store.resolve("pmc")
    return run_stage(real_store, Annotate.from_dict({"teacher": "metadata", "sample_size": None}),
                     inputs((pmc, "passages"))).version


@pytest.fixture(scope="module")
def models(real_store, teacher):
    return run_stage(real_store, TrainClassifier.from_dict({"epoch": 10}), inputs((teacher, "labels"))).version


@pytest.fixture(scope="module")
def classified(real_store, models):
    return run_stage(real_store, Classify(), inputs((real_store.resolve("pmc"), "passages"),
                                                   (models, "models"))).version


def test_metadata_teacher_labels_from_article_type_and_sections(real_store, teacher):
    labels = teacher.read("labels")
    documents = real_store.resolve("pmc").read("documents")
    case_reports = set(pc.filter(documents["id"], pc.equal(documents["article_type"], "case-report")).to_pylist())
    for row in labels.select(["doc_id", "doc_type", "domain", "edu_score", "label_source"]).to_pylist():
        assert (row["doc_type"] == "clinical_case") == (row["doc_id"] in case_reports)
        assert row["edu_score"] is None and row["label_source"] == "teacher:metadata"
    assert {"clinical", "biomedical", "other"} <= set(labels["domain"].to_pylist())
    assert teacher.manifest["funnel"]["kept"] == real_store.resolve("pmc").tables["passages"]["rows"]


def test_students_learn_the_teacher_and_report_it(models):
    summary = models.manifest["summary"]
    assert set(summary["macro_f1"]) == {"doc_type", "domain"}          # PMC metadata says nothing else
    assert set(summary["skipped"]) == {"edu_score", "discipline"}
    assert summary["macro_f1"]["domain"] > 0.6 and summary["kappa"]["domain"] > 0.5
    report = summary["report"]["domain"]
    assert set(report) >= {"per_class", "macro_f1", "confusion", "kappa", "accuracy"}
    assert sum(map(sum, report["confusion"]["matrix"])) == report["rows"] > 0
    table = models.read("models")
    assert table.schema.field("binary").type == pa.large_binary()
    assert all(len(b) > 10_000 for b in table["binary"].to_pylist())
    assert models.manifest["inputs"][0].endswith(":labels")          # the model is linked to its labels


def test_classify_appends_the_contract_columns(real_store, classified):
    passages = classified.read("passages")
    assert passages.num_rows == real_store.resolve("pmc").tables["passages"]["rows"]
    for field in TAG_COLUMNS:
        assert passages.schema.field(field.name).type == field.type
    assert set(passages["doc_type"].drop_null().to_pylist()) <= {"clinical_case", "study", "review", "other"}
    scores = passages["domain_score"].drop_null()
    assert len(scores) > 0.95 * passages.num_rows and 0 <= pc.min(scores).as_py() <= pc.max(scores).as_py() <= 1
    assert passages["edu_score"].null_count == passages.num_rows          # no model for it: null, not guessed


def test_same_seed_same_model_bytes(teacher):
    labels = teacher.read("labels").slice(0, 1500)
    texts, targets = prepare(labels["text"]), labels["domain"].to_pylist()
    params = Params(epoch=5)
    first, again = train(texts, targets, params, seed=7), train(texts, targets, params, seed=7)
    assert first == again
    assert train(texts, targets, params, seed=8) != first


def test_select_upsamples_clinical_cases(real_store, classified):
    config = {"upsample": [{"column": "doc_type", "op": "==", "value": "clinical_case", "times": 3}]}
    out = run_stage(real_store, Select.from_dict(config), inputs((classified, "passages"))).version
    source = classified.read("passages")
    cases = pc.sum(pc.equal(source["doc_type"], "clinical_case")).as_py()
    table = out.read("passages")
    assert cases > 0 and table.num_rows == source.num_rows + 2 * cases
    assert Counter(table["upsample_copy"].to_pylist()) == {0: source.num_rows, 1: cases, 2: cases}
    assert out.manifest["summary"]["upsampled_rows_added"] == 2 * cases
    assert out.manifest["funnel"]["kept"] == source.num_rows


@pytest.fixture(scope="module")
def short_passages(real_store):
    """Short paragraphs: the prompts of the LLM tests stay small, so they run in seconds on two cores."""
    config = {"where": [{"column": "kind", "op": "==", "value": "paragraph"},
                        {"column": "text", "op": "max_length", "value": 300}]}
    return run_stage(real_store, Select.from_dict(config), inputs((real_store.resolve("pmc"), "passages"))).version


def test_annotate_with_the_embedded_model(real_store, short_passages):
    config = {"sample_size": 2, "max_tokens": 80, "max_attempts": 2, "llm": SMALL_LLM}
    version = run_stage(real_store, Annotate.from_dict(config), inputs((short_passages, "passages"))).version
    labels, failures = version.read("labels"), version.read("failures")
    assert labels.num_rows + failures.num_rows == 2
    assert version.manifest["funnel"]["kept"] == labels.num_rows
    allowed = label_values(load_template("annotate").schema)
    for row in labels.to_pylist():
        assert row["label_source"].startswith("llm:SmolLM2") and row["prompt_version"] == "annotate@1"
        assert all(row[family] in values for family, values in allowed.items())


def test_llm_failures_are_recorded_not_guessed(real_store, short_passages):
    config = {"sample_size": 1, "max_tokens": 4, "max_attempts": 2, "llm": SMALL_LLM}   # answers cut after 4 tokens
    version = run_stage(real_store, Annotate.from_dict(config), inputs((short_passages, "passages"))).version
    assert version.read("labels").num_rows == 0
    failures = version.read("failures").to_pylist()
    assert len(failures) == 1
    assert all(f["raw"] and f["error"].startswith("invalid JSON (cut at max_tokens)") and f["attempts"] == 2
               for f in failures)
    assert version.manifest["funnel"]["dropped"]["llm failure: invalid JSON (cut at max_tokens)"] == 1
