"""The Prefect flows run the same stages as the CLI and yield the same version ids, on threads or Dask."""
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness
from test_fetch_pmc import bucket, service  # noqa: F401  (real HTTP servers laid out like the PMC bucket)

from medcurate.flows.curate import curate_flow
from medcurate.flows.incremental import incremental_pmc_flow
from medcurate.flows.ingest import ingest_flow
from medcurate.flows.runners import task_runner
from medcurate.inputs import list_files
from medcurate.pipeline.check import check
from medcurate.pipeline.dag import run_direct, run_pipeline
from medcurate.pipeline.spec import build, read_file
from medcurate.runner import run_stage
from medcurate.stage import StageInputs
from medcurate.stages.ingest_exams import IngestExams
from medcurate.stages.ingest_pmc import IngestPMC
from medcurate.store import VersionStore
from medcurate.supersede import SUPERSEDED

SAMPLES = Path(__file__).resolve().parent.parent / "medcurate" / "samples"


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


def _tiny_pipeline() -> dict:
    """The bundled samples, with QA generation cut to one short chunk (the local model is slow)."""
    config = read_file(SAMPLES / "pipeline.yaml")
    config["stages"].update({"qa_passages": {"limit": 2},
                             "generate_qa": {"chunking": "packed", "min_words": 10, "pairs_per_chunk": 1,
                                             "max_tokens": 96}})
    return config


def test_curate_flow_and_direct_steps_give_the_same_versions(prefect_server, tmp_path):
    store = str(tmp_path / "store")
    config = _tiny_pipeline()
    flow_rows = curate_flow(config, store)
    assert [r["step"] for r in flow_rows][:3] == ["ingest_pmc", "ingest_exams", "ingest_notes"]
    assert flow_rows[-1]["step"] == "released_qa"
    direct = run_pipeline(check(build(config)), lambda step, refs: run_direct(store, step, refs), VersionStore(store))
    assert [r.version for r in direct] == [r["version"] for r in flow_rows]
    assert all(r.cached for r in direct)
    st = VersionStore(store)
    assert st.resolve("released_qa").id == flow_rows[-1]["version"]        # every step is tagged


def test_curate_flow_on_a_local_dask_cluster(prefect_server, tmp_path):
    config = _tiny_pipeline()
    config["sources"].pop("pmc")
    runner = task_runner("dask", workers=2)
    rows = curate_flow.with_options(task_runner=runner)(config, str(tmp_path / "store"))
    local = curate_flow(config, str(tmp_path / "store"))                    # same store: all cache hits
    assert [r["version"] for r in rows] == [r["version"] for r in local]
    assert "dedup" in [r["step"] for r in rows]


def test_incremental_pmc_flow_fetches_new_entries_and_ingests_them(prefect_server, bucket, tmp_path):
    out, store = tmp_path / "oa", str(tmp_path / "store")
    first = incremental_pmc_flow(str(out), store, ["comm", "noncomm"], bucket.url, layout="legacy")
    again = incremental_pmc_flow(str(out), store, ["comm", "noncomm"], bucket.url, layout="legacy")
    assert again == first                                              # nothing new: the same version
    bucket.add("oa_comm", "PMC6500000", "2026-02-01 08:00:00")
    third = incremental_pmc_flow(str(out), store, ["comm", "noncomm"], bucket.url, layout="legacy")
    docs = VersionStore(store).get(third).read("documents")
    assert third != first and "PMC6500000" in docs["pmcid"].to_pylist()


def test_incremental_pmc_flow_on_todays_cloud_layout(prefect_server, service, tmp_path):
    out, store = tmp_path / "oa", str(tmp_path / "store")
    first = incremental_pmc_flow(str(out), store, base_url=service.url)
    assert incremental_pmc_flow(str(out), store, base_url=service.url) == first     # nothing new: the same version
    service.add("PMC10200000", 2, "2026-01-12T08:00:00.000Z")                       # a new version of an article
    service.publish("2026-01-13T01-00Z")
    third = incremental_pmc_flow(str(out), store, base_url=service.url)
    version = VersionStore(store).get(third)
    docs = {d["pmcid"]: d["text"] for d in version.read("documents").to_pylist()}
    assert third != first and set(docs) == {"PMC10777901", "PMC10200000", "PMC10300000"}
    assert "Text of version 2." in docs["PMC10200000"]                             # the new version, not both
    assert version.manifest["funnel"]["dropped"] == {SUPERSEDED: 1}
