"""The Prefect ingest flow runs the same stages as the CLI and yields the same version ids."""
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.ingest import ingest_flow
from medcurate.inputs import list_files
from medcurate.stage import StageInputs, run_stage
from medcurate.store import VersionStore
from stages.ingest_exams import IngestExams
from stages.ingest_pmc import IngestPMC

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def prefect_server():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_flow_and_cli_stage_give_the_same_versions(prefect_server, tmp_path):
    store = str(tmp_path / "store")
    ids = ingest_flow(pmc=[str(SAMPLES / "pmc")], exams=[str(SAMPLES / "exams")], store=store)
    st = VersionStore(store)
    direct_pmc = run_stage(st, IngestPMC(), StageInputs(files=list_files([str(SAMPLES / "pmc")])))
    direct_exams = run_stage(st, IngestExams(), StageInputs(files=list_files([str(SAMPLES / "exams")])))
    assert direct_pmc.cached and direct_exams.cached
    assert ids == {"pmc": direct_pmc.version.id, "exams": direct_exams.version.id}
