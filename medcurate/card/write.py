"""Assemble and write a version's dataset card: README.md (Hugging Face YAML + sections) and its PNGs.

The card goes into the version's own folder on the store's filesystem (local or object store) unless
`out_dir` says otherwise. Adding it does not change the version: its id and shard checksums cover the
tables only. `configs` paths are relative to the version folder, where the card is meant to sit.
"""
import os
import posixpath
import statistics
from collections import Counter

import pyarrow.fs as pafs
import yaml

from medcurate.card import plots
from medcurate.card.lineage import Lineage, lineage
from medcurate.card.stats import LABELS, cluster_sizes, columns, hf_license, scores, size_category, value_counts
from medcurate.errors import UsageError
from medcurate.store import Version, VersionStore

SKIP_TABLES = ("quarantine", "deletions", "failures")      # bookkeeping, not data to train on
TASKS = {"exam_items": "question-answering", "qa_pairs": "question-answering"}


def write_card(store: VersionStore, version_id: str, out_dir: str | None = None) -> str:
    """Write README.md and the plots; return the README's path."""
    version = store.get(version_id)
    if version is None:
        raise UsageError(f"no version {version_id}")
    fs, root = (pafs.LocalFileSystem(), os.path.abspath(out_dir)) if out_dir else (store.fs, version.path())
    fs.create_dir(root, recursive=True)
    card = Card(store, version)
    for name, png in card.plots.items():
        _write(fs, posixpath.join(root, name), png)
    readme = posixpath.join(root, "README.md")
    _write(fs, readme, card.markdown().encode())
    return readme


def _write(fs: pafs.FileSystem, path: str, data: bytes) -> None:
    with fs.open_output_stream(path) as out:
        out.write(data)


class Card:
    def __init__(self, store: VersionStore, version: Version):
        self.store, self.version = store, version
        self.lineage: Lineage = lineage(store, version)
        self.tables = [t for t, info in version.tables.items() if t not in SKIP_TABLES and info["rows"]]
        self.columns = {t: columns(version, t) for t in version.tables}
        self.plots: dict[str, bytes] = {}
        self.sections = [self._summary(), self._sources(), self._licences(), self._languages(), self._sizes(),
                         self._funnel(), self._labels(), self._dedup(), self._grounding()]

    # metadata ---------------------------------------------------------------------------------
    def metadata(self) -> dict:
        main = next((t for t in self.tables if self.version.tables[t]["kind"] == self.version.manifest.get("kind")),
                    max(self.version.tables, key=lambda t: self.version.tables[t]["rows"]))
        licences = sorted({hf_license(k) for k in self._documents_column("license")} - {"unknown"}) or ["unknown"]
        languages = sorted(k for k in self._documents_column("language") if k and k != "und")
        kinds = {self.version.tables[t]["kind"] for t in self.tables}
        meta = {
            "pretty_name": self._name(),
            "license": licences[0] if len(licences) == 1 else licences,
            "language": languages or None,
            "task_categories": sorted({TASKS.get(k, "text-generation") for k in kinds}),
            "size_categories": [size_category(self.version.tables[main]["rows"])],
            "tags": ["medical", "medcurate"],
            "configs": [{"config_name": t, "data_files": [{"split": "train", "path": f"{t}/data-*.arrow"}],
                         **({"default": True} if t == main else {})} for t in self.tables],
        }
        return {k: v for k, v in meta.items() if v is not None}

    def markdown(self) -> str:
        front = yaml.safe_dump(self.metadata(), sort_keys=False, allow_unicode=True)
        return f"---\n{front}---\n\n# {self._name()}\n\n" + "\n\n".join(s for s in self.sections if s) + "\n"

    def _name(self) -> str:
        tags = sorted(name for name, vid in self.store.tags().items() if vid == self.version.id)
        return f"medcurate {tags[0]} ({self.version.id})" if tags else f"medcurate {self.version.id}"

    def _documents_column(self, column: str) -> Counter:
        """`column` of the documents behind this version: the nearest table in the lineage that has it,
        restricted to the documents this version still holds rows of."""
        for v in reversed(self.lineage.versions):
            for table in v.tables:
                if column in (self.columns.get(table) if v is self.version else columns(v, table)):
                    return self._restricted(v, table, column)
        return Counter()

    def _restricted(self, v: Version, table: str, column: str) -> Counter:
        if v is self.version:
            return value_counts(v, table, column)
        held = {d for t in self.tables for key in ("doc_id", "id") if key in self.columns[t]
                for batch in self.version.iter_batches(t) for d in batch.column(key).to_pylist()}
        counts: Counter = Counter()
        for batch in v.iter_batches(table):
            for doc, value in zip(batch.column("id").to_pylist(), batch.column(column).to_pylist()):
                counts[value] += doc in held
        return +counts

    # sections ---------------------------------------------------------------------------------
    def _summary(self) -> str:
        m = self.version.manifest
        return (f"Version `{m['id']}`, made by the `{m['stage']}` stage (code {m['code_version']}, medcurate "
                f"{m.get('medcurate_version', '?')}), committed {m['finished_at']}. Each table folder opens "
                f"with `datasets.load_from_disk`; shard checksums are in `manifest.json`.")

    def _sources(self) -> str:
        lines = ["## Sources", ""]
        files = self.lineage.raw_files
        if files:
            lines.append(f"Ingested from {len(files)} raw file(s):")
            lines += [f"- `{f}`" for f in files[:20]] + ([f"- ... and {len(files) - 20} more"] if len(files) > 20 else [])
        for table in self.tables:
            for column in ("dataset", "source"):
                if column in self.columns[table]:
                    counts = value_counts(self.version, table, column)
                    lines += ["", f"Rows of `{table}` by {column}: "
                              + ", ".join(f"{k or '(none)'} {n:,}" for k, n in counts.most_common())]
                    break
        return "\n".join(lines)

    def _licences(self) -> str:
        rows = [(t, value_counts(self.version, t, "license_group")) for t in self.tables
                if "license_group" in self.columns[t]]
        if not rows:
            return ""
        groups = ["commercial", "non-commercial", "other"]
        lines = ["## Licences", "", "Rows by PMC licence group (commercial: CC0, public domain, CC BY, BY-SA, BY-ND; "
                 "non-commercial: any -NC- licence; other: none or another licence).", "",
                 "| table | " + " | ".join(groups) + " |", "|---|" + "---:|" * len(groups)]
        lines += [f"| {t} | " + " | ".join(f"{c.get(g, 0):,}" for g in groups) + " |" for t, c in rows]
        stated = self._documents_column("license")
        if stated:
            lines += ["", "Licences as stated, per document: "
                      + ", ".join(f"{k} {n:,}" for k, n in _merge(stated, hf_license).most_common())]
        return "\n".join(lines)

    def _languages(self) -> str:
        """Rows per language, as the `langid` stage tagged them (ISO 639-1; fastText lid.176)."""
        rows = [(t, value_counts(self.version, t, "language")) for t in self.tables if "language" in self.columns[t]]
        if not rows:
            return ""
        lines = ["## Languages", ""]
        lines += [f"Rows of `{t}` by language: " + ", ".join(f"{k or 'unknown'} {n:,}" for k, n in c.most_common())
                  for t, c in rows]
        return "\n".join(lines)

    def _sizes(self) -> str:
        lines = ["## Sizes", "", "| table | kind | rows | shards | bytes |", "|---|---|---:|---:|---:|"]
        for name, info in self.version.tables.items():
            size = sum(s["bytes"] for s in info["shards"])
            lines.append(f"| {name} | {info['kind']} | {info['rows']:,} | {len(info['shards'])} | {size:,} |")
        return "\n".join(lines)

    def _funnel(self) -> str:
        lines = ["## Filter funnel", "", "Every stage from the raw files to this version; each input row is kept, "
                 "dropped with a reason, or quarantined.", "",
                 "| stage | version | in | kept | quarantined | dropped (reason: rows) | inputs skipped |",
                 "|---|---|---:|---:|---:|---|---|"]
        steps = []
        for v in self.lineage.versions:
            f = v.manifest["funnel"]
            dropped = sum(f["dropped"].values())
            lines.append(f"| {v.manifest['stage']} | `{v.id}` | {f['in']:,} | {f['kept']:,} | {f['quarantined']:,} | "
                         f"{_reasons(f['dropped'])} | {_reasons(f.get('skipped_inputs', {}))} |")
            steps.append({"label": f"{v.manifest['stage']}\n{v.id[-16:]}", "kept": f["kept"], "dropped": dropped,
                          "quarantined": f["quarantined"]})
        self.plots["funnel.png"] = plots.funnel_chart(steps)
        return "\n".join(lines + ["", "![Filter funnel](funnel.png)"])

    def _labels(self) -> str:
        lines = []
        for table in self.tables:
            for label in LABELS:
                if label not in self.columns[table]:
                    continue
                counts = value_counts(self.version, table, label)
                lines += ["", f"`{table}.{label}`: " + ", ".join(f"{'(none)' if k is None else k} {n:,}"
                                                               for k, n in sorted(counts.items(), key=_order))]
                if label == "edu_score" and any(k is not None for k in counts):
                    self.plots[f"edu_score_{table}.png"] = plots.score_histogram(counts, f"Educational score ({table})")
                    lines.append(f"\n![Educational score]({f'edu_score_{table}.png'})")
                elif label in ("domain", "discipline") and any(k is not None for k in counts):
                    self.plots[f"{label}_{table}.png"] = plots.category_bars(counts, f"{label.title()} ({table})")
                    lines.append(f"\n![{label.title()}]({label}_{table}.png)")
        return "\n".join(["## Label distributions", *lines]) if lines else ""

    def _dedup(self) -> str:
        lines = []
        for table in self.tables:
            if "dup_size" not in self.columns[table]:
                continue
            sizes = cluster_sizes(self.version, table)
            dup_rows = sum(size * n for size, n in sizes.items() if size > 1)
            lines += ["", f"`{table}`: {sum(sizes.values()):,} clusters, {sum(n for s, n in sizes.items() if s > 1):,} "
                      f"with duplicates ({dup_rows:,} rows, largest {max(sizes, default=0)}). Clusters by size: "
                      + ", ".join(f"{s}: {n:,}" for s, n in sorted(sizes.items()))]
            if sizes:
                self.plots[f"dup_sizes_{table}.png"] = plots.cluster_size_histogram(sizes)
                lines.append(f"\n![Duplicate cluster sizes](dup_sizes_{table}.png)")
        return "\n".join(["## Duplicate clusters", *lines]) if lines else ""

    def _grounding(self) -> str:
        lines = []
        for table in self.tables:
            if "grounding_score" not in self.columns[table]:
                continue
            values = scores(self.version, table, "grounding_score")
            if not values:
                continue
            bins = Counter(min(int(v * 10), 9) for v in values)
            lines += ["", f"`{table}`: {len(values):,} scored, mean {statistics.fmean(values):.3f}, median "
                      f"{statistics.median(values):.3f}, {sum(v >= 0.5 for v in values):,} at 0.5 or more.", "",
                      "| score | rows |", "|---|---:|"]
            lines += [f"| {b / 10:.1f}-{(b + 1) / 10:.1f} | {bins.get(b, 0):,} |" for b in range(10)]
        return "\n".join(["## Grounding scores", *lines]) if lines else ""


def _reasons(counts: dict) -> str:
    return "; ".join(f"{reason}: {n:,}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1])) or "-"


def _order(item):
    """Nulls last, then by value."""
    return (item[0] is None, str(item[0]))


def _merge(counts: Counter, key) -> Counter:
    merged: Counter = Counter()
    for value, n in counts.items():
        merged[key(value)] += n
    return merged
