"""Parse untrusted XML (PMC, MEDLINE) without entity expansion, network or DTD access.

Two layers, because either alone is weaker:
  * before parsing, the prolog (the bytes before the root element) is scanned and a DOCTYPE whose
    internal subset declares any <!ENTITY is refused (`HostileXML`): billion laughs, XXE and
    parameter-entity tricks all need one, and no real PMC/PubMed file has one;
  * the lxml parser never resolves entities, never loads a DTD, never touches the network and keeps
    libxml2's size limits (huge_tree=False), so anything that slips past the scan is inert.
Real files declare `<!DOCTYPE article PUBLIC "..." "...dtd">` with no internal subset and parse normally.
Malformed XML raises lxml's `XMLSyntaxError`; callers turn both errors into Quarantined rows.
"""
import io
import re
import threading
from typing import Iterator

from lxml import etree

XMLSyntaxError = etree.XMLSyntaxError

# Not collect_ids=False: it sets libxml2's XML_SKIP_IDS, which makes it load the external DTD.
_PARSER_OPTIONS = dict(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_comments=True, remove_pis=True,
)
_local = threading.local()   # lxml parsers must not be shared between threads


class HostileXML(ValueError):
    """The document declares entities in its DOCTYPE internal subset; refused unparsed."""


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(**_PARSER_OPTIONS)
    return parser


def _ascii_view(data: bytes) -> bytes:
    """The bytes to scan: as-is for ASCII-compatible encodings, re-encoded as UTF-8 for UTF-16/32."""
    head = data[:4]
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return data[len(bom):].decode(codec, "replace").encode()
    if head[:2] == b"<\x00":
        return data.decode("utf-16-le", "replace").encode()
    if head[:2] == b"\x00<":
        return data.decode("utf-16-be", "replace").encode()
    return data


_SKIP_WS = re.compile(rb"[ \t\r\n]*")
_ROOT_NAME = re.compile(rb"<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)")
_DOCTYPE_HEAD = re.compile(rb"<!DOCTYPE[^\[>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^\[>\"']*)*([\[>])")


def _after(data: bytes, token: bytes, pos: int) -> int:
    end = data.find(token, pos)
    return len(data) if end < 0 else end + len(token)


def _scan_prolog(data: bytes) -> tuple[str | None, bool]:
    """(local name of the root element or None if not reached, whether an entity is declared)."""
    pos, n = (3 if data.startswith(b"\xef\xbb\xbf") else 0), len(data)
    while pos < n:
        pos = _SKIP_WS.match(data, pos).end()
        if data.startswith(b"<?", pos):
            pos = _after(data, b"?>", pos)
        elif data.startswith(b"<!--", pos):
            pos = _after(data, b"-->", pos)
        elif data.startswith(b"<!DOCTYPE", pos):
            m = _DOCTYPE_HEAD.match(data, pos)
            if m is None:
                return None, False
            pos = m.end()
            if m.group(1) == b"[":
                # Bytes after "[" can only be the subset, or CDATA/comments in the body: refusing the
                # latter is a harmless false positive for a file that already carries a subset.
                if data.find(b"<!ENTITY", pos) >= 0:
                    return None, True
                pos = _after(data, b">", _after(data, b"]", pos))
        else:
            m = _ROOT_NAME.match(data, pos)
            return (m.group(1).decode().rpartition(":")[2] if m else None), False
    return None, False


def check_prolog(data: bytes) -> None:
    """Raise HostileXML if the DOCTYPE's internal subset declares an entity."""
    if _scan_prolog(_ascii_view(data))[1]:
        raise HostileXML("DOCTYPE internal subset declares <!ENTITY (entity expansion / XXE refused)")


def root_name(head: bytes) -> str | None:
    """Local name of the root element, read from the first bytes of a file (None if not found there)."""
    return _scan_prolog(_ascii_view(head))[0]


def parse_xml(data: bytes) -> etree._Element:
    """Parse a whole document safely; raises HostileXML or XMLSyntaxError."""
    check_prolog(data)
    return etree.fromstring(data, _parser())


def iterparse_xml(data: bytes, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """Stream the complete `tags` elements of a large document (e.g. a 200 MB MEDLINE baseline) safely.

    Each yielded element is cleared, with its processed siblings, once the caller moves on, so memory
    stays flat. Raises HostileXML up front, XMLSyntaxError wherever the document breaks.
    """
    check_prolog(data)
    for _, el in etree.iterparse(io.BytesIO(data), events=("end",), tag=tags, **_PARSER_OPTIONS):
        yield el
        el.clear(keep_tail=True)
        parent = el.getparent()
        while parent is not None and el.getprevious() is not None:
            del parent[0]


def local_name(tag) -> str | None:
    """'{ns}article' -> 'article'; None for comments/PIs/entities (whose .tag is not a string)."""
    if tag.__class__ is not str:
        return None
    return tag[tag.index("}") + 1:] if tag[:1] == "{" else tag


def strip_namespaces(el: etree._Element) -> etree._Element:
    """Rename every element under `el` (inclusive) to its local name, in place.

    Lets namespaced JATS (OAI-PMH's `{https://jats.nlm.nih.gov/ns/archiving/1.3/}article`) go through
    the same plain-tag code as ordinary JATS. Attributes (xlink:href, xml:lang) keep their namespaces,
    as they have them in plain JATS too.
    """
    for node in el.iter():
        tag = node.tag
        if tag.__class__ is str and tag[:1] == "{":
            node.tag = tag[tag.index("}") + 1:]
    return el
