"""PMC accession ids with and without an article version ("PMC13901" / "PMC13901.2").

The PMC Cloud Service keeps each version of an article under its own prefix named `PMCID.VERSION`, so
the version of a downloaded file can be read from its file or folder name.
"""
import re

_ID = re.compile(r"(?:PMC)?(\d+)(?:\.(\d+))?", re.I)
_VERSIONED = re.compile(r"(?<![A-Za-z0-9])PMC(\d+)\.(\d+)(?![0-9])")


def parse_pmcid(value: str) -> tuple[str, int | None]:
    """"PMC123" / "123" -> ("PMC123", None); "PMC123.2" -> ("PMC123", 2). Raises ValueError otherwise."""
    match = _ID.fullmatch(value.strip())
    if not match or match.group(2) == "0":
        raise ValueError(f"not a PMCID: {value.strip()!r} (expected PMC123 or PMC123.2)")
    return f"PMC{match.group(1)}", int(match.group(2)) if match.group(2) else None


def versions_in_path(path: str) -> dict[str, int]:
    """The `PMCID.VERSION` names in a path's segments, innermost last wins: {"PMC123": 2}."""
    return {f"PMC{m.group(1)}": int(m.group(2)) for m in _VERSIONED.finditer(path)}
