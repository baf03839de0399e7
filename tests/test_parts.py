"""Row-wise stages run in parts: each part is a version of its own, so a killed run resumes from the
parts already committed, and the assembled version equals a run in one piece."""
import json

import pytest

from medcurate.pipeline.resolve import resolve_inputs
from medcurate.runner import pending_parts, run_stage
from medcurate.stage import row_parts
from medcurate.stages.grounding.stage import Grounding
from medcurate.stages.select import Select
from medcurate.store import VersionStore

PASSAGE = "Metformin lowers hepatic glucose production. Lactic acidosis is a rare adverse effect of metformin."


@pytest.fixture
def qa(tmp_path):
    store = VersionStore(str(tmp_path / "store"))
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps({"id": f"q{i}", "passage": PASSAGE,
                                        "question": f"What does metformin do ({i})?",
                                        "answer": "It lowers hepatic glucose production." if i % 2 else "Nothing."})
                            + "\n" for i in range(10)))
    return store, resolve_inputs(store, Grounding, [str(path)])


def test_parts_assemble_to_the_one_piece_result_and_resume(qa, monkeypatch, tmp_path):
    store, inputs = qa
    whole = run_stage(store, Grounding(), inputs).version                  # 10 rows < part_rows: one piece
    assert "parts" not in whole.manifest
    whole_rows = whole.read("qa_pairs")
    monkeypatch.setattr(Grounding, "part_rows", 4)
    assert [p.inputs.tables[0].rows for p in row_parts(inputs, 4)] == [(0, 4), (4, 8), (8, 10)]
    assert run_stage(store, Grounding(), inputs).cached                    # the same id in parts or not
    store.fs.delete_dir(whole.path())
    phase, pending = pending_parts(store, Grounding(), inputs)
    assert phase == "rows"
    assert [p.key for p in pending] == ["qa_pairs rows 0-4", "qa_pairs rows 4-8", "qa_pairs rows 8-10"]
    first = run_stage(store, Grounding(), inputs).version
    assert len(first.manifest["parts"]) == 3 and first.id == whole.id
    assert pending_parts(store, Grounding(), inputs) == ("", [])
    assert first.read("qa_pairs").equals(whole_rows)
    assert first.manifest["funnel"]["in"] == 10 == first.manifest["summary"]["pairs"]
    # a run killed after its parts were committed: the rerun only assembles, to the same id
    store.fs.delete_dir(first.path())
    parts_before = {v.id for v in store.list()}
    again = run_stage(store, Grounding(), inputs)
    assert not again.cached and again.version.id == first.id
    assert {v.id for v in store.list()} == parts_before | {first.id}
    assert again.version.read("qa_pairs").equals(whole_rows)


def test_a_part_can_be_named_as_an_input(qa):
    store, inputs = qa
    ref = f"{inputs.tables[0].version.id}:qa_pairs[2:5]"
    part = resolve_inputs(store, Grounding, [ref]).tables[0]
    assert part.rows == (2, 5) and part.ref == ref
    assert [r["id"] for b in part.iter_batches() for r in b.to_pylist()] == ["q2", "q3", "q4"]


def test_select_limit_keeps_the_first_rows_and_says_so(qa):
    store, inputs = qa
    version = run_stage(store, Select.from_dict({"limit": 3}), inputs).version
    assert version.read("qa_pairs")["id"].to_pylist() == ["q0", "q1", "q2"]
    assert version.manifest["funnel"]["dropped"] == {"beyond the limit of 3 rows": 7}
