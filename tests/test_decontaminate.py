"""The `decontaminate` stage on real exam banks: planted copies are found with the right benchmark
item, clean real passages are not, eval items themselves are marked, and the config is honoured."""
import json
import random

import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from medcurate.cli import app
from medcurate.pipeline.resolve import resolve_inputs
from medcurate.runner import run_stage
from medcurate.stage import StageInputs, TableInput
from medcurate.stages.decontaminate.stage import Decontaminate
from medcurate.store import VersionStore


@pytest.fixture(scope="module")
def items(real_store) -> dict[str, dict]:
    table = real_store.resolve("exams").read("exam_items")
    rng = random.Random(5)
    picked = {}
    for exam in ("medqa", "medmcqa", "mmlu", "headqa", "pubmedqa"):
        rows = table.filter(pc.equal(table["exam"], exam)).to_pylist()
        picked[exam] = rng.choice([r for r in rows if len((r["question"] or "").split()) >= 8])
    return picked


def as_text(item: dict, shuffle: random.Random | None = None) -> str:
    options = list(item["options"] or [])
    if shuffle:
        shuffle.shuffle(options)
    return " ".join([item["question"]] + (item["context"] or []) + [f"({chr(97 + i)}) {o['text']}"
                                                                     for i, o in enumerate(options)])


def run(tmp_path, real_store, rows, config=None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = VersionStore(str(tmp_path / "store"))
    inputs = resolve_inputs(store, Decontaminate, [str(path)])
    exams = TableInput(real_store.resolve("exams"), "exam_items")
    stage = Decontaminate.from_dict(config or {})
    version = run_stage(store, stage, StageInputs(tables=inputs.tables + [exams])).version
    return version, {r["id"]: r for r in version.read(inputs.tables[0].table).to_pylist()}


def test_planted_items_are_found_and_clean_passages_are_not(tmp_path, real_store, items):
    rng = random.Random(2)
    passages = real_store.resolve("pmc").read("passages")
    clean = [t for t in passages["text"].to_pylist() if len(t) > 400][:300]
    rows = [{"id": f"clean{i}", "text": t} for i, t in enumerate(clean)]
    for exam, item in items.items():
        edited = as_text(item, rng).split()
        edited[len(edited) // 2] = "usually"                                  # one word changed
        rows += [{"id": f"{exam}-verbatim", "text": as_text(item)},
                 {"id": f"{exam}-in-passage", "text": f"{clean[0]} {as_text(item)} {clean[1]}"},
                 {"id": f"{exam}-shuffled-edited", "text": " ".join(edited).upper()}]
    version, out = run(tmp_path, real_store, rows)
    for exam, item in items.items():
        for kind in ("verbatim", "in-passage", "shuffled-edited"):
            row = out[f"{exam}-{kind}"]
            assert row["contaminated"], f"{exam} {kind} not found"
            assert item["id"] in {h["item_id"] for h in row["contamination"]}, f"{exam} {kind}: wrong item"
            assert {h["exam"] for h in row["contamination"]} == {exam} or exam == "pubmedqa"
    assert not any(out[f"clean{i}"]["contaminated"] for i in range(len(clean)))
    summary = version.manifest["summary"]
    assert summary["contaminated"] == 15 and summary["rows_checked"] == len(rows)
    assert summary["benchmark_items"]["medqa/test"] > 0


def test_eval_items_are_marked_and_train_split_items_are_checked(tmp_path, real_store, items):
    medqa = items["medqa"]
    rows = [{"id": "train:1", "question": medqa["question"], "options": medqa["options"], "split": "train",
             "exam": "mybank"},
            {"id": "train:2", "question": "Which enzyme is deficient in classic phenylketonuria in infants?",
             "options": [{"label": "A", "text": "Phenylalanine hydroxylase"}], "split": "train", "exam": "mybank"}]
    path = tmp_path / "bank.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = VersionStore(str(tmp_path / "store"))
    bank = resolve_inputs(store, Decontaminate, [str(path)]).tables[0]
    version = run_stage(store, Decontaminate(), StageInputs(
        tables=[bank, TableInput(real_store.resolve("exams"), "exam_items")])).version
    mine = {r["id"]: r for r in version.read(bank.table).to_pylist()}
    assert mine["train:1"]["contaminated"] and not mine["train:1"]["eval_item"]
    assert not mine["train:2"]["contaminated"]
    evals = version.read("exam_items_2")             # the second input of the same table name
    assert pc.all(evals["eval_item"]).as_py() and not pc.any(evals["contaminated"]).as_py()


def test_config_chooses_benchmarks_and_splits(tmp_path, real_store, items):
    rows = [{"id": "copy", "text": as_text(items["medqa"])}]
    _, out = run(tmp_path / "a", real_store, rows, {"benchmarks": ["medmcqa"]})
    assert not out["copy"]["contaminated"]                                    # medqa is not a benchmark here
    version, out = run(tmp_path / "b", real_store, rows, {"eval_splits": ["nonexistent"]})
    assert not out["copy"]["contaminated"]                       # no benchmark items: nothing is checked
    assert version.manifest["summary"]["benchmark_items"].startswith("none")


def test_cli_prints_the_contamination_summary(tmp_path, real_store, items):
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps({"id": "x", "text": as_text(items["mmlu"])}) + "\n")
    exams = real_store.resolve("exams")
    result = CliRunner().invoke(app, ["stage", "decontaminate", "--input", str(path), "--input",
                                      f"{exams.id}:exam_items", "--store", str(real_store.root)])
    assert result.exit_code == 0, result.output
    assert "contaminated: 1" in result.stderr and "by exam: mmlu 1" in result.stderr


def test_in_parts_the_index_is_built_once_and_the_result_is_the_same(tmp_path, real_store, items, monkeypatch):
    """A run in parts: one part builds the benchmark index, row parts of every table read it; the assembled
    version has the id and the rows of the run in one piece."""
    from medcurate.runner import pending_parts
    rows = [{"id": f"r{i}", "text": as_text(items["medqa"]) if i % 7 == 0 else f"clean passage number {i}"}
            for i in range(30)]
    whole, whole_rows = run(tmp_path / "whole", real_store, rows)
    monkeypatch.setattr(Decontaminate, "part_rows", 400)
    store = VersionStore(str(tmp_path / "parts"))
    path = tmp_path / "parts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    inputs = resolve_inputs(store, Decontaminate, [str(path)])
    inputs.tables.append(TableInput(real_store.resolve("exams"), "exam_items"))
    phase, parts = pending_parts(store, Decontaminate(), inputs)
    assert phase == "prepare" and [p.key for p in parts] == ["once"]
    version = run_stage(store, Decontaminate(), inputs).version
    part_versions = [store.get(v) for v in version.manifest["parts"]]
    assert len(part_versions) > 2 and all(v.manifest["phase"] == "rows" for v in part_versions)
    index_builds = {v.manifest["after"][0] for v in part_versions}
    assert len(index_builds) == 1 and store.get(index_builds.pop()).manifest["phase"] == "prepare"
    table = inputs.tables[0].table
    assert version.read(table).to_pylist() == whole.read(table).to_pylist()
    assert version.read("exam_items").num_rows == real_store.resolve("exams").tables["exam_items"]["rows"]
    assert version.manifest["summary"]["contaminated"] == whole.manifest["summary"]["contaminated"] == 5
    assert version.manifest["funnel"]["in"] == whole.manifest["funnel"]["in"]
