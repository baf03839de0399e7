"""Section groups: a passage's kind and the top of its section title folded into a few groups, so
"Materials and Methods > MRI Scanners" and "METHODS" stratify (and teach) alike."""
import re

_STRUCTURAL = {"title": "title", "caption": "caption", "table_foot": "caption"}   # whatever section they sit in
_BY_KIND = {"abstract": "abstract", "note_section": "note", "dialogue": "note"}      # when the title says nothing
_BY_TITLE = [      # first match wins, on the top-level title
    ("case", re.compile(r"\bcase\b|patient|clinical (presentation|findings|course)|history of present")),
    ("back_matter", re.compile(r"acknowledg|funding|competing|conflicts? of interest|disclosure|contribution|"
                               r"abbreviation|footnote|supporting information|supplementary|data availability|"
                               r"ethic|consent|references")),
    ("abstract", re.compile(r"^(abstract|author summary|summary|editors' summary)")),
    ("introduction", re.compile(r"^(introduction|background)")),
    ("methods", re.compile(r"method|materials|implementation|study design|statistic")),
    ("results", re.compile(r"^results")),
    ("discussion", re.compile(r"discussion|conclusion|limitation")),
]


def section_group(kind: str | None, title: str | None) -> str:
    if kind in _STRUCTURAL:
        return _STRUCTURAL[kind]
    top = (title or "").split(" > ", 1)[0].strip().lower()
    for group, pattern in _BY_TITLE:
        if top and pattern.search(top):
            return group
    return _BY_KIND.get(kind or "", "body")
