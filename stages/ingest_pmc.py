"""`ingest_pmc`: PMC Open Access JATS articles (and PubMed/MEDLINE citations) into documents + passages.

Reads single `.nxml`/`.xml` articles, `<pmc-articleset>` files, PMC bulk or per-article `.tar.gz`
packages (streamed, never extracted) and MEDLINE `.xml`/`.xml.gz` files. Side files among the inputs
supply what PMC states outside the XML (PMID, licence, the retracted flag):
  * a PMC file list (`oa_file_list.csv`, `*.filelist.csv`/`.txt`), per accession;
  * the PMC Cloud Service's per-version metadata JSON (`PMC123.2.json`, beside the XML in the version's
    folder or under `metadata/`), per accession and version.
An article's version comes from the `PMC123.2` in its file or folder name, else from a metadata JSON in
the same folder, else from the JATS itself; a newer version of an article supersedes an older one.
"""
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from medcurate.inputs import BadInput, InputUnit, iter_units
from medcurate.licences import license_group
from medcurate.pmcids import versions_in_path
from medcurate.records import Dropped, Quarantined, Skipped, Withdrawn
from medcurate.stage import register
from medcurate.stages.file_ingest import FileIngestStage
from medcurate.stages.readers.jats import looks_like_jats, parse_jats
from medcurate.stages.readers.medline import Deletion, looks_like_medline, parse_medline
from medcurate.stages.readers.pmc_filelist import read_filelist, read_version_metadata
from medcurate.supersede import article_version

XML_SUFFIXES = (".xml", ".nxml")
_VERSION_METADATA = re.compile(r"PMC\d+\.\d+\.json", re.I)


def is_filelist(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return ("filelist" in name or "file_list" in name) and name.endswith((".csv", ".txt"))


def is_version_metadata(path: str) -> bool:
    return bool(_VERSION_METADATA.fullmatch(posixpath.basename(path)))


@dataclass(frozen=True)
class Config:
    pass


@register
class IngestPMC(FileIngestStage):
    name = "ingest_pmc"
    Config = Config

    def __init__(self, config=None):
        super().__init__(config)
        self.filelist: dict[str, dict] = {}                   # pmcid -> file-list facts
        self.versions: dict[tuple[str, int], dict] = {}       # (pmcid, version) -> metadata-JSON facts
        self.folder_versions: dict[tuple[str, str], int] = {}  # (folder, pmcid) -> version its JSON names

    def read_side_files(self, files: list[str]) -> tuple[list[str], list[BadInput]]:
        unreadable = []
        for unit in iter_units(f for f in files if is_filelist(f) or is_version_metadata(f)):
            kind = "PMC file list" if is_filelist(unit.file) else "PMC metadata JSON"
            try:
                if isinstance(unit, BadInput):
                    raise ValueError(unit.reason)
                if is_filelist(unit.file):
                    self.filelist.update(read_filelist(unit.data))
                else:
                    facts = read_version_metadata(unit.data)
                    key = (facts["pmcid"], facts["version"])
                    self.versions[key] = facts
                    self.folder_versions[(posixpath.dirname(unit.file), key[0])] = key[1]
            except (ValueError, UnicodeDecodeError) as exc:
                unreadable.append(BadInput(unit.file, None, f"unreadable {kind}: {exc}"))
        return [f for f in files if not (is_filelist(f) or is_version_metadata(f))], unreadable

    def parse(self, unit: InputUnit) -> Iterator[dict | Dropped | Quarantined | Skipped | Withdrawn]:
        head = unit.data[:4096]
        if looks_like_medline(head):
            for item in parse_medline(unit.data):
                if isinstance(item, Deletion):
                    yield Withdrawn(f"pubmed:{item.pmid}", "pubmed", item.pmid, getattr(item, "row", None))
                else:
                    yield item
        elif looks_like_jats(head) or unit.name.lower().endswith(XML_SUFFIXES):
            named = versions_in_path(f"{unit.file}/{unit.member or ''}")
            for item in parse_jats(unit.data):
                yield self._versioned(item, unit, named) if isinstance(item, dict) else item
        else:
            suffix = posixpath.splitext(unit.name)[1] or "no extension"
            yield Skipped(f"not an article XML ({suffix})")

    def _versioned(self, row: dict, unit: InputUnit, named: dict[str, int]) -> dict:
        """Set the article's version from its file or folder name, or its folder's metadata JSON (the
        JATS's own statement, if any, stays otherwise), and take that version's metadata-JSON facts."""
        pmcid = row.get("pmcid")
        version = named.get(pmcid) or self.folder_versions.get((posixpath.dirname(unit.file), pmcid))
        if version is not None and version != article_version(row):
            row["meta"] = json.dumps({**json.loads(row["meta"]), "article_version": version}, ensure_ascii=False)
        return _with_facts(row, self.versions.get((pmcid, article_version(row))))

    def finish_rows(self, rows: list[dict]) -> list[dict]:
        return [_with_facts(row, self.filelist.get(row.get("pmcid") or "")) for row in rows]


def _with_facts(row: dict, facts: dict | None) -> dict:
    """PMID, retraction status and (when the XML states none) licence, as PMC lists them outside the XML."""
    if not facts:
        return row
    row["pmid"] = row.get("pmid") or facts.get("pmid")
    if facts.get("retracted") is not None:
        row["retracted"] = facts["retracted"]
    if facts.get("license") and not row.get("license"):
        row["license"] = facts["license"]
        row["license_group"] = license_group(facts["license"])
    return row
