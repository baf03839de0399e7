"""`medcurate fetch pmc`: PMC articles from the PMC Cloud Service bucket into a folder `ingest pmc` reads.

The layout decides how (medcurate.fetch.cloud for today's per-article-version layout, the default;
medcurate.fetch.legacy for the per-licence-group one PMC removes in August 2026); ids are checked here.
"""
from medcurate.errors import UsageError
from medcurate.fetch import cloud, legacy
from medcurate.fetch.jobs import FetchOptions, FetchReport
from medcurate.fetch.layout import LegacyLayout
from medcurate.fetch.legacy import FETCHED_LIST
from medcurate.pmcids import parse_pmcid

__all__ = ["FETCHED_LIST", "FetchOptions", "FetchReport", "fetch_ids", "fetch_since_last"]


def fetch_ids(options: FetchOptions, ids: list[str]) -> FetchReport:
    """Each id's latest version ("PMC123"), or the version it names ("PMC123.2")."""
    try:
        parsed = list(dict.fromkeys(parse_pmcid(i) for i in ids))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return _module(options).fetch_ids(options, parsed)


def fetch_since_last(options: FetchOptions, since: str | None = None) -> FetchReport:
    """What changed since the previous `--since-last` run into the same folder (or since `since`)."""
    return _module(options).fetch_since_last(options, since)


def _module(options: FetchOptions):
    return legacy if isinstance(options.layout, LegacyLayout) else cloud
