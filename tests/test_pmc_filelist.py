"""read_filelist on the three file-list layouts PMC has published, and read_version_metadata on the PMC Cloud
Service's per-version metadata JSON (written here: the sample data has neither)."""
import json

import pytest

from medcurate.stages.readers.pmc_filelist import read_filelist, read_version_metadata

OA_FILE_LIST_CSV = (
    "File,Article Citation,Accession ID,Last Updated (YYYY-MM-DD HH:MM:SS),PMID,License\n"
    "oa_package/08/e0/PMC13900.tar.gz,Breast Cancer Res. 2001 Nov 2; 3(1):55-60,PMC13900,"
    "2019-11-05 11:56:12,11250746,NO-CC CODE\n"
    'oa_package/b0/ac/PMC13901.tar.gz,"Breast Cancer Res. 2001 Nov 9; 3(1):61-65, suppl",PMC13901,'
    "2019-11-05 11:56:13,11250747,CC BY\n"
    "oa_package/f7/98/PMC13902.tar.gz,Breast Cancer Res. 2001 Nov 8; 3(1):66-75,PMC13902,"
    "2019-11-05 11:56:13,,CC BY-NC\n"
)

BULK_FILELIST_TXT = (
    "Article File\tArticle Citation\tAccessionID\tLastUpdated (YYYY-MM-DD HH:MM:SS)\tPMID\tLicense\tRetracted\r\n"
    "PMC000xxxxxx/PMC176545.xml\tPLoS Biol. 2003 Oct 13; 1(1):E5\tPMC176545\t2023-02-25 01:15:59\t14551903"
    "\tCC BY\tno\r\n"
    "PMC000xxxxxx/PMC176546.xml\tPLoS Biol. 2003 Oct 13; 1(1):E6\tPMC176546\t2023-02-25 01:16:03\t14551904"
    "\tCC0\tyes\r\n"
)

BULK_FILELIST_CSV = (
    "ARTICLE FILE, article citation ,Accession Id,LastUpdated (YYYY-MM-DD HH:MM:SS),pmid,LICENSE,retracted\n"
    "PMC001xxxxxx/PMC1000000.xml,Foo. 2004; 1:1,PMC1000000,2023-01-01 00:00:00,15000000,CC BY-ND,\n"
)

LEGACY_TXT = """2023-05-30 10:27:07
oa_package/08/e0/PMC13900.tar.gz\tBreast Cancer Res. 2001 Nov 2; 3(1):55-60\tPMC13900\tPMID:11250746\tNO-CC CODE
oa_package/b0/ac/PMC13901.tar.gz\tBreast Cancer Res. 2001 Nov 9; 3(1):61-65\tPMC13901\tPMID:\tCC BY
"""


@pytest.fixture
def write(tmp_path):
    def write(name: str, text: str) -> bytes:
        path = tmp_path / name
        path.write_bytes(text.encode())
        return path.read_bytes()
    return write


def test_oa_file_list_csv(write):
    rows = read_filelist(write("oa_file_list.csv", OA_FILE_LIST_CSV))
    assert rows == {
        "PMC13900": {"pmid": "11250746", "license": "NO-CC CODE", "retracted": None,
                     "article_file": "oa_package/08/e0/PMC13900.tar.gz"},
        "PMC13901": {"pmid": "11250747", "license": "CC BY", "retracted": None,
                     "article_file": "oa_package/b0/ac/PMC13901.tar.gz"},
        "PMC13902": {"pmid": None, "license": "CC BY-NC", "retracted": None,
                     "article_file": "oa_package/f7/98/PMC13902.tar.gz"},
    }


def test_bulk_filelist_tab_separated_with_retracted(write):
    rows = read_filelist(write("oa_comm_xml.PMC000xxxxxx.baseline.2023-06-17.filelist.txt", BULK_FILELIST_TXT))
    assert rows["PMC176545"] == {"pmid": "14551903", "license": "CC BY", "retracted": False,
                                 "article_file": "PMC000xxxxxx/PMC176545.xml"}
    assert rows["PMC176546"]["retracted"] is True and rows["PMC176546"]["license"] == "CC0"


def test_headers_matched_case_and_space_insensitively(write):
    rows = read_filelist(write("x.filelist.csv", "\ufeff" + BULK_FILELIST_CSV))
    assert rows == {"PMC1000000": {"pmid": "15000000", "license": "CC BY-ND", "retracted": None,
                                   "article_file": "PMC001xxxxxx/PMC1000000.xml"}}


def test_legacy_headerless_oa_file_list_txt(write):
    rows = read_filelist(write("oa_file_list.txt", LEGACY_TXT))
    assert rows["PMC13900"]["pmid"] == "11250746" and rows["PMC13900"]["license"] == "NO-CC CODE"
    assert rows["PMC13901"]["pmid"] is None


def test_unrecognised_layout_raises(write):
    with pytest.raises(ValueError, match="accession column"):
        read_filelist(write("other.csv", "a,b,c\n1,2,3\n"))
    assert read_filelist(b"") == {}


# As the bucket README (section 4) lists the properties, with a real article's values.
METADATA_JSON = {
    "pmcid": "PMC7759461", "version": 1, "pmid": 32939066, "doi": "10.1038/s41586-020-2649-2",
    "title": "Array programming with NumPy", "citation": "Nature. 2020 Sep 16;585(7825):357-362.",
    "is_pmc_openaccess": True, "is_manuscript": False, "is_historical_ocr": False, "is_retracted": False,
    "license_code": "CC BY",
    "xml_url": "s3://pmc-oa-opendata/PMC7759461.1/PMC7759461.1.xml?md5=2ba36e61fa9eb4950c9daef9c9f58812",
    "text_url": "s3://pmc-oa-opendata/PMC7759461.1/PMC7759461.1.txt?md5=fc83ba0d98bb1d742486396c8df6e4a8",
}


def test_cloud_service_metadata_json():
    assert read_version_metadata(json.dumps(METADATA_JSON).encode()) == {
        "pmcid": "PMC7759461", "version": 1, "pmid": "32939066", "license": "CC BY", "retracted": False}
    manuscript = {**METADATA_JSON, "pmid": None, "license_code": "TDM", "is_retracted": True, "version": 3}
    assert read_version_metadata(json.dumps(manuscript).encode()) == {
        "pmcid": "PMC7759461", "version": 3, "pmid": None, "license": "TDM", "retracted": True}


@pytest.mark.parametrize("record", [{"pmcid": "PMC1"}, {"pmcid": "PMC1", "version": "2"},
                                    {"pmcid": "PMC1", "version": 0}, {"pmcid": "X1", "version": 1}, ["PMC1", 1],
                                    {"pmcid": "PMC1", "version": True}])
def test_not_a_version_metadata_json(record):
    with pytest.raises(ValueError, match="metadata JSON"):
        read_version_metadata(json.dumps(record).encode())
