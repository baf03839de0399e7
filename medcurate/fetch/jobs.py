"""What both bucket layouts share: the options of a fetch, its report, the download pool, and the
`--since-last` high-water rule."""
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from medcurate.console import track
from medcurate.fetch.download import Downloader, Result
from medcurate.fetch.layout import DEFAULT_BASE_URL, DEFAULT_GROUPS, CloudLayout, Layout


@dataclass
class FetchOptions:
    out_dir: Path
    base_url: str = DEFAULT_BASE_URL
    groups: tuple[str, ...] = DEFAULT_GROUPS
    layout: Layout = field(default_factory=CloudLayout)
    workers: int = 4
    retries: int = 4
    backoff: float = 1.0
    text: bool = False            # cloud layout: also the plain-text version of each article


@dataclass
class FetchReport:
    results: list[Result] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)

    def by_status(self, status: str) -> list[Result]:
        return [r for r in self.results if r.status == status]


def downloader(options: FetchOptions) -> Downloader:
    return Downloader(options.base_url, options.workers, options.retries, options.backoff)


def run_jobs(options: FetchOptions, items: list, job: Callable[..., Result]) -> list[Result]:
    """`job` over `items` on a few threads, with a progress bar; results in the order of `items`."""
    with ThreadPoolExecutor(max_workers=options.workers) as pool:
        futures = {pool.submit(job, item): i for i, item in enumerate(items)}
        results: list[Result | None] = [None] * len(items)
        for future in track(as_completed(futures), "fetching", total=len(futures)):
            results[futures[future]] = future.result()
    return results


def high_water(entries: list, results: list[Result], mark: str) -> str:
    """The newest `last_updated` below the first failure: everything up to it is on disk (or not wanted)."""
    failed = [e.last_updated for e, r in zip(entries, results) if r.status == "failed"]
    done = [e.last_updated for e in entries if not failed or e.last_updated < min(failed)]
    return max(done, default=mark)
