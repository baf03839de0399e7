"""A run killed in the middle resumes from its committed parts and ends with the same version as an
uninterrupted run (kill -9 of the real CLI process, on real PubMedQA question/answer pairs)."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from medcurate.inputs import list_files
from medcurate.runner import run_stage
from medcurate.stage import StageInputs
from medcurate.stages.ingest_exams import IngestExams
from medcurate.store import VersionStore

MEDCURATE = [str(Path(sys.executable).parent / "medcurate")]


def _qa_file(shared_data: Path, tmp_path: Path) -> Path:
    store = VersionStore(str(tmp_path / "source"))
    files = list_files([str(shared_data / "exam_mcq" / "pubmedqa")])
    items = run_stage(store, IngestExams(), StageInputs(files=files)).version.read("exam_items").to_pylist()[:300]
    path = tmp_path / "pubmedqa_pairs.jsonl"
    with path.open("w") as out:
        for k, item in enumerate(items):
            for shift, kind in ((0, "own"), (1, "other")):      # its own abstract, and the next item's
                passage = " ".join(items[(k + shift) % len(items)]["context"])
                out.write(json.dumps({"id": f"{item['id']}/{kind}", "passage": passage,
                                      "question": item["question"], "answer": item["explanation"]}) + "\n")
    return path


def _grounding(path: Path, store: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(MEDCURATE + ["stage", "grounding", "--input", str(path), "--store", str(store)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _parts(store: Path) -> dict[str, str]:
    """Committed grounding part versions and when each was made."""
    manifests = (store / "versions").glob("grounding-*/manifest.json")
    return {m.parent.name: json.loads(m.read_text())["created_at"] for m in manifests}


def test_killed_run_resumes_from_committed_parts(shared_data, tmp_path):
    path = _qa_file(shared_data, tmp_path)
    env = {**os.environ, "MEDCURATE_PART_ROWS": "60"}           # 600 pairs in 10 parts
    killed_store = tmp_path / "killed"
    run = _grounding(path, killed_store, env)
    deadline = time.time() + 120
    while len(_parts(killed_store)) < 3 and time.time() < deadline and run.poll() is None:
        time.sleep(0.2)
    assert run.poll() is None, "the run finished before it could be killed"
    run.send_signal(signal.SIGKILL)
    run.wait()
    before = _parts(killed_store)
    assert 3 <= len(before) < 10
    resumed = _grounding(path, killed_store, env)
    resumed_id = resumed.communicate(timeout=300)[0].strip().splitlines()[-1]
    assert resumed.returncode == 0
    final = VersionStore(str(killed_store)).get(resumed_id)
    assert len(final.manifest["parts"]) == 10
    after = _parts(killed_store)
    assert all(after[vid] == made for vid, made in before.items())      # committed parts were not redone
    fresh = _grounding(path, tmp_path / "fresh", env)
    fresh_id = fresh.communicate(timeout=300)[0].strip().splitlines()[-1]
    assert fresh_id == resumed_id
    assert final.read("qa_pairs").equals(VersionStore(str(tmp_path / "fresh")).get(fresh_id).read("qa_pairs"))
