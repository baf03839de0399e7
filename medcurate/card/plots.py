"""The card's PNG plots, drawn off-screen (Agg) and returned as bytes so they can go to any filesystem."""
import io
from collections import Counter

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.ticker import MaxNLocator  # noqa: E402

_MAX_BARS = 30


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def score_histogram(counts: Counter, title: str) -> bytes:
    """Educational score 1-5: one bar per score, every score shown even when empty."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    values = list(range(1, 6))
    bars = ax.bar([str(v) for v in values], [counts.get(v, 0) for v in values], color="#4C72B0")
    ax.bar_label(bars)
    ax.margins(y=0.15)
    ax.set(title=title, xlabel="educational score", ylabel="rows")
    return _png(fig)


def category_bars(counts: Counter, title: str, xlabel: str = "rows") -> bytes:
    """Horizontal bars, largest at the top; past 30 categories the rest are summed as 'other'."""
    items = [(str(k) if k is not None else "(none)", n) for k, n in counts.most_common()]
    if len(items) > _MAX_BARS:
        items = items[:_MAX_BARS - 1] + [("other", sum(n for _, n in items[_MAX_BARS - 1:]))]
    fig, ax = plt.subplots(figsize=(7, 1 + 0.3 * len(items)))
    bars = ax.barh([k for k, _ in reversed(items)], [n for _, n in reversed(items)], color="#55A868")
    ax.bar_label(bars, padding=2)
    ax.margins(x=0.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title=title, xlabel=xlabel)
    return _png(fig)


def cluster_size_histogram(sizes: Counter) -> bytes:
    """Clusters per size; log scale once singletons dwarf the duplicates."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    xs = sorted(sizes)
    bars = ax.bar([str(x) for x in xs], [sizes[x] for x in xs], color="#C44E52")
    ax.bar_label(bars)
    ax.margins(y=0.15)
    if max(sizes.values()) > 50 * max(1, min(sizes.values())):
        ax.set_yscale("log")
    ax.set(title="Duplicate cluster sizes", xlabel="rows in cluster", ylabel="clusters")
    return _png(fig)


def funnel_chart(steps: list[dict]) -> bytes:
    """One bar per stage of the lineage (first at the top): rows kept, dropped and quarantined."""
    labels = [s["label"] for s in steps][::-1]
    parts = [("kept", "#55A868"), ("dropped", "#C44E52"), ("quarantined", "#DD8452")]
    fig, ax = plt.subplots(figsize=(8, 1.8 + 0.55 * len(steps)))
    left = [0] * len(steps)
    for name, colour in parts:
        widths = [s[name] for s in steps][::-1]
        ax.barh(labels, widths, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, widths)]
    for y, (total, kept) in enumerate(zip(left, [s["kept"] for s in steps][::-1])):
        ax.text(total, y, f" {kept:,} of {total:,} kept", va="center")
    ax.set_xlim(0, max(left + [1]) * 1.35)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title="Filter funnel along the lineage", xlabel="rows")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(steps) < 4 else -0.15), ncol=3, frameon=False)
    return _png(fig)
