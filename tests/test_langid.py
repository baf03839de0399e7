"""`langid` tags every row with its language, offline, on real text in four languages."""
from collections import Counter

import pyarrow.compute as pc

from medcurate.runner import run_stage
from medcurate.stage import StageInputs, TableInput
from medcurate.stages.langid import LangId


def test_real_passages_and_exam_banks_get_their_language(real_store):
    pmc, exams = real_store.resolve("pmc"), real_store.resolve("exams")
    version = run_stage(real_store, LangId(), StageInputs([TableInput(pmc, "passages")])).version
    passages = version.read("passages")
    assert passages.num_rows == pmc.tables["passages"]["rows"]                    # nothing dropped
    languages = Counter(passages["language"].to_pylist())
    assert languages["en"] / passages.num_rows > 0.97
    assert version.manifest["summary"]["languages"]["en"] == languages["en"]
    tagged = run_stage(real_store, LangId.from_dict({"text_columns": ["question"]}),
                       StageInputs([TableInput(exams, "exam_items")])).version.read("exam_items")
    by_exam: dict[str, Counter] = {}
    for exam, language in zip(tagged["exam"].to_pylist(), tagged["language"].to_pylist()):
        by_exam.setdefault(exam, Counter())[language] += 1
    expected = {"frenchmedmcqa": "fr", "cmexam": "zh", "medqa": "en", "mmlu": "en"}
    for exam, language in expected.items():
        counts = by_exam[exam]
        top, n = counts.most_common(1)[0]
        assert top == language and n / sum(counts.values()) > 0.75, (exam, counts.most_common(3))  # short stems
    scores = tagged["language_score"]
    assert pc.min(scores).as_py() > 0 and pc.max(scores).as_py() <= 1.0


def test_rows_without_text_get_nulls(tmp_path):
    import json

    from medcurate.pipeline.resolve import resolve_inputs
    from medcurate.store import VersionStore
    store = VersionStore(str(tmp_path / "store"))
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [{"id": "a", "text": "Die Patientin klagt über Fieber."},
                                                           {"id": "b", "text": ""}, {"id": "c", "text": None}]))
    version = run_stage(store, LangId(), resolve_inputs(store, LangId, [str(path)])).version
    rows = {r["id"]: r for r in version.read(version.manifest["main_table"]).to_pylist()}
    assert rows["a"]["language"] == "de"
    assert rows["b"]["language"] is None and rows["c"]["language_score"] is None
