"""MinHash signatures of a whole batch in numpy, bit-for-bit datasketch's `affine32` scheme.

datasketch computes, per shingle hash h, `a * fmix32(h) + b (mod 2^32)` for each permutation (a, b)
and keeps the minimum. We do the same over every shingle of every row at once: one pass per
permutation over a flat uint32 array, then `np.minimum.reduceat` by row. The permutations are taken
from datasketch itself, so a signature here equals `MinHash(hashfunc=shingle_hash).update_batch(...)`
and can go into `MinHashLSH` as a `LeanMinHash`.
"""
import numpy as np
from datasketch import LeanMinHash, MinHash

from medcurate.stages.dedup.shingles import Shingles, fmix32

SCHEME = "affine32"
EMPTY = np.uint32(0xFFFFFFFF)      # datasketch's value for a permutation that saw no shingle


class MinHasher:
    ROWS_PER_BLOCK = 1024      # keeps each permutation pass inside the CPU cache: ~2x faster than one pass

    def __init__(self, num_perm: int = 128, seed: int = 1):
        self.num_perm, self.seed = num_perm, seed
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        self.a, self.b = a.astype(np.uint32), b.astype(np.uint32)

    def signatures(self, shingles: Shingles) -> np.ndarray:
        """(rows, num_perm) uint32; a row without shingles gets the all-EMPTY signature."""
        rows = len(shingles.offsets) - 1
        out = np.full((rows, self.num_perm), EMPTY, np.uint32)
        mixed = fmix32(shingles.hashes)
        for first in range(0, rows, self.ROWS_PER_BLOCK):
            offsets = shingles.offsets[first:first + self.ROWS_PER_BLOCK + 1]
            filled = np.flatnonzero(np.diff(offsets) > 0)
            if len(filled):
                values = mixed[offsets[0]:offsets[-1]]
                out[first + filled] = self._block(values, offsets[filled] - offsets[0])
        return out

    def _block(self, values: np.ndarray, starts: np.ndarray) -> np.ndarray:
        block = np.empty((len(starts), self.num_perm), np.uint32)
        with np.errstate(over="ignore"):
            for p in range(self.num_perm):
                block[:, p] = np.minimum.reduceat(values * self.a[p] + self.b[p], starts)
        return block

    def lean(self, signature: np.ndarray) -> LeanMinHash:
        """A datasketch LeanMinHash with these values, for `MinHashLSH` or `jaccard`."""
        return LeanMinHash(seed=self.seed, hashvalues=signature, scheme=SCHEME)


def estimated_jaccard(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Row-wise fraction of equal signature values (datasketch's `MinHash.jaccard`)."""
    return (left == right).mean(axis=1)
