"""parse_medline on the real PubMed samples, plus small update/book/MedlineDate files written here."""
import gzip
import json
import re

import pytest

from medcurate.records import Quarantined
from medcurate.stages.readers.medline import Deletion, looks_like_medline, parse_medline


def run(data: bytes) -> list:
    return list(parse_medline(data))


@pytest.fixture(scope="module")
def medline(shared_data):
    root = shared_data / "medline_xml"
    files = {p.name: p.read_bytes() for p in sorted(root.rglob("*.xml"))}
    files["pubmed26n1334.xml"] = gzip.decompress((root / "hugheylab_pmparser/pubmed26n1334.xml.gz").read_bytes())
    return files


@pytest.fixture(scope="module")
def docs(medline) -> dict[str, dict]:
    return {d["pmid"]: d for data in medline.values() for d in run(data) if isinstance(d, dict)}


def test_counts(medline):
    baseline = medline["pubmed26n1334.xml"]
    efetch = [run(data) for name, data in medline.items() if name != "pubmed26n1334.xml"]
    assert len(efetch) == 9 and all(len(r) == 1 and isinstance(r[0], dict) for r in efetch)
    results = run(baseline)
    deletes_in_file = re.findall(rb"<DeleteCitation>(.*?)</DeleteCitation>", baseline, re.S)
    pmids_to_delete = [p for block in deletes_in_file for p in re.findall(rb"<PMID[^>]*>(\d+)</PMID>", block)]
    assert [r for r in results if isinstance(r, Deletion)] == [Deletion(p.decode()) for p in pmids_to_delete]
    assert pmids_to_delete == []   # this sample carries no <DeleteCitation> (see test_delete_citations)
    docs = [r for r in results if isinstance(r, dict)]
    assert len(docs) == 30 == baseline.count(b"<PubmedArticle>")
    assert [d["provenance"]["offset"] for d in docs] == list(range(30))
    assert all(looks_like_medline(data[:4096]) for data in medline.values())


def test_passages_tile_title_and_abstract(docs):
    assert len(docs) == 39
    for doc in docs.values():
        assert doc["id"] == f"pubmed:{doc['pmid']}" and doc["source"] == "pubmed" and doc["dataset"] == "medline"
        assert doc["text"] == "\n\n".join(filter(None, [doc["title"], doc["abstract"]]))
        for p in doc["passages"]:
            assert doc["text"][p["char_start"]:p["char_end"]] == p["text"]
        assert [p["kind"] for p in doc["passages"]][:1] == ["title"]
        assert doc["license"] is None and doc["license_group"] == "other"


def test_structured_abstract(docs):
    doc = docs["29768149"]
    labels = [p["text"].split(":")[0] for p in doc["passages"] if p["kind"] == "abstract"]
    assert labels == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert doc["abstract"].startswith("BACKGROUND: In patients with mild asthma")
    assert doc["passages"][1]["section_title"] == "Abstract > BACKGROUND"
    assert doc["passages"][1]["section_path"] == "abstract/AbstractText[0]"
    assert doc["title"] == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert (doc["year"], doc["doi"], doc["journal"]) == (2018, "10.1056/NEJMoa1715274",
                                                         "The New England journal of medicine")
    assert doc["article_type"] == ("Clinical Trial, Phase III; Comparative Study; Journal Article; "
                                   "Multicenter Study; Randomized Controlled Trial; "
                                   "Research Support, Non-U.S. Gov't")
    assert "Asthma" in json.loads(doc["meta"])["mesh"]


def test_ids_come_from_the_citation_not_its_references(docs):
    assert docs["33515491"]["pmcid"] == "PMC7906746"   # its reference list holds other PMC ids
    assert docs["27350240"]["pmcid"] is None and docs["27350240"]["doi"] == "10.1038/nature18454"
    assert docs["27350240"]["abstract"] is None and docs["27350240"]["passages"][0]["kind"] == "title"


def test_language_and_inline_markup(docs):
    german = docs["25760099"]
    assert german["language"] == "de" and german["year"] == 2016
    assert german["abstract"].startswith("Background: The expansion of trust law")   # <b>Background:</b>
    assert "Georg Thieme" not in german["text"]   # CopyrightInformation is not abstract text
    untranslated = docs["41605226"]   # empty <ArticleTitle/>: the German VernacularTitle stands in
    assert untranslated["title"].startswith("Kommentar zu „ABDOMEN BECKEN") and untranslated["abstract"] is None


def test_retraction_notice_is_not_retracted(docs):
    notice = docs["41578200"]
    assert "Retraction Notice" in notice["article_type"] and notice["retracted"] is False
    assert notice["pmcid"] == "PMC12828940"


UPDATE_FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">
<PubmedArticleSet>
<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">111</PMID>
<Article><Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate></JournalIssue>
<Title>Old Journal</Title></Journal><ArticleTitle>An <i>old</i> paper.</ArticleTitle>
<Abstract><AbstractText>Plain abstract.</AbstractText></Abstract><Language>fre</Language>
<PublicationTypeList><PublicationType>Journal Article</PublicationType>
<PublicationType>Retracted Publication</PublicationType></PublicationTypeList></Article>
<KeywordList><Keyword>ageing</Keyword></KeywordList></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">111</ArticleId><ArticleId IdType="doi">10.1/old</ArticleId>
</ArticleIdList></PubmedData></PubmedArticle>
<PubmedArticle><MedlineCitation><Article><ArticleTitle>No PMID here.</ArticleTitle></Article></MedlineCitation></PubmedArticle>
<PubmedBookArticle><BookDocument><PMID Version="1">222</PMID><Book><BookTitle>A Handbook</BookTitle>
<PubDate><Year>2005</Year></PubDate></Book><Language>eng</Language>
<Abstract><AbstractText Label="SUMMARY">About the book.</AbstractText></Abstract></BookDocument>
<PubmedBookData><ArticleIdList><ArticleId IdType="bookaccession">NBK1</ArticleId></ArticleIdList></PubmedBookData>
</PubmedBookArticle>
<DeleteCitation><PMID Version="1">333</PMID><PMID Version="1">444</PMID></DeleteCitation>
</PubmedArticleSet>"""


def test_update_file_with_book_deletions_and_medline_date():
    old, missing, book, *deletions = run(UPDATE_FILE)
    assert old["year"] == 1998 and old["title"] == "An old paper." and old["language"] == "fr"
    assert old["doi"] == "10.1/old" and old["retracted"] is True and old["journal"] == "Old Journal"
    assert json.loads(old["meta"])["keywords"] == ["ageing"]
    assert missing == Quarantined("citation 1: no PMID", row=1)
    assert book["id"] == "pubmed:222" and book["title"] == "A Handbook" and book["year"] == 2005
    assert book["text"] == "A Handbook\n\nSUMMARY: About the book." and book["journal"] is None
    assert deletions == [Deletion("333"), Deletion("444")]


def test_broken_files_are_quarantined():
    truncated = UPDATE_FILE[:UPDATE_FILE.index(b"<PubmedBookArticle>") + 40]
    *good, broken = run(truncated)
    assert [g["pmid"] if isinstance(g, dict) else g.row for g in good] == ["111", 1]
    assert isinstance(broken, Quarantined) and broken.reason.startswith("malformed XML after 2 citations")
    (hostile,) = run(b'<!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                     b"<PubmedArticleSet><PubmedArticle>&x;</PubmedArticle></PubmedArticleSet>")
    assert hostile.reason.startswith("hostile XML")
    assert run(b"<html/>") == [Quarantined("no PubmedArticle, PubmedBookArticle or DeleteCitation element")]
    assert not looks_like_medline(b"<pmc-articleset>")
