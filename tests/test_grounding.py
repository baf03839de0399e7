"""Grounding filters and QA generation: rules, support scores, the judge's parsing, the stage on an
external QA table, generation through the real local model, and the select funnel on thresholds."""
import json

import pytest
from typer.testing import CliRunner

from medcurate.cli import app
from medcurate.llm.for_stages import stage_client
from medcurate.runner import run_stage
from medcurate.stage import StageInputs, TableInput
from medcurate.stages.generate_qa import GenerateQA, make_chunks
from medcurate.stages.grounding.judge import judge
from medcurate.stages.grounding.rules import check_rules
from medcurate.stages.grounding.support import SupportScorer
from medcurate.store import VersionStore

PASSAGE = ("Metformin lowers hepatic glucose production and improves insulin sensitivity. In a randomised trial, "
           "metformin reduced HbA1c by 1.1% compared with placebo. Lactic acidosis is a rare but serious adverse "
           "effect, and metformin should not be used in patients with severe renal impairment.")


@pytest.mark.parametrize("question,answer,reason", [
    ("What does metformin do to hepatic glucose production?", "It lowers it.", None),
    ("Metformin and the liver", "It lowers hepatic glucose production.", "not a question"),
    ("What did this study find about metformin?", "It lowers glucose.", "refers to its source"),
    ("How many patients were enrolled in 2019?", "120.", "study-specific question"),
    ("What does Figure 2 show about HbA1c?", "A reduction.", "refers to its source"),
    ("Why is metformin avoided in severe renal impairment?",
     "Because of the risk of lactic acidosis, which is a rare but serious adverse effect of the", "answer cut off"),
])
def test_rules(question, answer, reason):
    result = check_rules(question, answer)
    assert (reason in result.reasons) if reason else (result.reasons == [] and result.score == 1.0)


def test_support_separates_grounded_from_altered_answers():
    scorer = SupportScorer()
    grounded = scorer.score(PASSAGE, "Metformin lowers hepatic glucose production and reduced HbA1c by 1.1%.")
    elsewhere = scorer.score(PASSAGE, "Statins inhibit HMG-CoA reductase and lower LDL cholesterol.")
    numbers = scorer.score(PASSAGE, "Metformin reduced HbA1c by 3.5% compared with placebo.")
    negated = scorer.score(PASSAGE, "Lactic acidosis is not an adverse effect of metformin.")
    assert grounded.score > 0.8 and grounded.reasons == []
    assert elsewhere.score < 0.2 and elsewhere.words < 0.3
    assert numbers.numbers == 0 and numbers.score < grounded.score
    assert negated.polarity_mismatch and negated.score < grounded.score


def _qa_file(tmp_path, rows):
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_grounding_stage_on_an_external_table_keeps_ids_and_scores_every_row(tmp_path):
    rows = [{"id": "good", "context": PASSAGE, "question": "What does metformin do to hepatic glucose production?",
             "answer": "Metformin lowers hepatic glucose production and improves insulin sensitivity."},
            {"id": "bad", "context": PASSAGE, "question": "What did the authors conclude?",
             "answer": "Aspirin prevents colorectal cancer in all adults."}]
    config = tmp_path / "grounding.yaml"
    config.write_text("passage_column: context\n")
    result = CliRunner().invoke(app, ["stage", "grounding", "--input", _qa_file(tmp_path, rows), "--config",
                                      str(config), "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    version = VersionStore(str(tmp_path / "s")).get(result.stdout.strip().splitlines()[-1])
    scored = {r["id"]: r for r in version.read("qa_pairs").to_pylist()}
    assert scored["good"]["grounding_score"] >= 0.5 > scored["bad"]["grounding_score"]
    assert "refers to its source" in scored["bad"]["rule_reasons"] and scored["bad"]["support_reasons"]
    assert scored["good"]["judge_label"] is None                       # judge off by default
    assert "grounding score at least 0.5: 1" in result.stderr


def test_select_thresholds_record_what_each_filter_removed(tmp_path):
    rows = [{"id": f"r{i}", "passage": PASSAGE, "question": q, "answer": a} for i, (q, a) in enumerate([
        ("What does metformin do to hepatic glucose production?", "Metformin lowers hepatic glucose production."),
        ("What did this study show?", "Metformin lowers hepatic glucose production."),
        ("Which drug prevents migraine?", "Propranolol prevents migraine attacks in most adults.")])]
    store = tmp_path / "s"
    scored = CliRunner().invoke(app, ["stage", "grounding", "--input", _qa_file(tmp_path, rows), "--store", str(store),
                                      "--tag", "scored"])
    assert scored.exit_code == 0, scored.output
    config = tmp_path / "select.yaml"
    config.write_text("where:\n  - {column: rule_score, op: '>=', value: 0.5, reason: rules}\n"
                      "  - {column: grounding_score, op: '>=', value: 0.5, reason: not grounded}\n")
    selected = CliRunner().invoke(app, ["stage", "select", "--input", "scored", "--config", str(config),
                                        "--store", str(store)])
    assert selected.exit_code == 0, selected.output
    version = VersionStore(str(store)).get(selected.stdout.strip().splitlines()[-1])
    assert version.manifest["funnel"]["dropped"] == {"rules": 1, "not grounded": 1}
    assert version.read("qa_pairs")["id"].to_pylist() == ["r0"]


def test_judge_gives_a_verdict_or_a_recorded_failure_never_a_guess(tmp_path):
    store = VersionStore(str(tmp_path))
    rows = [{"id": "a", "passage": PASSAGE, "question": "What does metformin lower?",
             "answer": "Hepatic glucose production."}]
    with stage_client(None, store) as client:
        full = judge(client, rows, max_tokens=96)[0]
        starved = judge(client, rows, max_tokens=3)[0]          # cannot finish the JSON in 3 tokens
    for verdict in (full, starved):
        if verdict["judge_label"] is None:
            assert verdict["judge_score"] is None and verdict["judge_reason"].startswith("judge failed")
        else:
            assert verdict["judge_label"] in ("supported", "partially", "unsupported")
    assert starved["judge_label"] is None


def test_generate_qa_with_the_local_model_records_provenance_and_accounts_for_every_passage(tmp_path, real_store):
    store = VersionStore(str(tmp_path))
    paragraphs = TableInput(real_store.resolve("pmc"), "passages", (400, 402))        # two real paragraphs
    version = run_stage(store, GenerateQA.from_dict({"max_tokens": 200}), StageInputs(tables=[paragraphs])).version
    funnel = version.manifest["funnel"]
    assert funnel["in"] == funnel["kept"] + sum(funnel["dropped"].values())
    pairs = version.read("qa_pairs").to_pylist()
    failures = version.read("failures").to_pylist()
    assert len({p["passage_id"] for p in pairs}) + len(failures) == 2
    for pair in pairs:
        assert pair["prompt_version"] == "generate_qa@1" and json.loads(pair["model"])["engine"] == "embedded"
        assert json.loads(pair["sampling"])["max_tokens"] == 200 and pair["question"] and pair["answer"]
    for failure in failures:
        assert failure["error"]


def test_packed_chunks_stay_within_a_document_and_the_budget():
    passages = [{"id": f"d{d}#{i}", "doc_id": f"d{d}", "seq": i, "text": "word " * 300} for d in (1, 2) for i in range(3)]
    chunks = make_chunks(passages, "packed", 700)
    assert [len(c.passages) for c in chunks] == [2, 1, 2, 1]
    assert all(len({p["doc_id"] for p in c.passages}) == 1 for c in chunks)
    assert chunks[0].id == "d1#0+1"
