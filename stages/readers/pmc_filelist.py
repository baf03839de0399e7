"""PMC Open Access file lists and Cloud Service metadata JSONs -> per-article licence, PMID, retraction status.

The JATS often lacks a machine-readable licence and never says whether the article was later
retracted; PMC's file lists do. Accepted layouts (comma or tab separated, header names matched
case-, space- and punctuation-insensitively, "(YYYY-MM-DD ...)" hints ignored):
  * oa_file_list.csv: File, Article Citation, Accession ID, Last Updated (...), PMID, License
  * bulk *.filelist.csv / *.filelist.txt: Article File, Article Citation, AccessionID,
    LastUpdated (...), PMID, License, Retracted
  * legacy oa_file_list.txt: a timestamp line, then headerless tab-separated
    file, citation, accession, "PMID:123", licence.
The PMC Cloud Service states the same per article version, in `PMC123.2.json` (see
`read_version_metadata`).
"""
import csv
import io
import json
import re

from medcurate.errors import UsageError
from medcurate.text import decode

_FIELDS = {"accessionid": "pmcid", "pmid": "pmid", "license": "license", "retracted": "retracted",
           "file": "article_file", "articlefile": "article_file"}
_LEGACY = ["article_file", None, "pmcid", "pmid", "license"]
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?\s*$")
_PMCID = re.compile(r"(?:PMC)?(\d+)", re.I)
_PMID = re.compile(r"(?:PMID:)?\s*(\d+)", re.I)


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z]", "", re.sub(r"\(.*?\)", "", header.lower()))


def read_filelist(data: bytes) -> dict[str, dict]:
    """Map "PMC123" -> {"pmid", "license", "retracted" (bool | None), "article_file"}.

    Raises ValueError when no accession column can be found.
    """
    text = decode(data)
    first, _, rest = text.partition("\n")
    if _TIMESTAMP.match(first):
        text, first = rest, rest.partition("\n")[0]
    delimiter = "\t" if "\t" in first else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(rows, None)
    if header is None:
        return {}
    columns = [_FIELDS.get(_normalise(h)) for h in header]
    if "pmcid" not in columns:
        if delimiter != "\t" or len(header) < 5 or not _PMCID.fullmatch(header[2].strip()):
            raise UsageError(f"PMC file list without an accession column (header: {header!r})")
        columns = _LEGACY
        rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    out: dict[str, dict] = {}
    for row in rows:
        record = {name: value.strip() for name, value in zip(columns, row) if name}
        pmcid = _PMCID.fullmatch(record.get("pmcid", ""))
        if not pmcid:
            continue
        pmid = _PMID.fullmatch(record.get("pmid", ""))
        retracted = record.get("retracted", "").lower()
        out[f"PMC{pmcid.group(1)}"] = {
            "pmid": pmid.group(1) if pmid else None,
            "license": record.get("license") or None,
            "retracted": True if retracted in ("yes", "y", "true", "1")
            else False if retracted in ("no", "n", "false", "0") else None,
            "article_file": record.get("article_file") or None,
        }
    return out


def read_version_metadata(data: bytes) -> dict:
    """One PMC Cloud Service metadata JSON -> {"pmcid", "version", "pmid", "license", "retracted"}.

    The JSON (bucket README, section 4) has pmcid, version, pmid, doi, title, citation, is_pmc_openaccess,
    is_manuscript, is_historical_ocr, is_retracted, license_code ("CC BY", ..., "TDM") and the objects'
    URLs. Raises ValueError when it is not such a JSON.
    """
    record = json.loads(decode(data))
    pmcid = _PMCID.fullmatch(str(record.get("pmcid", "")).strip()) if isinstance(record, dict) else None
    version = record.get("version") if pmcid else None
    if not pmcid or not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError("not a PMC article-version metadata JSON (needs pmcid and a version number)")
    pmid, retracted = record.get("pmid"), record.get("is_retracted")
    return {"pmcid": f"PMC{pmcid.group(1)}", "version": version,
            "pmid": str(pmid) if isinstance(pmid, int | str) and str(pmid).strip() else None,
            "license": record.get("license_code") or None,
            "retracted": retracted if isinstance(retracted, bool) else None}
