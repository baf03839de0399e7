"""Locality-sensitive hashing by bands, done as sorting instead of in-memory hash tables.

Rows whose signatures agree on every value of one band share that band's key; grouping equal keys
(by sorting a key column) finds the candidate pairs `MinHashLSH` would find, but one band at a time
and from files, so no index of the whole corpus has to sit in memory.
"""
from functools import lru_cache

import numpy as np
from datasketch.lsh import _optimal_param

from medcurate.stages.dedup.shingles import fmix64


@lru_cache(maxsize=None)
def band_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) exactly as `MinHashLSH(threshold, num_perm)` chooses them."""
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64: one key per band of each signature (0 is kept free for "no key")."""
    keys = np.zeros((len(signatures), bands), np.uint64)
    with np.errstate(over="ignore"):
        for b in range(bands):
            k = np.full(len(signatures), b + 1, np.uint64)
            for value in signatures[:, b * rows:(b + 1) * rows].T:
                k = fmix64(k * np.uint64(0x100000001B3) + value.astype(np.uint64))
            keys[:, b] = k | np.uint64(1)
    return keys


def pairs_of_equal_keys(keys: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (first row of a group, other row) for every group of rows sharing a key.
    Key 0 means "no key" and never pairs."""
    order = np.lexsort((rows, keys))
    keys, rows = keys[order], rows[order]
    valid = keys != 0
    keys, rows = keys[valid], rows[valid]
    if not len(keys):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    new_group = np.concatenate([[True], keys[1:] != keys[:-1]])
    group_first = rows[np.maximum.accumulate(np.where(new_group, np.arange(len(rows)), 0))]
    member = ~new_group
    return group_first[member], rows[member]
