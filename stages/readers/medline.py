"""PubMed / MEDLINE citation XML (efetch output, baseline and update files) -> `documents` rows.

Files are streamed (`iterparse_xml`): a 200 MB baseline file never becomes one tree. Yields, in file
order, a document dict per <PubmedArticle>/<PubmedBookArticle>, a `Deletion` per PMID of each
<DeleteCitation> (update files; the stage writes them to `deletions`), and Quarantined markers: one
per citation without a PMID (row = its index), or one for the rest of a file that turns out hostile
or malformed (citations before the break have already been yielded).

Text = title (ArticleTitle, else VernacularTitle: some records leave the English one empty)
+ "\\n\\n" + abstract, where abstract = the <AbstractText> parts joined by blank lines,
each prefixed with its Label ("BACKGROUND: ..."); passages are the title and one per AbstractText.
<OtherAbstract> (other languages, plain-language summaries) and CopyrightInformation are left out.
language is the article's <Language> (ISO 639-2 -> 639-1), which describes the publication, not
necessarily the text: ArticleTitle is usually an English translation and abstracts often are English.
retracted: True for PublicationType "Retracted Publication" or a CommentsCorrections RetractionIn
link, else False (MEDLINE records do carry retraction status).
"""
import json
import re
from dataclasses import dataclass
from typing import Iterator

from medcurate.records import Quarantined
from medcurate.xmlsafe import HostileXML, XMLSyntaxError, iterparse_xml, root_name

_RECORDS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_YEAR = re.compile(r"\d{4}")
# ISO 639-2/B codes used by MEDLINE -> ISO 639-1
_LANGUAGES = {
    "eng": "en", "ger": "de", "fre": "fr", "spa": "es", "ita": "it", "por": "pt", "rus": "ru", "jpn": "ja",
    "chi": "zh", "kor": "ko", "dut": "nl", "pol": "pl", "swe": "sv", "nor": "no", "dan": "da", "fin": "fi",
    "tur": "tr", "heb": "he", "ara": "ar", "gre": "el", "hun": "hu", "cze": "cs", "slo": "sk", "rum": "ro",
    "per": "fa", "ukr": "uk", "hrv": "hr", "srp": "sr", "slv": "sl", "bul": "bg", "lit": "lt", "lav": "lv",
    "est": "et", "ice": "is", "cat": "ca", "tha": "th", "vie": "vi", "ind": "id", "may": "ms", "hin": "hi",
    "afr": "af", "glg": "gl", "baq": "eu", "wel": "cy", "gle": "ga", "epo": "eo", "lat": "la",
}


@dataclass(frozen=True)
class Deletion:
    """A PMID withdrawn by a MEDLINE update file's <DeleteCitation>."""
    pmid: str


def looks_like_medline(head: bytes) -> bool:
    """True if the first KBs of a (decompressed) file show a <PubmedArticleSet> root."""
    return root_name(head) == "PubmedArticleSet"


def parse_medline(data: bytes) -> Iterator[dict | Quarantined | Deletion]:
    index = yielded = 0
    try:
        for el in iterparse_xml(data, _RECORDS):
            yielded += 1
            if el.tag == "DeleteCitation":
                yield from (Deletion(p.text.strip()) for p in el.iterchildren("PMID") if p.text)
                continue
            try:
                yield _citation(el, index)
            except Exception as e:  # one odd citation must not sink the other thousands in the file
                yield Quarantined(f"citation {index}: {type(e).__name__}: {e}", row=index)
            index += 1
    except HostileXML as e:
        yield Quarantined(f"hostile XML: {e}")
        return
    except XMLSyntaxError as e:
        yield Quarantined(f"malformed XML after {index} citations: {e}", row=index if index else None)
        return
    if not yielded:
        yield Quarantined("no PubmedArticle, PubmedBookArticle or DeleteCitation element")


def _citation(el, index: int) -> dict | Quarantined:
    book = el.tag == "PubmedBookArticle"
    cit = el.find("BookDocument" if book else "MedlineCitation")
    pmid = _text(cit.find("PMID")) if cit is not None else ""
    if not pmid:
        return Quarantined(f"citation {index}: no PMID", row=index)
    art = cit if book else cit.find("Article")
    title = (_text(art.find("ArticleTitle")) or _text(art.find("VernacularTitle"))
             or (_text(art.find("Book/BookTitle")) if book else ""))
    parts = []
    for i, ab in enumerate(art.iterfind("Abstract/AbstractText")):
        text, label = _text(ab), (ab.get("Label") or "").strip()
        if text:
            parts.append((f"abstract/AbstractText[{i}]", f"Abstract > {label}" if label else "Abstract",
                          f"{label}: {text}" if label else text))
    pieces = ([("title", None, title)] if title else []) + parts
    passages, pos = [], 0
    for path, section, text in pieces:
        passages.append({"kind": "title" if path == "title" else "abstract", "section_path": path,
                         "section_title": section, "char_start": pos, "char_end": pos + len(text),
                         "text": text})
        pos += len(text) + 2

    ids = {a.get("IdType"): _text(a) for a in el.iterfind(
        ("PubmedBookData" if book else "PubmedData") + "/ArticleIdList/ArticleId")}
    doi = next((_text(e) for e in art.iterfind("ELocationID") if e.get("EIdType") == "doi"), "") or ids.get("doi")
    pub_types = [_text(t) for t in art.iterfind("PublicationTypeList/PublicationType")]
    if book:
        pub_types += [_text(t) for t in cit.iterfind("PublicationType")]
    journal = None if book else _text(art.find("Journal/Title")) or _text(art.find("Journal/ISOAbbreviation"))
    language = _text(art.find("Language")).lower()
    meta = {
        "status": cit.get("Status"),
        "mesh": [_text(d) for d in cit.iterfind("MeshHeadingList/MeshHeading/DescriptorName")],
        "keywords": [k for k in map(_text, cit.iterfind("KeywordList/Keyword")) if k],
    }
    abstract = "\n\n".join(text for _, _, text in parts)
    return {
        "id": f"pubmed:{pmid}", "source": "pubmed", "dataset": "medline", "source_id": pmid,
        "title": title or None, "abstract": abstract or None,
        "text": "\n\n".join(text for _, _, text in pieces),
        "language": _LANGUAGES.get(language, "und"), "year": _year(art, book),
        "pmcid": ids.get("pmc") or None, "pmid": pmid, "doi": doi or None,
        "journal": journal or None, "article_type": "; ".join(t for t in pub_types if t) or None,
        "license": None, "license_group": "other",
        "retracted": "Retracted Publication" in pub_types
                     or any(c.get("RefType") == "RetractionIn"
                            for c in cit.iterfind("CommentsCorrectionsList/CommentsCorrections")),
        "meta": json.dumps(meta, ensure_ascii=False), "provenance": {"offset": index},
        "passages": passages,
    }


def _year(art, book: bool) -> int | None:
    """PubDate/Year, else the first year in MedlineDate ("1998 Dec-1999 Jan" -> 1998)."""
    date = art.find("Book/PubDate" if book else "Journal/JournalIssue/PubDate")
    if date is None:
        return None
    m = _YEAR.search(_text(date.find("Year")) or _text(date.find("MedlineDate")))
    return int(m.group()) if m else None


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""
