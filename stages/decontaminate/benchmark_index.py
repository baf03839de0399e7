"""An index of evaluation items' n-grams, and the lookup that finds them in training rows.

Three detectors:
- `ngram`: any 13-gram (configurable) of a benchmark field appears in the row; a field shorter than
  that (but not trivially short) counts when it appears whole. Catches verbatim copies.
- `overlap`: the share of a benchmark item's *informative* word 3-grams (those not common to many
  items, like "which of the following") found in the row. Catches light paraphrase, reordered or
  shuffled options, and copies inside long passages, where a Jaccard (MinHash) estimate would be
  diluted by the rest of the passage.
- `minhash`: estimated Jaccard similarity of the whole row and the whole item (MinHash + LSH bands,
  the dedup machinery). Catches edited copies of short items, whose few 3-grams an edit wipes out, when
  the training row is itself item-sized (exam items, QA pairs).
Each item's fields (question, each option, each context passage) are shingled separately, so
shuffling the options does not change anything.
"""
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from medcurate.stages.dedup.lsh import band_keys, band_params
from medcurate.stages.dedup.shingles import Shingles, Tokens, batch_tokens, ngram_keys, word_shingles
from medcurate.stages.dedup.signatures import MinHasher, estimated_jaccard


@dataclass(frozen=True)
class Match:
    row: np.ndarray       # training row (within the batch)
    item: np.ndarray      # benchmark item index
    score: np.ndarray     # share of the field's n-grams (ngram) or of the item's informative 3-grams (overlap)


@dataclass(frozen=True)
class DetectorSettings:
    ngram: int = 13
    ngram_share: float = 0.5       # a field counts as copied when this share of its n-grams is in the row
    min_field_words: int = 8       # shorter fields are too generic to match ("Aspirin", "None of the above")
    overlap_ngram: int = 3
    overlap_threshold: float = 0.5
    common_items: int = 10         # a 3-gram in more items than this is template text, not evidence
    min_informative: int = 5       # items with fewer informative 3-grams are left to the ngram detector
    minhash_ngram: int = 1                  # word sets: edits to short items keep most words, not most n-grams
    minhash_threshold: float = 0.6
    num_perm: int = 128


class BenchmarkIndex:
    """`fields` are the texts of all items' fields, `field_item` the item of each, `field_is_stem` whether
    it is the question or context (True) or an answer option (False)."""

    ARRAYS = ("field_item", "gram_keys", "gram_fields", "field_grams", "informative", "overlap_keys",
              "overlap_items", "stem_keys", "stem_items", "stem_informative", "signatures", "band_order",
              "band_sorted")

    def __init__(self, fields: pa.Array, field_item: np.ndarray, field_is_stem: np.ndarray, num_items: int,
                 settings: DetectorSettings, item_texts: pa.Array):
        self.settings, self.num_items, self.field_item = settings, num_items, field_item
        self._index_signatures(item_texts)
        tokens = batch_tokens(fields)
        # only stems (question, context) count: answer options recur across questions by nature
        matchable = (tokens.counts >= settings.min_field_words) & field_is_stem
        self.short_lengths = sorted({int(c) for c in tokens.counts[matchable] if c < settings.ngram})
        keys, owners = _unique_pairs(ngram_keys(tokens, settings.ngram), np.arange(len(field_item)), matchable)
        distinctive = _rare(keys, settings.common_items)       # drops template stems ("Which of the following...")
        self.gram_keys, self.gram_fields = keys[distinctive], owners[distinctive]
        self.field_grams = np.bincount(self.gram_fields, minlength=len(field_item))
        self._index_informative(tokens, field_item, field_is_stem)

    def _index_informative(self, tokens: Tokens, field_item: np.ndarray, field_is_stem: np.ndarray) -> None:
        shingles = ngram_keys(tokens, self.settings.overlap_ngram)
        keys, items = _unique_pairs(shingles, field_item)
        stem_keys, stem_items = _unique_pairs(shingles, field_item, field_is_stem)
        informative = _rare(keys, self.settings.common_items)
        self.informative = np.bincount(items[informative], minlength=self.num_items)
        usable = informative & (self.informative[items] >= self.settings.min_informative)
        self.overlap_keys, self.overlap_items = keys[usable], items[usable]
        stem_usable = np.isin(stem_keys, keys[informative])
        self.stem_keys, self.stem_items = stem_keys[stem_usable], stem_items[stem_usable]
        self.stem_informative = np.bincount(self.stem_items, minlength=self.num_items)

    def _index_signatures(self, item_texts: pa.Array) -> None:
        s = self.settings
        self.hasher = MinHasher(s.num_perm)
        self.bands = band_params(s.minhash_threshold, s.num_perm)
        self.signatures = self.hasher.signatures(word_shingles(batch_tokens(item_texts), s.minhash_ngram))
        keys = band_keys(self.signatures, *self.bands)
        self.band_order = np.argsort(keys, axis=0, kind="stable")
        self.band_sorted = np.take_along_axis(keys, self.band_order, axis=0)

    def to_table(self) -> pa.Table:
        """The index as one Arrow table (an array a row), so a run in parts builds it once and stores it."""
        arrays = {name: np.ascontiguousarray(getattr(self, name)) for name in self.ARRAYS}
        arrays["short_lengths"] = np.array(self.short_lengths, np.int64)
        arrays["num_items"] = np.array([self.num_items], np.int64)
        return pa.table({"name": list(arrays), "dtype": [a.dtype.str for a in arrays.values()],
                         "shape": [list(a.shape) for a in arrays.values()],
                         "data": pa.array([a.tobytes() for a in arrays.values()], pa.large_binary())})

    @classmethod
    def from_table(cls, table: pa.Table, settings: DetectorSettings) -> "BenchmarkIndex":
        index = cls.__new__(cls)
        for row in table.to_pylist():
            value = np.frombuffer(row["data"], np.dtype(row["dtype"])).reshape(row["shape"])
            setattr(index, row["name"], value)
        index.settings, index.num_items = settings, int(index.num_items[0])
        index.short_lengths = [int(n) for n in index.short_lengths]
        index.hasher = MinHasher(settings.num_perm)
        index.bands = band_params(settings.minhash_threshold, settings.num_perm)
        return index

    def minhash_matches(self, tokens: Tokens) -> Match:
        """Items whose estimated Jaccard with the row reaches the threshold (LSH candidates, verified)."""
        signatures = self.hasher.signatures(word_shingles(tokens, self.settings.minhash_ngram))
        keys = band_keys(signatures, *self.bands)
        rows, items = [], []
        for b in range(keys.shape[1]):
            r, i = _lookup(np.arange(len(keys)), keys[:, b], self.band_sorted[:, b], self.band_order[:, b])
            rows.append(r)
            items.append(i)
        candidates = _count(np.concatenate(rows), np.concatenate(items), self.num_items)
        similarity = estimated_jaccard(signatures[candidates.row], self.signatures[candidates.item])
        hit = similarity >= self.settings.minhash_threshold
        return Match(candidates.row[hit], candidates.item[hit], similarity[hit])

    def ngram_matches(self, tokens: Tokens) -> Match:
        """Items with a field whose n-grams are mostly in the row (a short field: all of it, whole)."""
        found = []
        for n in [self.settings.ngram] + self.short_lengths:
            rows, keys = _distinct_per_row(ngram_keys(tokens, n))
            found.append(_lookup(rows, keys, self.gram_keys, self.gram_fields))
        rows = np.concatenate([f[0] for f in found])
        fields = np.concatenate([f[1] for f in found])
        per_field = _count(rows, fields, len(self.field_item))
        share = per_field.score / self.field_grams[per_field.item]
        copied = share >= self.settings.ngram_share
        return _best(per_field.row[copied], self.field_item[per_field.item[copied]], share[copied], self.num_items)

    def overlap_matches(self, tokens: Tokens) -> Match:
        """Items most of whose informative 3-grams are in the row, including half of their stem's."""
        rows, keys = _distinct_per_row(ngram_keys(tokens, self.settings.overlap_ngram))
        whole = _count(*_lookup(rows, keys, self.overlap_keys, self.overlap_items), self.num_items)
        containment = whole.score / np.maximum(self.informative[whole.item], 1)
        stem = _count(*_lookup(rows, keys, self.stem_keys, self.stem_items), self.num_items)
        stem_share = dict(zip(zip(stem.row.tolist(), stem.item.tolist()),
                              (stem.score / np.maximum(self.stem_informative[stem.item], 1)).tolist()))
        needs_stem = self.stem_informative[whole.item] > 0
        stem_ok = np.array([stem_share.get((r, i), 0.0) for r, i in zip(whole.row.tolist(), whole.item.tolist())])
        hit = (containment >= self.settings.overlap_threshold) & (
            ~needs_stem | (stem_ok >= self.settings.overlap_threshold / 2))
        return Match(whole.row[hit], whole.item[hit], containment[hit])


def _rare(keys: np.ndarray, most: int) -> np.ndarray:
    """Mask of the (sorted) keys that occur at most `most` times."""
    _, counts = np.unique(keys, return_counts=True)
    return np.repeat(counts <= most, counts)


def _unique_pairs(shingles: Shingles, owner: np.ndarray, keep: np.ndarray | None = None):
    """Sorted distinct (key, owner) pairs, optionally only from the rows where `keep` is true."""
    counts = np.diff(shingles.offsets)
    owners = np.repeat(owner, counts)
    keys = shingles.hashes
    if keep is not None:
        mask = np.repeat(keep, counts)
        keys, owners = keys[mask], owners[mask]
    if not len(keys):
        return keys, owners.astype(np.int64)
    pairs = np.unique(np.stack([keys, owners.astype(np.uint64)], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1].astype(np.int64)


def _distinct_per_row(shingles: Shingles) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(len(shingles.offsets) - 1)
    keys, rows = _unique_pairs(shingles, rows)
    return rows, keys


def _lookup(rows: np.ndarray, keys: np.ndarray, index_keys: np.ndarray, index_owners: np.ndarray):
    """(row, owner) for every key found in the sorted `index_keys` (a key may have several owners)."""
    left = np.searchsorted(index_keys, keys, "left")
    width = np.searchsorted(index_keys, keys, "right") - left
    found = width > 0
    rows, left, width = rows[found], left[found], width[found]
    before = np.concatenate([[0], np.cumsum(width)[:-1]])
    position = np.repeat(left - before, width) + np.arange(width.sum())
    return np.repeat(rows, width), index_owners[position]


def _count(rows: np.ndarray, owners: np.ndarray, num_owners: int) -> Match:
    """How often each (row, owner) pair occurs."""
    if not len(rows):
        return Match(rows, owners, np.zeros(0))
    combined, counts = np.unique(rows.astype(np.int64) * num_owners + owners, return_counts=True)
    return Match(combined // num_owners, combined % num_owners, counts.astype(np.float64))


def _best(rows: np.ndarray, items: np.ndarray, scores: np.ndarray, num_items: int) -> Match:
    """The highest score per (row, item)."""
    if not len(rows):
        return Match(rows, items, scores)
    combined = rows.astype(np.int64) * num_items + items
    order = np.lexsort((-scores, combined))
    first = np.concatenate([[True], combined[order][1:] != combined[order][:-1]])
    chosen = order[first]
    return Match(rows[chosen], items[chosen], scores[chosen])
