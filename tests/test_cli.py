"""The `medcurate` command line on the bundled samples: ids on stdout, summaries, versions, stage reruns."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcurate.cli import app
from medcurate.stages.readers.jats import NO_TEXT

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "medcurate" / "samples"
runner = CliRunner()


def cli(*args: str, store: Path):
    result = runner.invoke(app, [*args, "--store", str(store)])
    assert result.exit_code == 0, result.output + str(result.exception)
    return result


def test_ingest_prints_the_id_and_a_rerun_is_a_cache_hit(tmp_path):
    first = cli("ingest", "pmc", str(SAMPLES / "pmc"), store=tmp_path)
    vid = first.stdout.strip().splitlines()[-1]
    assert vid.startswith("ingest_pmc-")
    again = cli("ingest", "pmc", str(SAMPLES / "pmc"), store=tmp_path)
    assert again.stdout.strip().splitlines()[-1] == vid
    assert "cache hit" in again.stderr


def test_sample_ingest_summary_and_manifest(tmp_path):
    out = cli("ingest", "pmc", str(SAMPLES / "pmc"), "--json", store=tmp_path)
    summary = json.loads(out.stdout)
    assert summary["rows"]["documents"] == 3            # three files + one article inside the .tar.gz, ...
    assert summary["funnel"]["dropped"] == {NO_TEXT: 1}  # ... less a correction notice with only its title
    assert summary["rows"]["quarantine"] == 1           # broken.xml
    assert summary["funnel"]["skipped_inputs"] == {"not an article XML (.jpg)": 1}
    assert "malformed XML" in out.stderr and "e.g. broken.xml" in out.stderr
    shown = json.loads(cli("versions", "show", summary["id"], "--json", store=tmp_path).stdout)
    assert shown["tables"]["passages"]["shards"][0]["sha256"]
    assert shown["funnel"]["kept"] == 3


def test_versions_lists_and_tags(tmp_path):
    vid = cli("ingest", "exams", str(SAMPLES / "exams"), "--tag", "bank", store=tmp_path).stdout.split()[-1]
    listed = json.loads(cli("versions", "--json", store=tmp_path).stdout)
    assert [v["id"] for v in listed] == [vid]
    assert listed[0]["rows"]["exam_items"] == 7 and listed[0]["rows"]["quarantine"] == 1
    assert json.loads(cli("versions", "show", "bank", "--json", store=tmp_path).stdout)["id"] == vid
    assert "all shards match" in cli("versions", "verify", "bank", store=tmp_path).stderr


def test_stage_select_on_a_tag_and_on_an_external_table(tmp_path):
    cli("ingest", "pmc", str(SAMPLES / "pmc"), "--tag", "pmc", store=tmp_path)
    config = SAMPLES / "select_paragraphs.yaml"
    out = cli("stage", "select", "--input", "pmc:passages", "--config", str(config), "--json", store=tmp_path)
    selected = json.loads(out.stdout)
    assert selected["funnel"]["dropped"]["not a body paragraph"] > 0
    external = tmp_path / "theirs.jsonl"
    texts = ["short", "A long enough paragraph about sepsis bundles and lactate clearance in the emergency department."]
    external.write_text("\n".join(json.dumps({"id": f"their-{i}", "doc_id": "their-doc", "kind": "paragraph", "text": t})
                                  for i, t in enumerate(texts)))
    out = cli("stage", "select", "--input", str(external), "--config", str(config), "--json", store=tmp_path)
    assert "imported external table" in out.stderr
    version = json.loads(out.stdout)
    assert version["rows"] == {"passages": 1}
    import datasets
    shown = json.loads(cli("versions", "show", version["id"], "--json", store=tmp_path).stdout)
    ds = datasets.load_from_disk(str(Path(tmp_path) / "versions" / shown["id"] / "passages"))
    assert ds["id"] == ["their-1"]


def test_ingested_notes_are_deidentified_and_pass_the_gate(tmp_path):
    cli("ingest", "notes", str(SAMPLES / "notes"), "--tag", "notes", store=tmp_path)
    out = cli("stage", "select", "--input", "notes:documents", "--json", store=tmp_path)
    assert json.loads(out.stdout)["rows"] == {"documents": 4}


def test_raw_note_tables_are_refused_until_deidentified(tmp_path):
    raw = tmp_path / "their_notes.jsonl"
    raw.write_text(json.dumps({"id": "n1", "source": "note", "deidentified": False,
                               "text": "Mr. Daniel Okafor was seen on 03/14/2024."}) + "\n")
    result = runner.invoke(app, ["stage", "select", "--input", str(raw), "--store", str(tmp_path)])
    assert result.exit_code == 2 and "refused: it looks like clinical notes" in result.stderr
    assert "Okafor" not in result.output and "their_notes" not in result.output
    out = cli("stage", "deidentify", "--input", str(raw), "--tag", "clean", store=tmp_path)
    assert "Okafor" not in out.stderr
    selected = json.loads(cli("stage", "select", "--input", "clean", "--json", store=tmp_path).stdout)
    assert selected["rows"] == {"documents": 1}


def test_bad_arguments_give_clear_errors(tmp_path):
    result = runner.invoke(app, ["stage", "select", "--input", "no-such-version", "--store", str(tmp_path)])
    assert result.exit_code == 2 and "neither a version id, a tag, nor an existing path" in result.stderr
    result = runner.invoke(app, ["ingest", "exams", str(SAMPLES / "exams"), "--format", "nonsense",
                                 "--store", str(tmp_path)])
    assert result.exit_code == 2 and "unknown exam format" in result.stderr


@pytest.mark.parametrize("command", [[], ["ingest"], ["stage"], ["versions"], ["versions", "show"],
                                     ["versions", "tag"], ["versions", "verify"]])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.stdout


def test_console_script_and_env_store(tmp_path):
    env = {"MEDCURATE_STORE": str(tmp_path / "envstore"), "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run(["medcurate", "ingest", "exams", str(SAMPLES / "exams")], env=env,
                          capture_output=True, text=True, check=True)
    vid = done.stdout.strip()
    assert (tmp_path / "envstore" / "versions" / vid / "manifest.json").is_file()
