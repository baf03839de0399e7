"""Where things live in the PMC Open Access cloud bucket, kept in one place because PMC moves them.

The documented layout (pmc.ncbi.nlm.nih.gov/tools/pmcaws) puts each licence group in its own folder,
one JATS file per article and a file list per group:

    oa_comm/xml/all/PMC176545.xml
    oa_comm/xml/metadata/csv/oa_comm.filelist.csv   Key, ETag, Article Citation, AccessionID,
                                                    Last Updated UTC (...), PMID, License, Retracted

PMC moved these prefixes under `deprecated/` in April 2026 and announced a new per-version layout,
so the prefix and both templates are settings, not constants.
"""
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_BASE_URL = "https://pmc-oa-opendata.s3.amazonaws.com/"
GROUP_FOLDERS = {"comm": "oa_comm", "noncomm": "oa_noncomm", "other": "oa_other"}
DEFAULT_GROUPS = ("comm", "noncomm", "other")


@dataclass(frozen=True)
class Layout:
    prefix: str = ""                                                  # e.g. "deprecated/"
    article: str = "{folder}/xml/all/{pmcid}.xml"
    filelist: str = "{folder}/xml/metadata/csv/{folder}.filelist.csv"

    @classmethod
    def from_file(cls, path: str | None, prefix: str | None = None) -> "Layout":
        values = (yaml.safe_load(Path(path).read_text()) or {}) if path else {}
        if prefix is not None:
            values["prefix"] = prefix
        return cls(**values)

    def article_key(self, group: str, pmcid: str) -> str:
        return self.prefix + self.article.format(folder=folder(group), pmcid=pmcid)

    def filelist_key(self, group: str) -> str:
        return self.prefix + self.filelist.format(folder=folder(group))


def folder(group: str) -> str:
    """`comm` -> `oa_comm`; any other name (e.g. `phe_timebound`) is taken as the folder itself."""
    return GROUP_FOLDERS.get(group, group)
