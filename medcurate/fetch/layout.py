"""Where things live in the PMC Cloud Service bucket, kept in one place because PMC moves them.

`cloud` (the default) is the per-article-version layout of the updated service, as the bucket's own
README.txt (https://pmc-oa-opendata.s3.amazonaws.com/README.txt, section 4) describes it:

    PMC13901.1/PMC13901.1.xml | .txt | .json   (+ PDF, media)   one prefix per article version
    metadata/PMC13901.1.json                                     the same JSONs, collected
    inventory-reports/pmc-oa-opendata/metadata/2026-01-18T01-00Z/manifest.json
        -> inventory-reports/pmc-oa-opendata/metadata/data/<uuid>.csv.gz     daily S3 inventory of metadata/

`legacy` is the per-licence-group layout (pmc.ncbi.nlm.nih.gov/tools/pmcaws), moved under `deprecated/`
in April 2026 and removed in August 2026:

    oa_comm/xml/all/PMC176545.xml
    oa_comm/xml/metadata/csv/oa_comm.filelist.csv   Key, ETag, Article Citation, AccessionID,
                                                    Last Updated UTC (...), PMID, License, Retracted

A YAML file names one of them (`layout: cloud | legacy`; legacy when absent, as older files were) and may
override any of its templates below.
"""
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import yaml

from medcurate.errors import UsageError

DEFAULT_BASE_URL = "https://pmc-oa-opendata.s3.amazonaws.com/"
GROUP_FOLDERS = {"comm": "oa_comm", "noncomm": "oa_noncomm", "other": "oa_other"}
DEFAULT_GROUPS = ("comm", "noncomm", "other")


@dataclass(frozen=True)
class LegacyLayout:
    prefix: str = ""                                                  # e.g. "deprecated/"
    article: str = "{folder}/xml/all/{pmcid}.xml"
    filelist: str = "{folder}/xml/metadata/csv/{folder}.filelist.csv"

    def article_key(self, group: str, pmcid: str) -> str:
        return self.prefix + self.article.format(folder=folder(group), pmcid=pmcid)

    def filelist_key(self, group: str) -> str:
        return self.prefix + self.filelist.format(folder=folder(group))


@dataclass(frozen=True)
class CloudLayout:
    prefix: str = ""
    version_folder: str = "{pmcid}.{version}/"              # one per article version; also the local folder
    file: str = "{pmcid}.{version}.{ext}"                    # xml, txt, json inside it
    metadata: str = "metadata/{pmcid}.{version}.json"
    inventory: str = "inventory-reports/pmc-oa-opendata/metadata/"

    def folder(self, pmcid: str, version: int) -> str:
        """The version's folder, as in the bucket and under --out: "PMC123.2/"."""
        return self.version_folder.format(pmcid=pmcid, version=version)

    def file_name(self, pmcid: str, version: int, ext: str) -> str:
        return self.file.format(pmcid=pmcid, version=version, ext=ext)

    def article_key(self, pmcid: str, version: int, ext: str) -> str:
        return self.prefix + self.folder(pmcid, version) + self.file_name(pmcid, version, ext)

    def metadata_key(self, pmcid: str, version: int) -> str:
        return self.prefix + self.metadata.format(pmcid=pmcid, version=version)

    def versions_prefix(self, pmcid: str) -> str:
        """What every version folder of `pmcid` starts with ("PMC123."), for a delimited listing."""
        return self.prefix + self.version_folder.split("{version}")[0].format(pmcid=pmcid)

    def version_of_folder(self, pmcid: str, listed: str) -> int | None:
        """The version a listed folder ("PMC123.2/") is of, None for anything else under the prefix."""
        match = _template_pattern(self.prefix + self.version_folder).fullmatch(listed)
        return int(match["version"]) if match and match["pmcid"] == pmcid else None

    def metadata_version(self, key: str) -> tuple[str, int] | None:
        """(pmcid, version) of an inventory key ("metadata/PMC123.2.json"), None for any other key. The key
        may lack the prefix: a mirror under a prefix still serves the bucket's own inventory."""
        match = _template_pattern(self.metadata).fullmatch(key.removeprefix(self.prefix))
        return (match["pmcid"], int(match["version"])) if match else None


Layout = LegacyLayout | CloudLayout
_LAYOUTS = {"cloud": CloudLayout, "legacy": LegacyLayout}


def load_layout(spec: str | None = None, prefix: str | None = None) -> Layout:
    """`cloud` (default), `legacy`, or a YAML file naming one and overriding its templates."""
    values: dict = {}
    if spec and spec not in _LAYOUTS:
        path = Path(spec)
        if not path.is_file():
            raise UsageError(f"--layout {spec}: neither cloud, legacy nor a YAML file")
        values = yaml.safe_load(path.read_text()) or {}
        if not isinstance(values, dict):
            raise UsageError(f"{spec}: a layout file is a mapping of template names to templates")
        spec = values.pop("layout", "legacy")
    cls = _LAYOUTS.get(spec or "cloud")
    if cls is None:
        raise UsageError(f"layout: {spec!r} is not one of {', '.join(_LAYOUTS)}")
    known = {f.name for f in fields(cls)}
    if unknown := sorted(set(values) - known):
        raise UsageError(f"layout {spec}: unknown key(s) {', '.join(unknown)}; valid: {', '.join(sorted(known))}")
    if prefix is not None:
        values["prefix"] = prefix
    return cls(**{k: str(v) for k, v in values.items()})


def folder(group: str) -> str:
    """`comm` -> `oa_comm`; any other name (e.g. `phe_timebound`) is taken as the folder itself."""
    return GROUP_FOLDERS.get(group, group)


@lru_cache(maxsize=16)
def _template_pattern(template: str) -> re.Pattern:
    """A key template as a regex: {pmcid} and {version} captured (a repeat must match the same text)."""
    out, seen = [], set()
    for part in re.split(r"\{(pmcid|version)\}", template):
        if part in ("pmcid", "version"):
            out.append(f"(?P={part})" if part in seen else f"(?P<{part}>{'PMC' if part == 'pmcid' else ''}\\d+)")
            seen.add(part)
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))
