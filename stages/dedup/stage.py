"""`dedup`: tag exact and near-duplicate rows, within and across input tables, without deleting any.

1. Sign: each shard of rows gets a normalised content key (exact duplicates) and a MinHash signature
   (datasketch-compatible, computed in numpy) cut into LSH band keys; both are spilled to Arrow files.
2. Group: one band (key column) at a time, rows sharing a key become candidate pairs; candidates are
   verified by their estimated Jaccard similarity.
3. Cluster: connected components of the pairs; the keep policy picks one row per cluster.
4. Tag: every row is written back with `dup_cluster` (the kept row's id), `dup_keep`, `dup_size`,
   `dup_kind` (exact / near) and `dup_similarity` (estimated Jaccard with the kept row).

Memory follows the shard size and the number of duplicate rows, not the corpus size. Config example:

    threshold: 0.6
    ngram: 3
    keep: [license, quality, longest, newest]
    quality_column: edu_score
"""
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medcurate.config import option
from medcurate.console import track
from medcurate.stage import StageInputs, TableInput, register
from medcurate.stages.dedup.clusters import LICENSE_RANK, POLICIES, Clusters, cluster
from medcurate.stages.dedup.lsh import band_keys, band_params
from medcurate.stages.dedup.shingles import batch_tokens, char_shingles, content_keys, word_shingles
from medcurate.stages.dedup.signatures import MinHasher, estimated_jaccard
from medcurate.stages.dedup.spill import EXACT, SpillIndex, band_column
from medcurate.stages.dedup.texts import row_texts, text_columns
from medcurate.store import PendingVersion
from medcurate.tagging import Position, Tagger

DUP_COLUMNS = [
    pa.field("dup_cluster", pa.string()),       # id of the cluster's kept row (own id when unique)
    pa.field("dup_keep", pa.bool_()),
    pa.field("dup_size", pa.int32()),
    pa.field("dup_kind", pa.string()),          # null (unique or kept), "exact" or "near"
    pa.field("dup_similarity", pa.float32()),   # estimated Jaccard with the kept row
]


@dataclass(frozen=True)
class Config:
    text_columns: list[str] | None = option(None, "default per kind: passages text, exam items question + options, ...")
    exact: bool = option(True, "tag exact duplicates (same normalised tokens)")
    near: bool = option(True, "tag near duplicates (MinHash LSH)")
    shingle: str = option("word", "word | char")
    ngram: int = option(2, "word 2-grams at 0.5: best F1 of the sweep in benchmarks/dedup.py")
    num_perm: int = option(128, "MinHash permutations")
    threshold: float = option(0.5, "Jaccard similarity of shingle sets; sets the LSH bands")
    verify: bool = option(True, "drop LSH candidates whose estimated Jaccard is below threshold")
    min_words: int = option(5, "shorter rows only take part in exact dedup")
    seed: int = option(1, "seeds the MinHash permutations")
    keep: list[str] = option(list(POLICIES), "which copy a cluster keeps, in order: license, quality, longest, newest")
    quality_column: str | None = option(None, "larger is better (e.g. an educational score)")
    shard_rows: int = option(20_000, "rows signed at once")
    group_rows: int = option(20_000_000, "key rows grouped at once (x 16 bytes of memory)")
    spill_dir: str | None = option(None, "where key/signature shards go (default: system temp)")

    def __post_init__(self):
        if self.shingle not in ("word", "char"):
            raise ValueError(f"shingle must be word or char, not {self.shingle!r}")
        if unknown := set(self.keep) - set(POLICIES):
            raise ValueError(f"unknown keep policies {sorted(unknown)}; known: {', '.join(POLICIES)}")
        if not 0 < self.threshold <= 1 or self.ngram < 1 or self.num_perm < 2:
            raise ValueError("need 0 < threshold <= 1, ngram >= 1, num_perm >= 2")


@register
class Dedup(Tagger):
    name = "dedup"
    columns = DUP_COLUMNS
    Config = Config

    def prepare(self, inputs: StageInputs, out: PendingVersion, resources: ExitStack) -> None:
        cfg = self.config
        with tempfile.TemporaryDirectory(prefix="medcurate-dedup-", dir=cfg.spill_dir) as spill:
            index = SpillIndex(spill)
            self.signer = signer = Signer(cfg)
            started = time.perf_counter()
            for source in inputs.tables:
                signer.sign_table(source, index)
            self.signing_s = time.perf_counter() - started
            pairs, self.candidates = self._pairs(index, signer.bands)
            self.pair_count = len(pairs[0])
            self.clusters = cluster(index.num_rows, *pairs, signer.scores(cfg))
            self.exact = signer.exact_keys()
            self.similarity = _similarity_to_keeper(index, self.clusters, self.exact)
            keepers = np.unique(self.clusters.keeper[self.clusters.size > 1])
            self.keeper_ids = dict(zip(keepers.tolist(), index.ids_of(keepers)))
        self.kinds: Counter = Counter()

    def tag(self, batch: pa.RecordBatch, at: Position) -> list[pa.Array]:
        columns = _tag(batch, self.clusters, self.similarity, self.exact, self.keeper_ids,
                       slice(at.row, at.row + batch.num_rows))
        self.kinds.update(k for k in columns[3].to_pylist() if k)
        return columns

    def summary(self) -> dict:
        return _summary(self.config, self.signer, self.clusters, self.kinds, self.candidates, self.pair_count,
                        self.signing_s)

    def _pairs(self, index: SpillIndex, bands: int) -> tuple[tuple[np.ndarray, np.ndarray], int]:
        """Verified duplicate pairs (exact pairs need no verification) and the LSH candidate count."""
        partitions = max(1, -(-index.num_rows // self.config.group_rows))
        exact = index.pairs(EXACT, partitions) if self.config.exact else _no_pairs()
        near = [index.pairs(band_column(b), partitions) for b in range(bands)] if self.config.near else []
        left, right = _unique_pairs(near)
        candidates = len(left)
        if self.config.verify and candidates:
            rows = np.unique(np.concatenate([left, right]))
            sigs = index.signatures_of(rows)
            similar = estimated_jaccard(sigs[np.searchsorted(rows, left)],
                                        sigs[np.searchsorted(rows, right)]) >= self.config.threshold
            left, right = left[similar], right[similar]
        return _unique_pairs([exact, (left, right)]), candidates


class Signer:
    """Pass 1: per shard, the exact key, the band keys and the signature of every row, plus the
    per-row facts the keep policy needs."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.hasher = MinHasher(cfg.num_perm, cfg.seed)
        self.bands, self.rows_per_band = band_params(cfg.threshold, cfg.num_perm)
        self.source_names: dict[str, int] = {}
        self.sources: list[np.ndarray] = []      # per row, a code into source_names
        self._exact: list[np.ndarray] = []
        self._facts: dict[str, list[np.ndarray]] = {p: [] for p in POLICIES}
        self.rows = 0

    def sign_table(self, source: TableInput, index: SpillIndex) -> None:
        kind, total = source.kind, source.num_rows
        columns = None
        shards = (b.slice(i, self.cfg.shard_rows) for b in source.iter_batches()
                  for i in range(0, b.num_rows, self.cfg.shard_rows))
        for shard in track(shards, f"dedup: signing {source.ref}", -(-total // self.cfg.shard_rows)):
            columns = columns or text_columns(kind, shard.schema.names, self.cfg.text_columns)
            self._sign_shard(shard, row_texts(shard, columns, kind), index)

    def _sign_shard(self, shard: pa.RecordBatch, texts: pa.Array, index: SpillIndex) -> None:
        cfg, n = self.cfg, shard.num_rows
        rows = np.arange(self.rows, self.rows + n, dtype=np.int64)
        tokens = batch_tokens(texts)
        exact = content_keys(tokens)
        shingles = word_shingles(tokens, cfg.ngram) if cfg.shingle == "word" else char_shingles(texts, cfg.ngram)
        signatures = self.hasher.signatures(shingles)
        bands = band_keys(signatures, self.bands, self.rows_per_band)
        bands[tokens.counts < cfg.min_words] = 0            # too short to call a near duplicate
        index.write_shard(rows, shard.column("id").cast(pa.string()), exact, bands, signatures)
        self.sources.append(self._source_codes(_column_or(shard, "source", "")))
        self._exact.append(exact)
        self._facts["license"].append(_license_rank(shard))
        self._facts["quality"].append(_numbers(shard, cfg.quality_column))
        self._facts["longest"].append(tokens.counts.astype(np.float64))
        self._facts["newest"].append(_numbers(shard, "year"))
        self.rows += n

    def _source_codes(self, sources: pa.Array) -> np.ndarray:
        """Small integer codes, not strings: a batch's buffers must not outlive the batch."""
        encoded = pc.dictionary_encode(sources)
        codes = np.array([self.source_names.setdefault(s, len(self.source_names))
                          for s in encoded.dictionary.to_pylist()] or [0], np.int32)
        return codes[encoded.indices.to_numpy(zero_copy_only=False)]

    def exact_keys(self) -> np.ndarray:
        return np.concatenate(self._exact) if self._exact else np.zeros(0, np.uint64)

    def scores(self, cfg: Config) -> list[np.ndarray]:
        return [np.concatenate(self._facts[p]) if self._facts[p] else np.zeros(0) for p in cfg.keep]


def _column_or(batch: pa.RecordBatch, name: str | None, default) -> pa.Array:
    if name and name in batch.schema.names:
        return pc.fill_null(batch.column(name), default) if default is not None else batch.column(name)
    return pa.array([default] * batch.num_rows)


def _numbers(batch: pa.RecordBatch, name: str | None) -> np.ndarray:
    values = _column_or(batch, name, 0)
    return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)


def _license_rank(batch: pa.RecordBatch) -> np.ndarray:
    groups = _column_or(batch, "license_group", "").to_numpy(zero_copy_only=False)
    return np.array([LICENSE_RANK.get(g, 0) for g in groups], np.float64)


def _no_pairs() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64)


def _unique_pairs(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    if not pairs:
        return _no_pairs()
    left = np.concatenate([p[0] for p in pairs])
    right = np.concatenate([p[1] for p in pairs])
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    unique = np.unique(np.stack([lo, hi], axis=1), axis=0) if len(lo) else np.zeros((0, 2), np.int64)
    return unique[:, 0], unique[:, 1]


def _similarity_to_keeper(index: SpillIndex, clusters: Clusters, exact: np.ndarray) -> np.ndarray:
    """Estimated Jaccard of each clustered row with its kept row (1 for exact copies); NaN elsewhere."""
    similarity = np.full(len(clusters.label), np.nan, np.float32)
    members = np.flatnonzero(clusters.size > 1)
    if not len(members):
        return similarity
    keepers = clusters.keeper[members]
    rows = np.unique(np.concatenate([members, keepers]))
    sigs = index.signatures_of(rows)
    similarity[members] = estimated_jaccard(sigs[np.searchsorted(rows, members)],
                                            sigs[np.searchsorted(rows, keepers)])
    same_text = exact[members] == exact[keepers]
    similarity[members[same_text]] = 1.0
    return similarity


def _tag(batch: pa.RecordBatch, clusters: Clusters, similarity: np.ndarray, exact: np.ndarray,
         keeper_ids: dict[int, str], span: slice) -> list[pa.Array]:
    rows = np.arange(span.start, span.stop)
    keeper = clusters.keeper[span]
    keep = keeper == rows
    clustered = clusters.size[span] > 1
    cluster_ids = batch.column("id").cast(pa.string()).to_pylist()
    for i in np.flatnonzero(clustered):
        cluster_ids[i] = keeper_ids[int(keeper[i])]
    kind = np.where(~clustered | keep, None, np.where(exact[span] == exact[keeper], "exact", "near"))
    sim = similarity[span]
    columns = [pa.array(cluster_ids, pa.string()), pa.array(keep),
               pa.array(clusters.size[span], pa.int32()), pa.array(kind.tolist(), pa.string()),
               pa.array(np.where(keep & clustered, 1.0, sim), pa.float32(), mask=np.isnan(sim) & ~(keep & clustered))]
    return columns


def _summary(cfg: Config, signer: Signer, clusters: Clusters, kinds: Counter, candidates: int,
             pairs: int, signing_s: float) -> dict:
    clustered = clusters.size > 1
    labels = np.unique(clusters.label[clustered])
    source_code = np.concatenate(signer.sources) if signer.sources else np.zeros(0, np.int32)
    label_sources = np.unique(np.stack([clusters.label[clustered], source_code[clustered]], axis=1), axis=0)
    cross = int((np.bincount(label_sources[:, 0]) > 1).sum()) if len(label_sources) else 0
    return {
        "rows": signer.rows, "duplicate_rows_tagged": int((~(clusters.keeper == np.arange(signer.rows))).sum()),
        "exact_duplicates": kinds.get("exact", 0), "near_duplicates": kinds.get("near", 0),
        "clusters": int(len(labels)), "largest_cluster": int(clusters.size.max()) if signer.rows else 0,
        "cross_source_clusters": cross,
        "lsh": {"bands": signer.bands, "rows_per_band": signer.rows_per_band, "threshold": cfg.threshold,
                "num_perm": cfg.num_perm, "shingle": f"{cfg.shingle} {cfg.ngram}-grams",
                "candidate_pairs": candidates, "duplicate_pairs": pairs},
        "keep_policy": list(cfg.keep), "signing_rows_per_s": round(signer.rows / signing_s) if signing_s else None,
    }
