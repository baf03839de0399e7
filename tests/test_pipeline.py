"""The pipeline is data: the default DAG is a YAML file, a user's file extends it, and mistakes are caught —
one line naming the step — before anything runs."""
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from medcurate.cli import app
from medcurate.errors import UsageError
from medcurate.pipeline.check import check
from medcurate.pipeline.plan import plan
from medcurate.pipeline.spec import build, load_pipeline, read_file
from medcurate.store import VersionStore

SAMPLES = Path(__file__).resolve().parents[1] / "medcurate" / "samples"
runner = CliRunner()


def names(checked) -> list[str]:
    return [s.name for s in checked.steps]


def test_the_default_pipeline_checks_and_ends_with_the_release():
    checked = check(load_pipeline(SAMPLES / "pipeline.yaml"))
    assert names(checked)[:3] == ["ingest_pmc", "ingest_exams", "ingest_notes"]
    assert names(checked)[-1] == "released_qa" and not checked.skipped
    assert checked.pipeline.release["steps"] == ["released_qa", "classified"]
    released = checked.tables["released_qa"][0]
    assert {"grounding_score", "dup_keep", "contaminated", "language"} <= released.columns
    assert checked.configs["generate_qa"]["llm"] == {"engine": "embedded"}     # the file's llm reaches LLM steps


def test_missing_sources_skip_what_needs_them_and_optional_inputs_drop_out():
    checked = check(build({"sources": {"pmc": ["articles/"]}}))
    assert checked.skipped["ingest_exams"] == "no files for sources:exams"
    assert checked.skipped["ingest_notes"] == "no files for sources:notes"
    assert "decontaminate" in names(checked) and "released_qa" in names(checked)
    only_exams = check(build({"sources": {"exams": ["banks/"]}}))
    assert names(only_exams) == ["ingest_exams", "dedup"]                # no passages: nothing downstream
    assert only_exams.skipped["decontaminate"] == "step dedup writes no passages in this run"
    assert only_exams.skipped["released_qa"].startswith("step qa_decontaminate is skipped")


def test_a_user_file_adds_replaces_reorders_and_removes_steps(tmp_path):
    values = {
        "sources": {"pmc": ["articles/"]},
        "steps": [
            {"name": "english_only", "stage": "select", "inputs": ["passages_langid"], "after": "passages_langid",
             "config": {"where": [{"column": "language", "op": "==", "value": "en", "reason": "not English"}]}},
            {"name": "labels", "inputs": ["english_only"]},                        # replace one key, keep the rest
            {"name": "classified", "inputs": ["english_only", "classifier:models"]},
        ],
        "remove": ["qa_decontaminate"],
        "stages": {"released_qa": {"limit": 100}},
    }
    with pytest.raises(UsageError, match="step released_qa: input 'qa_decontaminate:qa_pairs' names no step"):
        check(build(values))
    values["steps"].append({"name": "released_qa", "inputs": ["qa_dedup:qa_pairs"]})
    with pytest.raises(UsageError, match="step released_qa .* reads column 'contaminated', which no step before"):
        check(build(values))              # its conditions still ask for the decontamination tag
    values["steps"][-1]["config"] = {"where": [{"column": "grounding_score", "op": ">=", "value": 0.5}]}
    checked = check(build(values))
    order = names(checked)
    assert order.index("english_only") == order.index("passages_langid") + 1
    assert "qa_decontaminate" not in order
    assert checked.pipeline.step("labels").stage == "annotate" and checked.configs["labels"]["teacher"] == "metadata"
    assert checked.configs["released_qa"]["limit"] == 100


def test_moving_a_step_before_its_input_is_refused():
    with pytest.raises(UsageError, match="step qa_langid: input 'grounding:qa_pairs' comes from a step that runs"):
        check(build({"sources": {"pmc": ["a/"]}, "steps": [{"name": "qa_langid", "before": "qa_passages"}]}))


@pytest.mark.parametrize("values, message", [
    ({"steps": [{"name": "x", "stage": "no_such_stage", "inputs": ["classified"]}]},
     "step x: unknown stage 'no_such_stage'"),
    ({"steps": [{"name": "x", "stage": "select", "inputs": ["classified"],
                 "config": {"where": [{"column": "no_such_column", "op": "==", "value": 1}]}}]},
     "step x (select) reads column 'no_such_column', which no step before it writes"),
    ({"steps": [{"name": "x", "stage": "select", "inputs": ["classified:no_table"]}]},
     "step x: input 'classified:no_table': step classified writes no such table"),
    ({"stages": {"dedup": {"threshold": "high"}}}, "step dedup: stage dedup: threshold must be a number"),
    ({"stages": {"no_step": {}}}, "stages: no step no_step"),
    ({"remove": ["nope"]}, "remove: no step 'nope'"),
    ({"stepz": []}, "unknown key(s) stepz"),
    ({"steps": [{"name": "ingest_pmc", "stage": "ingest_pmc", "inputs": ["sources:pmc"], "kind": "x"}]},
     "pipeline step 'ingest_pmc': unknown key(s) kind"),
])
def test_mistakes_are_found_before_anything_runs(values, message):
    with pytest.raises(UsageError) as error:
        check(build({"sources": {"pmc": ["a/"], "exams": ["b/"], "notes": ["c/"]}, **values}))
    assert message in str(error.value)


def test_a_step_column_check_sees_columns_added_upstream():
    values = {"sources": {"pmc": ["a/"]}, "steps": [
        {"name": "late", "stage": "select", "inputs": ["grounding:qa_pairs"],
         "config": {"where": [{"column": "grounding_score", "op": ">=", "value": 0.9}]}}]}
    assert "late" in names(check(build(values)))
    values["steps"][0]["inputs"] = ["generate_qa:qa_pairs"]       # before grounding: no grounding_score yet
    with pytest.raises(UsageError, match="reads column 'grounding_score'"):
        check(build(values))


def test_relative_paths_are_taken_from_the_pipeline_file(tmp_path):
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump({"sources": {"pmc": ["articles"]}, "extends": "base.yaml"}))
    (tmp_path / "base.yaml").write_text(yaml.safe_dump({"steps": [
        {"name": "ingest_pmc", "stage": "ingest_pmc", "inputs": ["sources:pmc"]}]}))
    pipeline = load_pipeline(tmp_path / "mine.yaml")
    assert pipeline.sources == {"pmc": [str(tmp_path / "articles")]}
    assert [s.name for s in pipeline.steps] == ["ingest_pmc"]


def test_dry_run_prints_the_plan_and_cache_hits(tmp_path):
    config = tmp_path / "p.yaml"
    config.write_text(yaml.safe_dump({"sources": {"pmc": [str(SAMPLES / "pmc")], "exams": [str(SAMPLES / "exams")]},
                                      "stages": {"qa_passages": {"limit": 0}}}))
    store = tmp_path / "store"
    before = plan(check(load_pipeline(config)), VersionStore(str(store)))
    assert [p.status for p in before[:2]] == ["runs", "runs"] and before[2].status.startswith("skipped")
    assert before[3].status == "runs (after upstream)"
    assert runner.invoke(app, ["ingest", "pmc", str(SAMPLES / "pmc"), "--store", str(store)]).exit_code == 0
    result = runner.invoke(app, ["run", "--config", str(config), "--dry-run", "--store", str(store)])
    assert result.exit_code == 0, result.output
    first = result.stderr.splitlines()[1]
    assert first.split()[:2] == ["ingest_pmc", "ingest_pmc"] and "cached" in first
    assert "1 cache hits" in result.stderr and not (store / "versions" / "dedup").exists()


def test_run_refuses_a_broken_pipeline_in_one_line(tmp_path):
    config = tmp_path / "p.yaml"
    config.write_text(json.dumps({"sources": {"pmc": ["x"]}, "stages": {"qa_passages": {"limit": "all"}}}))
    result = runner.invoke(app, ["run", "--config", str(config), "--store", str(tmp_path / "store")])
    assert result.exit_code == 2 and result.stderr.strip().count("\n") == 0
    assert "step qa_passages: stage select: limit must be an integer or null, not 'all'" in result.stderr


def test_stages_and_describe_show_every_config_key():
    listed = runner.invoke(app, ["stages"])
    assert listed.exit_code == 0 and "langid" in listed.stdout and "dedup" in listed.stdout
    described = runner.invoke(app, ["stage", "dedup", "--describe"])
    assert described.exit_code == 0
    assert "threshold (a number, default 0.5)" in described.stdout and "Jaccard" in described.stdout
    assert "adds dup_cluster, dup_keep" in described.stdout
    info = json.loads(runner.invoke(app, ["stage", "langid", "--describe", "--json"]).stdout)
    assert info["writes_columns"] == ["language", "language_score"]
    assert {c["name"] for c in info["config"]} == {"text_columns", "max_chars"}


def test_the_sample_file_is_read_relative_to_itself():
    values = read_file(SAMPLES / "pipeline.yaml")
    assert values["sources"]["pmc"] == [str(SAMPLES / "pmc")]
