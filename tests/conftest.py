"""Shared fixtures: where the real sample data lives (never copied into the repo)."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real sample data not found at {SHARED_DATA} (expected ../shared/data beside the checkout)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_store(shared_data, tmp_path_factory):
    """A store with the real PMC articles and exam banks ingested once per test session, tagged
    `pmc` and `exams`."""
    from medcurate.inputs import list_files
    from medcurate.runner import run_stage
    from medcurate.stage import StageInputs
    from medcurate.stages.ingest_exams import IngestExams
    from medcurate.stages.ingest_pmc import IngestPMC
    from medcurate.store import VersionStore

    store = VersionStore(str(tmp_path_factory.mktemp("real-store")))
    for tag, stage, folder in (("pmc", IngestPMC(), "pmc_jats"), ("exams", IngestExams(), "exam_mcq")):
        version = run_stage(store, stage, StageInputs(files=list_files([str(shared_data / folder)]))).version
        store.tag(tag, version.id)
    return store
