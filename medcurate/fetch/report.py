"""The end-of-run summary of a fetch, on stderr: counts, bytes, and every failure with its reason."""
from collections import Counter

from medcurate.console import console
from medcurate.fetch.jobs import FetchReport


def print_report(report: FetchReport, out_dir: str, seconds: float) -> None:
    downloaded, skipped, failed = (report.by_status(s) for s in ("downloaded", "skipped", "failed"))
    excluded, missing = report.by_status("excluded"), report.by_status("missing")
    size = sum(r.bytes for r in downloaded)
    resumed = sum(r.reason == "resumed" for r in downloaded)
    console.print(f"[bold]fetched[/] into {out_dir} in {seconds:.1f} s: {len(downloaded)} downloaded "
                  f"({size / 1e6:.1f} MB{f', {resumed} resumed' if resumed else ''}), "
                  f"{len(skipped)} already present, "
                  + (f"{len(excluded)} not wanted, " if excluded else "")
                  + (f"{len(missing)} gone from the bucket, " if missing else "")
                  + f"[{'red' if failed else 'green'}]{len(failed)} failed[/]")
    for label, results in (("not wanted", excluded), ("failed", failed)):
        for reason, n in Counter(_short(r.reason) for r in results).most_common():
            console.print(f"  {label} ({n}): {reason}")
    for r in failed[:20]:
        console.print(f"    {r.key}: {r.reason}")
    for name, mark in sorted(report.marks.items()):
        console.print(f"  {name}: entries up to {mark or '(none yet)'} fetched")


def _short(reason: str) -> str:
    """The kind of failure, without the per-file detail (checksums, attempt counts)."""
    return reason.split(":")[0].split(" (after")[0]
