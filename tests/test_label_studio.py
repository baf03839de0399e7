"""Human review round trip against a real Label Studio server, plus the pieces it is made of.

The server runs from .venv-labelstudio (scripts/setup_label_studio.sh), on 127.0.0.1 with SQLite in a temp
folder; two reviewers with API tokens are created non-interactively. The QA pairs are built from real PMC
paragraphs; the reviewers' answers are planned below so every agreement figure is known exactly.
"""
import json
import os
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from medcurate.annotation.agreement import between_humans, cohen_kappa, fleiss_kappa, percent_agreement
from medcurate.annotation.configs import load_config
from medcurate.annotation.export import build_export
from medcurate.annotation.sample import choose
from medcurate.annotation.server import connect, find_project
from medcurate.annotation.human_labels import HumanLabels, human_labels
from medcurate.cli import app
from medcurate.gate import PHIGateError
from medcurate.runner import run_stage
from medcurate.stage import StageInputs
from medcurate.stages.import_table import ImportTable
from medcurate.store import VersionStore

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv-labelstudio"
NO_SERVER = {"LABEL_STUDIO_URL": None, "LABEL_STUDIO_API_KEY": None}
runner = CliRunner()

# Eight QA pairs: the grounding filter's score and the LLM judge's verdict (None: no verdict), then what
# reviewer A and reviewer B answer for grounded / correct / relevant / safe.
SCORES = [0.92, 0.81, 0.62, 0.55, 0.48, 0.30, 0.71, 0.15]
JUDGE = ["supported", "supported", "partially", "unsupported", "unsupported", "partially", "supported", None]
PLAN = {
    "grounded": (["yes", "yes", "yes", "no", "no", "partly", "yes", "no"],
                 ["yes", "yes", "no", "no", "no", "partly", "yes", "yes"]),
    "correct": (["yes"] * 8, ["yes"] * 7 + ["unsure"]),
    "relevant": (["yes", "no", "yes", "no", "yes", "yes", "no", "yes"],) * 2,
    "safe": (["yes"] * 8,) * 2,
}


# -- the statistics on textbook values ------------------------------------------------------------

def test_cohen_kappa_textbook_example():
    # 50 proposals read by two people: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> kappa 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == 1.0
    assert cohen_kappa(["yes"] * 4, ["yes"] * 4) is None            # chance agreement is already 1


def test_fleiss_kappa_textbook_example():
    # Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories -> kappa 0.210
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
              [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    items = [[str(c) for c, n in enumerate(row) for _ in range(n)] for row in counts]
    assert fleiss_kappa(items) == pytest.approx(0.20993, abs=1e-5)
    assert percent_agreement(items) == pytest.approx(0.37802, abs=1e-5)


def test_three_reviewers_get_fleiss_kappa():
    judgments = {"r1": {"a": "yes", "b": "yes", "c": "yes"}, "r2": {"a": "no", "b": "no", "c": "yes"},
                 "r3": {"a": "no", "b": "no"}, "r4": {"a": "yes"}}              # r4: one rating, not an item
    report = between_humans(judgments)
    assert report == {"items": 3, "annotators": 3, "percent": pytest.approx(7 / 9), "statistic": "fleiss",
                      "kappa": pytest.approx(fleiss_kappa([["yes"] * 3, ["no", "no", "yes"], ["no", "no"]]))}
    # 8 ratings: 4 yes, 4 no -> chance 0.5; observed (1 + 1/3 + 1) / 3 = 7/9 -> kappa 5/9
    assert report["kappa"] == pytest.approx(5 / 9)


def test_percent_agreement_counts_agreeing_pairs():
    assert percent_agreement([["a", "a"], ["a", "b"]]) == 0.5
    assert percent_agreement([["a", "a", "b"]]) == pytest.approx(1 / 3)


# -- sampling, task JSON and the PHI gate (no server) --------------------------------------------

@pytest.fixture(scope="module")
def qa_version(real_store, tmp_path_factory):
    """Eight QA pairs on real PMC paragraphs, as a qa_pairs version tagged `qa-review`."""
    passages = real_store.resolve("pmc").read("passages")
    paragraphs = passages.filter(pc.and_(pc.equal(passages.column("kind"), "paragraph"),
                                         pc.greater_equal(pc.utf8_length(passages.column("text")), 300)))
    rows = []
    for i, p in enumerate(sorted(paragraphs.slice(0, 8).to_pylist(), key=lambda p: p["id"])):   # PLAN's order
        rows.append({"id": f"{p['id']}/qa0", "passage_id": p["id"], "source": "pmc", "passage": p["text"],
                     "question": "What does this paragraph report?", "answer": p["text"].split(". ")[0] + ".",
                     "style": "open", "grounding_score": SCORES[i], "judge_label": JUDGE[i],
                     "judge_score": {"supported": 1.0, "partially": 0.5, "unsupported": 0.0}.get(JUDGE[i])})
    path = tmp_path_factory.mktemp("qa") / "qa_pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    importer = ImportTable(ImportTable.Config(kind="qa_pairs"))
    version = run_stage(real_store, importer, StageInputs(files=[str(path)])).version
    real_store.tag("qa-review", version.id)
    return version


def test_sample_takes_the_least_certain_then_spreads_over_strata():
    table = pa.table({"id": [f"r{i}" for i in range(10)], "source": ["pmc"] * 8 + ["note", "exam"],
                      "grounding_score": [0.9, 0.51, 0.1, 0.48, 0.95, 0.3, 0.75, 0.2, 0.99, 0.01]})
    picks = choose(table, "qa", 6)
    assert [p.row for p in picks[:3]] == [1, 3, 5]                # |score - 0.5| = 0.01, 0.02, 0.2
    assert {p.reason for p in picks[3:]} == {"stratum:exam/-", "stratum:note/-", "stratum:pmc/-"}
    assert choose(table, "qa", 6) == picks                      # deterministic


def test_labels_sample_uses_the_lowest_classifier_score():
    table = pa.table({"id": ["a", "b", "c"], "doc_type_score": [0.9, 0.4, 0.8], "domain_score": [0.7, 0.9, 0.2]})
    assert [p.row for p in choose(table, "labels", 2, uncertain_share=1.0)] == [2, 1]


def test_export_writes_tasks_with_predictions(real_store, qa_version, tmp_path):
    out = tmp_path / "tasks.json"
    result = runner.invoke(app, ["annotate", "export", "--input", "qa-review", "--sample", "4", "--out", str(out),
                                 "--store", real_store.root, "--json"], env=NO_SERVER)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reasons"] == {"uncertain": 2, "stratum": 2}
    tasks = json.loads(out.read_text())
    uncertain = [t for t in tasks if t["data"]["medcurate_reason"] == "uncertain"]
    assert sorted(t["predictions"][0]["score"] for t in uncertain) == [0.48, 0.55]
    task = next(t for t in tasks if t["predictions"][0]["score"] == 0.55)
    assert task["data"]["medcurate_config"] == "qa_review@1"
    assert task["predictions"] == [
        {"model_version": "grounding_score>=0.5", "score": 0.55, "result": [
            {"from_name": "grounded", "to_name": "answer", "type": "choices", "value": {"choices": ["yes"]},
             "score": 0.55}]},
        {"model_version": "llm_judge", "score": 0.0, "result": [
            {"from_name": "grounded", "to_name": "answer", "type": "choices", "value": {"choices": ["no"]},
             "score": 0.0}]}]


def test_labels_export_reads_the_classifier_columns(real_store, tmp_path):
    passages = real_store.resolve("pmc").read("passages").slice(0, 3)
    classified = passages.append_column("doc_type", pa.array(["study", "review", "nonsense"])) \
        .append_column("doc_type_score", pa.array([0.9, 0.3, 0.6], pa.float32())) \
        .append_column("edu_score", pa.array([4, 2, None], pa.int32()))
    path = tmp_path / "classified.parquet"
    pq.write_table(classified, path)
    tasks = {t["data"]["medcurate_id"]: t for t in build_export(real_store, str(path), "labels", 3).tasks}
    first = tasks[passages.column("id")[0].as_py()]["predictions"][0]
    assert first["model_version"] == "classifier" and first["score"] == pytest.approx(0.9)
    assert [(r["from_name"], r["value"]["choices"]) for r in first["result"]] == [("doc_type", ["study"]),
                                                                                    ("edu_score", ["4"])]
    third = tasks[passages.column("id")[2].as_py()]
    assert third["predictions"] == []                           # "nonsense" is no choice of the form


def test_export_of_an_empty_table_gives_no_tasks(tmp_path):
    store = VersionStore(str(tmp_path / "store"))
    path = tmp_path / "qa.parquet"          # what a pipeline hands over when every generated pair failed
    pq.write_table(pa.table({"id": pa.array([], pa.string()), "passage": pa.array([], pa.string()),
                             "question": pa.array([], pa.string()), "answer": pa.array([], pa.string())}), path)
    export = build_export(store, str(path), "qa", 10)
    assert export.rows == 0 and export.tasks == []


def test_export_refuses_notes_that_were_not_deidentified(tmp_path):
    store = VersionStore(str(tmp_path / "store"))
    path = tmp_path / "qa.jsonl"
    rows = [{"id": "n1/qa0", "source": "note", "deidentified": False, "passage": "Pt John Smith, MRN 1234.",
             "question": "Who?", "answer": "John Smith", "grounding_score": 0.5},
            {"id": "p1/qa0", "source": "pmc", "passage": "Aspirin is an NSAID.", "question": "Is it?",
             "answer": "Yes", "grounding_score": 0.9}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(PHIGateError, match="rows whose source names clinical notes"):
        build_export(store, str(path), "qa", 10)
    claims = tmp_path / "claims.jsonl"          # a file that says its notes are de-identified is not believed
    claims.write_text(path.read_text().replace('"deidentified": false', '"deidentified": true'))
    with pytest.raises(PHIGateError, match="refused: it looks like clinical notes"):
        build_export(store, str(claims), "qa", 10)
    result = runner.invoke(app, ["annotate", "export", "--input", str(path), "--out", str(tmp_path / "t.json"),
                                 "--store", str(store.root)], env=NO_SERVER)
    assert result.exit_code == 2 and "deidentify" in result.output and "John Smith" not in result.output
    assert not (tmp_path / "t.json").exists()


def test_import_from_a_file_and_human_labels_as_training_rows(real_store, tmp_path):
    passages = real_store.resolve("pmc").read("passages").slice(0, 2)
    ids = passages.column("id").to_pylist()
    config = load_config("labels")

    def annotation(aid, who, doc_type, edu):
        return {"id": aid, "completed_by": who, "was_cancelled": False, "lead_time": 5.0, "result": [
            {"from_name": "doc_type", "to_name": "text", "type": "choices", "value": {"choices": [doc_type]}},
            {"from_name": "edu_score", "to_name": "text", "type": "choices", "value": {"choices": [edu]}},
            {"from_name": "discipline", "to_name": "text", "type": "textarea", "value": {"text": ["oncology"]}}]}

    tasks = [{"id": 10 + i, "data": {"text": "...", "medcurate_id": pid, "medcurate_config": config.ref},
              "annotations": [annotation(2 * i + 1, 1, "study", "4"), annotation(2 * i + 2, 2, kind, "3")],
              "predictions": []} for i, (pid, kind) in enumerate(zip(ids, ["study", "review"]))]
    tasks.append({"id": 99, "data": {"text": "not ours"}, "annotations": [annotation(9, 1, "other", "1")]})
    path = tmp_path / "project-export.json"
    path.write_text(json.dumps(tasks))
    result = runner.invoke(app, ["annotate", "import", "--file", str(path), "--store", real_store.root, "--json"])
    assert result.exit_code == 0, result.output
    version = real_store.get(json.loads(result.stdout)["id"])
    summary, funnel = version.manifest["summary"], version.manifest["funnel"]
    assert summary["project"] == "project-export" and summary["annotators"] == ["user:1", "user:2"]
    assert funnel["kept"] == 4 and funnel["dropped"] == {"task not exported by medcurate": 1}
    assert summary["agreement"]["doc_type"] == {"items": 2, "annotators": 2, "percent": 0.5, "kappa": 0.0,
                                                "statistic": "cohen"}
    assert summary["agreement"]["discipline"]["percent"] == 1.0
    labels = human_labels(version.read("annotations"), passages)
    assert labels.num_rows == 4
    assert labels.column("label_source").to_pylist() == ["human:user:1", "human:user:2"] * 2
    assert labels.column("edu_score").to_pylist() == [4, 3, 4, 3]
    assert labels.column("doc_type").to_pylist() == ["study", "study", "study", "review"]
    staged = runner.invoke(app, ["stage", "human_labels", "--input", version.id, "--input", "pmc:passages",
                                 "--store", real_store.root, "--json"])
    assert staged.exit_code == 0, staged.output
    made = real_store.get(json.loads(staged.stdout)["id"])
    assert made.read("labels").equals(labels) and made.manifest["summary"]["reviewers"] == 2


# -- the real server -----------------------------------------------------------------------------

@dataclass
class Server:
    url: str
    tokens: dict[str, str]                  # reviewer email -> API token
    timings: dict[str, float] = field(default_factory=dict)


REVIEWERS = {"reviewer-a@example.com": "medcurate-token-reviewer-a",
             "reviewer-b@example.com": "medcurate-token-reviewer-b"}


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    timings = {}
    started = time.perf_counter()
    setup = subprocess.run(["bash", str(REPO / "scripts" / "setup_label_studio.sh")], capture_output=True, text=True)
    if setup.returncode != 0 or not (VENV / "bin" / "label-studio").exists():
        pytest.skip(f"cannot create .venv-labelstudio (scripts/setup_label_studio.sh): {setup.stderr[-800:]}")
    timings["venv (setup script)"] = time.perf_counter() - started
    data = tmp_path_factory.mktemp("label-studio")
    # legacy tokens let a fixed token be set at user creation; analytics off: the server calls no one
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(data), "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
           "COLLECT_ANALYTICS": "false"}
    started = time.perf_counter()
    for email, token in REVIEWERS.items():     # the first creates the database, the organisation and its owner
        subprocess.run([str(VENV / "bin" / "label-studio"), "init", "--quiet", "--username", email,
                        "--password", "medcurate-review", "--user-token", token],
                       env=env, cwd=data, check=True, capture_output=True)
    timings["users and tokens"] = time.perf_counter() - started
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(data / "server.log", "w")
    started = time.perf_counter()
    server = subprocess.Popen([str(VENV / "bin" / "label-studio"), "start", "--host", "127.0.0.1", "--port",
                               str(port), "--no-browser"], env=env, cwd=data, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(url, server, data / "server.log")
        timings["server start to /health"] = time.perf_counter() - started
        yield Server(url, dict(REVIEWERS), timings)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"label-studio exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"label-studio did not answer /health within {timeout:.0f}s:\n{log.read_text()[-3000:]}")


def test_round_trip_against_a_real_server(label_studio, real_store, qa_version, tmp_path):
    url, (admin, second) = label_studio.url, list(label_studio.tokens.items())
    timings = label_studio.timings
    server_args = ["--url", url, "--token", admin[1], "--project", "QA review (test)", "--store", real_store.root]

    def export(sample: int) -> dict:
        started = time.perf_counter()
        result = runner.invoke(app, ["annotate", "export", "--input", "qa-review", "--sample", str(sample),
                                     "--out", str(tmp_path / f"tasks-{sample}.json"), "--json", *server_args])
        assert result.exit_code == 0, result.output
        timings.setdefault(f"export --sample {sample}", time.perf_counter() - started)
        return json.loads(result.stdout)

    first = export(5)
    assert (first["created"], first["skipped"]) == (5, 0)
    second_export = export(8)                  # a bigger sample holds the first: only the 3 others are new
    assert (second_export["created"], second_export["skipped"]) == (3, 5)
    assert (export(8)["created"], export(8)["skipped"]) == (0, 8)

    client = connect(url, admin[1])
    project = find_project(client, "QA review (test)")
    assert project is not None and "qa_review@1" in client.projects.get(project.id).description
    tasks = list(client.tasks.list(project=project.id, fields="all"))
    row_ids = sorted(qa_version.read("qa_pairs").column("id").to_pylist())
    assert sorted(t.data["medcurate_id"] for t in tasks) == row_ids        # 8 tasks, no duplicates
    assert all(t.predictions for t in tasks)

    started = time.perf_counter()
    config = load_config("qa")
    for who, (email, token) in enumerate((admin, second)):
        reviewer = connect(url, token)
        for task in tasks:
            i = row_ids.index(task.data["medcurate_id"])
            result = [{"from_name": f, "to_name": config.controls[f].to_name, "type": "choices",
                       "value": {"choices": [PLAN[f][who][i]]}} for f in PLAN]
            if who == 0 and i == 2:
                result.append({"from_name": "correction", "to_name": "answer", "type": "textarea",
                               "value": {"text": ["Not stated in the passage."]}})
            reviewer.annotations.create(id=task.id, result=result, was_cancelled=False, lead_time=12.5)
    timings["16 annotations posted (2 reviewers x 8 tasks)"] = time.perf_counter() - started

    started = time.perf_counter()
    imported = runner.invoke(app, ["annotate", "import", "--url", url, "--token", admin[1], "--project",
                                   "QA review (test)", "--download-dir", str(tmp_path / "downloads"),
                                   "--store", real_store.root, "--tag", "qa-reviewed", "--json"])
    assert imported.exit_code == 0, imported.output
    timings["import (download + stage)"] = time.perf_counter() - started
    version = real_store.get(json.loads(imported.stdout)["id"])
    summary = version.manifest["summary"]
    assert summary["annotators"] == sorted(label_studio.tokens)
    assert version.manifest["kind"] == "annotations" and version.manifest["funnel"]["kept"] == 16
    rows = version.read("annotations")
    assert rows.num_rows == 16 * 4 + 1 and set(rows.column("row_id").to_pylist()) == set(row_ids)
    assert set(rows.column("project").to_pylist()) == {"QA review (test)"}

    agreement = summary["agreement"]
    assert set(agreement) == {"grounded", "correct", "relevant", "safe"}     # the correction is free text
    assert agreement["grounded"] == {"items": 8, "annotators": 2, "percent": 0.75,
                                     "kappa": pytest.approx(11 / 19), "statistic": "cohen"}
    assert agreement["correct"]["percent"] == 0.875 and agreement["correct"]["kappa"] == 0.0
    assert agreement["relevant"]["percent"] == 1.0 and agreement["relevant"]["kappa"] == 1.0
    assert agreement["safe"]["percent"] == 1.0 and agreement["safe"]["kappa"] is None   # all "yes": no chance to beat
    grounding = summary["automatic"]["grounding_score>=0.5"]["grounded"]
    assert grounding == {"n": 16, "accuracy": 0.625, "kappa": pytest.approx(11 / 35), "positive": "yes",
                         "precision": 0.7, "recall": 0.875}
    judge = summary["automatic"]["llm_judge"]["grounded"]
    assert judge == {"n": 14, "accuracy": pytest.approx(12 / 14), "kappa": pytest.approx(7 / 9),
                     "positive": "yes", "precision": 1.0, "recall": pytest.approx(6 / 7)}
    assert "reviewers" in imported.stderr and "grounding_score>=0.5" in imported.stderr

    started = time.perf_counter()
    again = runner.invoke(app, ["annotate", "import", "--url", url, "--token", admin[1], "--project",
                                "QA review (test)", "--download-dir", str(tmp_path / "downloads"),
                                "--store", real_store.root])
    timings["import again (cache hit)"] = time.perf_counter() - started
    assert again.exit_code == 0 and again.stdout.strip().splitlines()[-1] == version.id
    assert "cache hit" in again.stderr
    print("\nLabel Studio round trip timings (s): "
          + ", ".join(f"{name} {seconds:.1f}" for name, seconds in timings.items()))


def test_a_bad_token_is_a_clear_error(label_studio, real_store, qa_version, tmp_path):
    result = runner.invoke(app, ["annotate", "export", "--input", "qa-review", "--out", str(tmp_path / "t.json"),
                                 "--url", label_studio.url, "--token", "wrong-token", "--store", real_store.root])
    assert result.exit_code == 2 and "answered 401" in result.output
