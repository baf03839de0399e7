"""JATS / PMC full-text XML -> `documents` rows (with their `passages`), one parse and one walk per file.

Input: a single <article>, a <pmc-articleset>/<articles> wrapper, or an OAI-PMH GetRecord/ListRecords
response holding namespaced JATS (`{https://jats.nlm.nih.gov/ns/archiving/1.3/}article`): every
outermost <article> in the file is a document. Namespaced JATS goes through the same code as plain
JATS: the JATS default namespace is undeclared before parsing, any other namespaced article is
renamed with xmlsafe.strip_namespaces. A hostile or malformed file yields one Quarantined; an article
without pmcid, doi or pmid yields a Quarantined(row=index) and the others still come through.

Document text = title, abstract passages, body passages, back passages, floats-group captions, joined
with "\\n\\n"; every passage is `text[char_start:char_end]`. Passage kinds: title | abstract |
paragraph | caption | table_foot. Rules:
  * paragraph: each block-level <p> (in <body>, <sec>, <list-item>, <boxed-text>, <disp-quote>,
    <statement>, <fn>, ...) that is not inside another <p>. Block elements nested in a <p> (a <list>,
    an inner <p>, <disp-quote>, <disp-formula>, <break>) stay in the outer paragraph, separated by a
    space. Other block-level elements that carry text (def-item, disp-formula outside a <p>,
    preformat, unknown ones) become one paragraph each; stray text directly inside a container
    becomes a paragraph with path ".../text()". Section headings are not text: they label passages.
  * section_path: element names with their index among same-named siblings, from "body", "back",
    "abstract[i]" (i counts every <abstract> of article-meta) or "floats-group", e.g.
    "body/sec[1]/sec[0]/p[2]"; floats found inside a paragraph are numbered within it
    ("body/sec[0]/p[3]/table-wrap[0]").
  * section_title: the breadcrumb of enclosing titles, outermost first, " > " joined
    ("Methods > Participants"): split on " > " for the top-level ([0]) or nearest ([-1]) heading.
    Untitled ack/fn-group/app/glossary/notes/abstract get a generic one ("Acknowledgements", ...).
  * abstract: every article-meta <abstract> except abstract-type graphical/teaser/toc (one-line
    blurbs or a picture); <trans-abstract> (another language) is ignored. The first paragraph of a
    titled abstract <sec> is prefixed "Title: " (structured abstracts keep their labels, like MEDLINE).
  * <fig>, <table-wrap>, <supplementary-material>, <media>, groups of them (also inside a <p>, also
    in <floats-group>): removed from the paragraph text; label + caption -> one `caption` passage
    after the paragraph; <table-wrap-foot> -> a `table_foot` passage. Table cells are never text
    (their number is in meta.table_cells_excluded).
  * meta (JSON): figures, tables, table_cells_excluded, formulas (kept as text), references_excluded,
    abstract_types kept / abstracts_excluded, subjects (article-categories), keywords.
  * formulas: the <tex-math> source (only the part between \\begin{document} and \\end{document})
    when the formula has one, else the plain text of its MathML (mi/mo/mn contents), since that is
    what most PMC formulas carry and it keeps variable names searchable.
  * <xref> keeps its text ("[12]", "Fig 2"). <ref-list> is dropped everywhere (count in meta).
  * <back>: ack, notes, app, sec, glossary and fn-group all become passages under "back/": author
    footnotes (funding, conflicts, contributions) are real prose; drop them downstream by path.
  * no <body>: title + abstract only, still a valid document. An article with no text but its title
    (no body, abstract, back matter or caption: a scanned page, an empty stub) is Dropped with a reason.
    <sub-article>/<response> are skipped.
Metadata choices: year = earliest year of any article-meta <pub-date> (any pub-type/date-type);
license = license/@xlink:href, else ali:license_ref, else a creativecommons.org link in the licence
text, else the licence text; license_group as PMC groups licences (see `license_group`);
retracted = True if the article links its retraction notice (related-article "retraction-forward"),
False for a retraction notice itself, else None (unknown here; the PMC file list supplies it).
meta.article_version: PMC's version number of the article, when the JATS states it (see `_pmc_version`);
ingest lets a newer version of an article supersede an older one (medcurate.supersede).
"""
import json
import re
from typing import Iterator

from lxml import etree

from medcurate.licences import license_group
from medcurate.records import Dropped, Quarantined
from medcurate.text import fold_ws, guess_language
from medcurate.xmlsafe import HostileXML, XMLSyntaxError, local_name, parse_xml, root_name, strip_namespaces

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_WRAPPERS = {"article", "pmc-articleset", "articles"}
_EXCLUDED_ABSTRACTS = {"graphical", "teaser", "toc"}
_DEFAULT_TITLES = {"abstract": "Abstract", "ack": "Acknowledgements", "fn-group": "Footnotes",
                   "app": "Appendix", "glossary": "Glossary", "notes": "Notes"}

# Block level: containers are walked (their <p> children become passages), floats give captions,
# skipped ones give nothing; any other element is a text block (one passage of its inline text).
_CONTAINERS = {"body", "back", "floats-group", "sec", "app", "app-group", "ack", "notes", "boxed-text",
               "disp-quote", "statement", "list", "list-item", "glossary", "def-list", "fn-group", "fn",
               "speech", "question-wrap", "question", "answer", "explanation", "abstract"}
_FLOATS = {"fig", "fig-group", "table-wrap", "table-wrap-group", "supplementary-material", "media",
           "chem-struct-wrap", "graphic"}
_TABLES = {"table", "array"}   # cell content is never text
_SKIPPED = {"title", "label", "ref-list", "sec-meta", "object-id", "alt-text", "long-desc", "alternatives",
            "permissions", "x", "hr", "break"} | _TABLES
# Inline level (inside a text block): these are separated from their neighbours by a space.
_BOUNDARIES = {"p", "list", "list-item", "def-list", "def-item", "term", "def", "disp-quote", "boxed-text",
               "statement", "title", "label", "caption", "fn", "sec", "speech", "speaker", "verse-group",
               "verse-line", "preformat", "break", "attrib", "disp-formula", "table-wrap-foot", "license-p"}
_FORMULAS = {"inline-formula", "disp-formula", "alternatives", "tex-math"}
# Speed: elements whose content model is inline-only are serialised to text by libxml2 in one call
# (the fast path), unless they contain one of _SPECIAL, which need the element-by-element path.
# Block children that may sit in a <p> (list, fn, ...) are special; the <p>s inside them are not
# listed, as valid JATS never puts a <p> straight into a <p>.
_INLINE_ONLY = {"p", "title", "article-title", "journal-title", "subject", "kwd", "label", "term"}
_SPECIAL = tuple(_FLOATS | _TABLES | {"tex-math", "list", "disp-quote", "disp-formula", "break", "fn", "def-list",
                                      "statement", "boxed-text", "speech", "verse-group", "preformat"})

_TEX_BODY = re.compile(r"\\begin\{document\}(.*?)\\end\{document\}", re.S)
_YEAR = re.compile(r"\d{4}")
_DIGITS = re.compile(r"\d+")
_CELLS = etree.XPath("count(.//td|.//th)")
_REFS = etree.XPath("count(ref) + count(ref-list/ref)")   # child axes: a descendant scan of citations is slow
_JATS_NS = re.compile(rb'xmlns="https?://jats\.nlm\.nih\.gov/ns/[^"]*"')


def looks_like_jats(head: bytes) -> bool:
    """True if the first KBs of a file show a JATS article, a PMC article set or an OAI-PMH JATS record."""
    name = root_name(head)
    if name in _WRAPPERS:
        return True
    return name == "OAI-PMH" and (b"jats.nlm.nih.gov" in head or b"<article" in head)


def parse_jats(data: bytes) -> Iterator[dict | Dropped | Quarantined]:
    """One document dict per <article> in the file, or Dropped / Quarantined markers; never raises on bad input."""
    if b"jats.nlm.nih.gov/ns/" in data:
        # Undeclaring the JATS default namespace before the one parse leaves plain tags, which is
        # much cheaper than renaming every element afterwards (strip_namespaces stays the fallback
        # for prefixed JATS).
        data = _JATS_NS.sub(b'xmlns=""', data)
    try:
        root = parse_xml(data)
    except HostileXML as e:
        yield Quarantined(f"hostile XML: {e}")
        return
    except XMLSyntaxError as e:
        yield Quarantined(f"malformed XML: {e}")
        return
    articles = [root] if local_name(root.tag) == "article" else list(root.iter("{*}article"))
    if not articles:
        yield Quarantined(f"no <article> element (root <{local_name(root.tag)}>)")
    for i, article in enumerate(articles):
        if article.tag != "article":
            strip_namespaces(article)
        try:
            yield _document(article, i)
        except Exception as e:  # one odd article must not sink the others in its file
            yield Quarantined(f"article {i}: {type(e).__name__}: {e}", row=i)


NO_TEXT = "no text: article without body, abstract or any text beyond its title"


def _document(article: etree._Element, index: int) -> dict | Dropped | Quarantined:
    front = article.find("front")
    meta = front.find("article-meta") if front is not None else None
    if meta is None:
        return Quarantined(f"article {index}: no front/article-meta", row=index)
    pmcid, pmid, doi = _article_ids(meta)
    doc_id = f"pmc:{pmcid}" if pmcid else f"pmc:doi:{doi}" if doi else f"pmc:pmid:{pmid}" if pmid else None
    if doc_id is None:
        return Quarantined(f"article {index}: no pmcid, doi or pmid", row=index)

    walk = _Walk()
    title_el = meta.find("title-group/article-title")
    title = walk.text_of(walk.mark(title_el)) if title_el is not None else ""
    if title:
        walk.out.append(("title", "title", None, title))
    abstract_types, excluded = [], []
    for i, ab in enumerate(meta.iterchildren("abstract")):
        kind = ab.get("abstract-type")
        (excluded if kind in _EXCLUDED_ABSTRACTS else abstract_types).append(kind or "abstract")
        if kind not in _EXCLUDED_ABSTRACTS:
            walk.container(walk.mark(ab), f"abstract[{i}]", None, "abstract")
    for part in ("body", "back", "floats-group"):
        el = article.find(part)
        if el is not None:
            walk.container(walk.mark(el), part, None, "paragraph")

    if all(kind == "title" for kind, *_ in walk.out):
        return Dropped(NO_TEXT, row=index)
    text, passages = _tile(walk.out)
    lic = _license(meta, walk)
    article_type = article.get("article-type")
    extras = dict(walk.counts, formulas=sum(1 for _ in article.iter("inline-formula", "disp-formula")),
                  abstract_types=abstract_types, abstracts_excluded=excluded,
                  subjects=walk.texts(meta.find("article-categories"), "subject"),
                  keywords=[k for g in meta.iterchildren("kwd-group") for k in walk.texts(g, "kwd")])
    if (version := _pmc_version(meta, pmcid)) is not None:
        extras["article_version"] = version
    return {
        "id": doc_id, "source": "pmc", "dataset": "pmc", "source_id": pmcid or doi or pmid,
        "title": title or None,
        "abstract": "\n\n".join(p["text"] for p in passages if p["kind"] == "abstract") or None,
        "text": text, "language": _language(article, text), "year": _year(meta),
        "pmcid": pmcid, "pmid": pmid, "doi": doi,
        "journal": walk.text_of(next(front.iter("journal-title"), None)) or None,
        "article_type": article_type, "license": lic, "license_group": license_group(lic),
        "retracted": _retracted(meta, article_type),
        "meta": json.dumps(extras, ensure_ascii=False), "provenance": {"offset": index},
        "passages": passages,
    }


class _Walk:
    """One pass over an article's block structure, collecting (kind, path, section_title, text)."""

    def __init__(self):
        self.out: list[tuple[str, str, str | None, str]] = []
        self.counts = {"figures": 0, "tables": 0, "table_cells_excluded": 0, "references_excluded": 0}
        self.slow: set = set()   # elements with a _SPECIAL descendant

    def mark(self, el):
        """Record which elements under `el` need the slow path, in one C-filtered pass (instead of a
        descendant check per paragraph); <back>'s reference list, often a third of a file, is skipped."""
        scans = [c for c in el.iterchildren("*") if c.tag != "ref-list"] if el.tag == "back" else [el]
        for scan in scans:
            for special in scan.iter(*_SPECIAL):
                for anc in special.iterancestors():
                    if anc in self.slow:
                        break
                    self.slow.add(anc)
        return el

    def container(self, el, path: str, title: str | None, kind: str) -> None:
        own = self.text_of(next(el.iterchildren("title"), None)) or _DEFAULT_TITLES.get(el.tag)
        if own:
            title = f"{title} > {own}" if title else own
        if el.text and not el.text.isspace():
            self.out.append((kind, f"{path}/text()", title, fold_ws(el.text)))
        seen: dict[str, int] = {}
        for child in el:
            tag = child.tag
            if tag.__class__ is str and tag not in _SKIPPED:
                n = seen[tag] = seen.get(tag, -1) + 1
                child_path = f"{path}/{tag}[{n}]"
                if tag == "p" and child not in self.slow:   # most blocks: skip the general path
                    text = fold_ws(_plain(child))
                    if text:
                        self.out.append((kind, child_path, title, text))
                elif tag in _CONTAINERS:
                    start = len(self.out)
                    self.container(child, child_path, title, kind)
                    if kind == "abstract":
                        self._label_first(child, start)
                elif tag in _FLOATS:
                    self.float(child, child_path, title)
                else:
                    self.block(child, child_path, title, kind)
            elif tag == "ref-list":
                self.counts["references_excluded"] += int(_REFS(child))
            elif tag in _TABLES:
                self._count_table(child)
            if child.tail and not child.tail.isspace():
                self.out.append((kind, f"{path}/text()", title, fold_ws(child.tail)))

    def _label_first(self, sec, start: int) -> None:
        """Structured abstracts: "Background: ..." on the first paragraph of a titled section."""
        label = self.text_of(next(sec.iterchildren("title"), None))
        if label and len(self.out) > start and self.out[start][0] == "abstract":
            kind, path, title, text = self.out[start]
            self.out[start] = (kind, path, title, f"{label}: {text}")

    def block(self, el, path: str, title: str | None, kind: str) -> None:
        floats: list = []
        text = self.text_of(el, floats)
        if text:
            self.out.append((kind, path, title, text))
        seen: dict[str, int] = {}
        for f in floats:
            n = seen[f.tag] = seen.get(f.tag, -1) + 1
            self.float(f, f"{path}/{f.tag}[{n}]", title)

    def float(self, el, path: str, title: str | None) -> None:
        if el.tag == "fig":
            self.counts["figures"] += 1
        elif el.tag == "table-wrap":
            self.counts["tables"] += 1
            self._count_table(el)
        caption = " ".join(filter(None, (self.text_of(c) for c in el.iterchildren("label", "caption"))))
        if caption:
            self.out.append(("caption", path, title, caption))
        seen: dict[str, int] = {}
        for child in el.iterchildren(*_FLOATS, "table-wrap-foot"):
            n = seen[child.tag] = seen.get(child.tag, -1) + 1
            child_path = f"{path}/{child.tag}[{n}]"
            if child.tag == "table-wrap-foot":
                foot = self.text_of(child)
                if foot:
                    self.out.append(("table_foot", child_path, title, foot))
            else:
                self.float(child, child_path, title)

    def _count_table(self, el) -> None:
        self.counts["table_cells_excluded"] += int(_CELLS(el))

    def text_of(self, el, floats: list | None = None) -> str:
        """Whitespace-folded text of `el` ('' for None); floats are left out, appended to `floats`."""
        if el is None:
            return ""
        if el.tag in _INLINE_ONLY and el not in self.slow:
            return fold_ws(_plain(el))
        if el.tag in _FORMULAS:
            return fold_ws(_formula(el))
        parts: list[str] = []
        self._collect(el, parts, floats)
        return fold_ws("".join(parts))

    def _collect(self, el, parts: list[str], floats: list | None) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            tag = child.tag
            if tag.__class__ is not str:
                pass  # an unresolved entity reference: no text of its own
            elif tag in _FLOATS:
                parts.append(" ")
                if floats is not None:
                    floats.append(child)
            elif tag in _FORMULAS:
                parts.append(f" {_formula(child)} " if tag == "disp-formula" else _formula(child))
            elif tag in _TABLES:
                parts.append(" ")
                self._count_table(child)
            elif tag in _BOUNDARIES:
                parts.append(" ")
                if tag in _INLINE_ONLY and child not in self.slow:
                    parts.append(_plain(child))
                else:
                    self._collect(child, parts, floats)
                parts.append(" ")
            elif child in self.slow:
                self._collect(child, parts, floats)
            else:
                parts.append(_plain(child))
            if child.tail:
                parts.append(child.tail)

    def texts(self, el, tag: str) -> list[str]:
        return [] if el is None else [t for t in map(self.text_of, el.iter(tag)) if t]


def _plain(el) -> str:
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _formula(el) -> str:
    tex = next(el.iter("tex-math"), None)
    if tex is None:
        return _plain(el)
    source = _plain(tex)
    body = _TEX_BODY.search(source)
    return (body.group(1) if body else source).strip().strip("$").strip()


def _tile(out) -> tuple[str, list[dict]]:
    """Join passage texts with blank lines and record each one's offsets into the result."""
    passages, pos = [], 0
    for kind, path, title, text in out:
        passages.append({"kind": kind, "section_path": path, "section_title": title,
                         "char_start": pos, "char_end": pos + len(text), "text": text})
        pos += len(text) + 2
    return "\n\n".join(t for *_, t in out), passages


def _article_ids(meta) -> tuple[str | None, str | None, str | None]:
    raw: dict[str, str] = {}
    for el in meta.iterchildren("article-id"):
        raw.setdefault(el.get("pub-id-type"), fold_ws(el.text or ""))
    pmc = raw.get("pmcid") or raw.get("pmc") or raw.get("pmc-uid")
    digits = _DIGITS.search(pmc) if pmc else None
    return (f"PMC{digits.group()}" if digits else None), raw.get("pmid") or None, raw.get("doi") or None


_NUMBERED_VERSIONS = {None, "number", "version"}


def _pmc_version(meta, pmcid: str | None) -> int | None:
    """PMC's version number: <article-version article-version-type="pmc-version">, else the suffix of
    <article-id pub-id-type="pmcid-ver"> ("PMC123.2"), else a bare number in an <article-version> (directly or
    in <article-version-alternatives>) that names no other numbering: no vocab (JAV states such as "Version
    of Record" or "preprint") and a type of none, "number" or "version" (not a publisher's own numbering)."""
    versions = [v for el in meta.iterchildren("article-version", "article-version-alternatives")
                for v in ([el] if el.tag == "article-version" else el.iterchildren("article-version"))]
    for v in versions:
        if v.get("article-version-type") == "pmc-version" and (v.text or "").strip().isdigit():
            return int(v.text)
    for el in meta.iterchildren("article-id"):
        if el.get("pub-id-type") == "pmcid-ver":
            base, _, number = fold_ws(el.text).upper().rpartition(".")
            if number.isdigit() and (pmcid is None or base == pmcid):
                return int(number)
    for v in versions:
        if (v.text or "").strip().isdigit() and v.get("vocab") is None \
                and v.get("article-version-type") in _NUMBERED_VERSIONS:
            return int(v.text)
    return None


def _year(meta) -> int | None:
    years = [int(m.group()) for d in meta.iterchildren("pub-date")
             for y in d.iterchildren("year") if y.text and (m := _YEAR.search(y.text))]
    return min(years) if years else None


def _license(meta, walk: _Walk) -> str | None:
    lic = meta.find("permissions/license")
    if lic is None:
        return None
    if lic.get(XLINK_HREF):
        return lic.get(XLINK_HREF).strip()
    ref = next(lic.iter("{*}license_ref"), None)
    if ref is not None and ref.text and ref.text.strip():
        return ref.text.strip()
    for link in lic.iter("ext-link", "uri"):
        href = link.get(XLINK_HREF) or link.text or ""
        if "creativecommons.org" in href:
            return href.strip()
    return walk.text_of(lic) or None


def _retracted(meta, article_type: str | None) -> bool | None:
    if article_type == "retraction":
        return False
    if any(r.get("related-article-type") == "retraction-forward" for r in meta.iter("related-article")):
        return True
    return None


def _language(article, text: str) -> str:
    lang = (article.get(XML_LANG) or "").strip().lower().split("-")[0]
    return lang if len(lang) == 2 else guess_language(text[:400])
