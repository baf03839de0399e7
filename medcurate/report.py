"""Readable summaries of runs and versions (rich tables on stderr) and their JSON forms."""
import re

from rich.table import Table

from medcurate.console import console
from medcurate.runner import RunResult
from medcurate.store import Version

_DIGITS = re.compile(r"\d+")


def version_summary(version: Version) -> dict:
    m = version.manifest
    return {"id": m["id"], "stage": m["stage"], "kind": m.get("kind"), "created_at": m["created_at"],
            "rows": {name: t["rows"] for name, t in m["tables"].items()}, "inputs": m["inputs"]}


def print_run(result: RunResult, seconds: float) -> None:
    state = "[yellow]cache hit[/] (same stage, config, inputs and code: nothing recomputed)" if result.cached \
        else f"[green]new version[/] in {seconds:.1f}s"
    print_version(result.version, state)


def print_version(version: Version, state: str) -> None:
    m = version.manifest
    console.print(f"\n[bold]{m['stage']}[/] → [bold cyan]{m['id']}[/]  {state}")
    tables = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    for col in ("table", "kind", "rows", "shards"):
        tables.add_column(col, justify="right" if col in ("rows", "shards") else "left")
    for name, info in m["tables"].items():
        tables.add_row(name, info["kind"], f"{info['rows']:,}", str(len(info["shards"])))
    console.print(tables)
    print_funnel(m["funnel"])
    print_summary(m.get("summary", {}))
    if m["funnel"].get("quarantined"):
        reasons = quarantine_reasons(version)
        console.print("  [red]quarantined[/] (see table `quarantine`):")
        for reason, (n, example) in reasons[:8]:
            console.print(f"    {n:>6,}  {reason}  [dim]e.g. {example}[/]")


def print_summary(summary: dict) -> None:
    """A stage's own figures, one line each (nested dicts inline)."""
    for key, value in summary.items():
        console.print(f"  {key.replace('_', ' ')}: {_inline(value)}")


def _inline(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_inline(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_inline(v) for v in value)
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def print_funnel(f: dict) -> None:
    dropped = sum(f["dropped"].values())
    console.print(f"  funnel: {f['inputs']:,} inputs → {f['in']:,} records: {f['kept']:,} kept, "
                  f"{dropped:,} dropped, {f['quarantined']:,} quarantined")
    for reason, n in sorted(f["dropped"].items(), key=lambda kv: -kv[1]):
        console.print(f"    dropped {n:>6,}  {reason}")
    for reason, n in sorted(f["skipped_inputs"].items(), key=lambda kv: -kv[1]):
        console.print(f"    skipped {n:>6,} input(s): {reason}")


def quarantine_reasons(version: Version) -> list[tuple[str, tuple[int, str]]]:
    """Reasons with counts and one example location, the variable tail (line numbers...) folded away."""
    if "quarantine" not in version.tables:
        return []
    found: dict[str, tuple[int, str]] = {}
    for batch in version.iter_batches("quarantine"):
        for row in batch.select(["file", "member", "row", "reason"]).to_pylist():
            key = _DIGITS.sub("N", row["reason"])[:90]
            where = "/".join(p for p in (row["file"].rsplit("/", 1)[-1], row["member"]) if p)
            where += f" row {row['row']}" if row["row"] is not None else ""
            n, example = found.get(key, (0, where))
            found[key] = (n + 1, example)
    return sorted(found.items(), key=lambda kv: -kv[1][0])


def print_versions(versions: list[Version], tags: dict[str, str]) -> None:
    by_id: dict[str, list[str]] = {}
    for tag, vid in tags.items():
        by_id.setdefault(vid, []).append(tag)
    table = Table(header_style="bold", box=None, padding=(0, 2))
    for col in ("id", "stage", "kind", "rows", "created", "tags"):
        table.add_column(col, no_wrap=col in ("id", "created"))
    for v in versions:
        s = version_summary(v)
        rows = " · ".join(f"{n} {r:,}" for n, r in s["rows"].items())
        table.add_row(s["id"], s["stage"], s["kind"] or "", rows, s["created_at"], ", ".join(by_id.get(v.id, [])))
    console.print(table if versions else "no versions in this store yet")


def print_steps(store, rows: list[dict], seconds: float) -> None:
    """One line per pipeline step: its version, rows in and out, time, and whether it was a cache hit."""
    table = Table(header_style="bold", box=None, padding=(0, 2))
    for col in ("step", "stage", "version", "rows in", "kept", "dropped", "quarantined", "seconds", "cache"):
        numeric = col in ("rows in", "kept", "dropped", "quarantined", "seconds")
        table.add_column(col, justify="right" if numeric else "left")
    for row in rows:
        funnel = store.get(row["version"]).manifest["funnel"]
        table.add_row(row["step"], row["stage"], row["version"], f"{funnel['in']:,}", f"{funnel['kept']:,}",
                      f"{sum(funnel['dropped'].values()):,}", f"{funnel['quarantined']:,}", f"{row['seconds']:.1f}",
                      "hit" if row["cached"] else "")
    console.print(table)
    console.print(f"  {len(rows)} steps in {seconds:.1f}s; each step's version is tagged with the step name")
