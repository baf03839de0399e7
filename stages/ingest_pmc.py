"""`ingest_pmc`: PMC Open Access JATS articles (and PubMed/MEDLINE citations) into documents + passages.

Reads single `.nxml`/`.xml` articles, `<pmc-articleset>` files, PMC bulk or per-article `.tar.gz`
packages (streamed, never extracted) and MEDLINE `.xml`/`.xml.gz` files. A PMC file list
(`oa_file_list.csv`, `*.filelist.csv`/`.txt`) given among the inputs supplies PMID, licence and the
retracted flag, which PMC states there and not in the XML.
"""
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from medcurate.inputs import BadInput, InputUnit, iter_units
from medcurate.records import Quarantined, Skipped, Withdrawn
from medcurate.stage import register
from medcurate.stages.file_ingest import FileIngestStage
from medcurate.stages.readers.jats import license_group, looks_like_jats, parse_jats
from medcurate.stages.readers.medline import Deletion, looks_like_medline, parse_medline
from medcurate.stages.readers.pmc_filelist import read_filelist

XML_SUFFIXES = (".xml", ".nxml")


def is_filelist(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return ("filelist" in name or "file_list" in name) and name.endswith((".csv", ".txt"))


@dataclass(frozen=True)
class Config:
    pass


@register
class IngestPMC(FileIngestStage):
    name = "ingest_pmc"
    Config = Config

    def __init__(self, config=None):
        super().__init__(config)
        self.filelist: dict[str, dict] = {}

    def read_side_files(self, files: list[str]) -> tuple[list[str], list[BadInput]]:
        unreadable = []
        for unit in iter_units(f for f in files if is_filelist(f)):
            try:
                if isinstance(unit, BadInput):
                    raise ValueError(unit.reason)
                self.filelist.update(read_filelist(unit.data))
            except (ValueError, UnicodeDecodeError) as exc:
                unreadable.append(BadInput(unit.file, None, f"unreadable PMC file list: {exc}"))
        return [f for f in files if not is_filelist(f)], unreadable

    def parse(self, unit: InputUnit) -> Iterator[dict | Quarantined | Skipped | Withdrawn]:
        head = unit.data[:4096]
        if looks_like_medline(head):
            for item in parse_medline(unit.data):
                if isinstance(item, Deletion):
                    yield Withdrawn(f"pubmed:{item.pmid}", "pubmed", item.pmid, getattr(item, "row", None))
                else:
                    yield item
        elif looks_like_jats(head) or unit.name.lower().endswith(XML_SUFFIXES):
            yield from parse_jats(unit.data)
        else:
            suffix = posixpath.splitext(unit.name)[1] or "no extension"
            yield Skipped(f"not an article XML ({suffix})")

    def finish_rows(self, rows: list[dict]) -> list[dict]:
        return [self._with_filelist(row) for row in rows]

    def _with_filelist(self, row: dict) -> dict:
        listed = self.filelist.get(row.get("pmcid") or "")
        if not listed:
            return row
        row["pmid"] = row.get("pmid") or listed.get("pmid")
        if listed.get("retracted") is not None:
            row["retracted"] = listed["retracted"]
        if listed.get("license") and not row.get("license"):
            row["license"] = listed["license"]
            row["license_group"] = license_group(listed["license"])
        return row
