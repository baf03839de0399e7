"""Tokens and shingles of a whole batch of texts at once, as hashes in flat numpy arrays.

Tokenising row by row in Python is the slow part of MinHash (slower than the permutations), so a
batch is lower-cased and split by Arrow kernels, each *distinct* token is cleaned and hashed once
(xxh32), and n-gram hashes are rolled with vectorised uint32 arithmetic over contiguous slices.
`tokenize` and `shingle_hash` are the same definitions for one text in plain Python: they are what
make our signatures equal to datasketch's own (see the tests).

A token is a word between white space, lower-cased, with leading and trailing
punctuation removed ("(IL-6)," -> "il-6"); punctuation and single letters (option labels) are dropped. Chinese and
Japanese are written without spaces, so each of their characters is a token of its own.
"""
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

_MIX = np.uint32(0x9E3779B1)      # golden-ratio multiplier: spreads the running n-gram hash
_MIX2 = np.uint32(0x85EBCA77)     # a second, independent multiplier for the high half of 64-bit keys
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_CJK_CLASS = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"   # kana, CJK ideographs
_CJK = re.compile(f"({_CJK_CLASS})")


@dataclass(frozen=True)
class Tokens:
    """hashes[starts[i]:starts[i+1]] are the token hashes of row i (uint32)."""
    hashes: np.ndarray
    starts: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.starts)


@dataclass(frozen=True)
class Shingles:
    """hashes[offsets[i]:offsets[i+1]] are the shingle hashes of row i (uint32)."""
    hashes: np.ndarray
    offsets: np.ndarray


def clean_token(word: str) -> str:
    """The word without edge punctuation; "" for words that carry nothing: punctuation, and single
    Latin letters (option labels "A.", "(b)", and the article "a")."""
    word = _EDGE_PUNCT.sub("", word)
    return "" if len(word) == 1 and "a" <= word <= "z" else word


def tokenize(text: str) -> list[str]:
    """The reference tokenizer for one text; `batch_tokens` gives the same tokens for many."""
    return [t for t in map(clean_token, _CJK.sub(r" \1 ", text.lower()).split()) if t]


def token_hash(token: str) -> int:
    return xxhash.xxh32_intdigest(token.encode())


def shingle_hash(shingle: tuple[str, ...]) -> int:
    """Hash of one word n-gram, identical to the vectorised path (for datasketch's `hashfunc`)."""
    h = 0
    for tok in shingle:
        h = (h * int(_MIX) + token_hash(tok)) & 0xFFFFFFFF
    return h


def _space_cjk(texts: pa.Array) -> pa.Array:
    """Put spaces around CJK characters, only in the rows that have any (a cheap ASCII test first)."""
    non_ascii = pc.invert(pc.string_is_ascii(texts))
    if not pc.any(non_ascii).as_py():
        return texts
    has_cjk = pc.and_(non_ascii, pc.match_substring_regex(texts, _CJK_CLASS))
    if not pc.any(has_cjk).as_py():
        return texts
    spaced = pc.replace_substring_regex(texts.filter(has_cjk), f"({_CJK_CLASS})", r" \1 ")
    return pc.replace_with_mask(texts, has_cjk, spaced)


def batch_tokens(texts: pa.Array) -> Tokens:
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    words = pc.utf8_split_whitespace(_space_cjk(pc.utf8_lower(pc.fill_null(texts, ""))))
    per_row = pc.list_value_length(words).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(words)
    if not len(flat):
        return Tokens(np.zeros(0, np.uint32), np.zeros(len(texts) + 1, np.int64))
    encoded = pc.dictionary_encode(flat)           # clean and hash each distinct word once
    cleaned = [clean_token(w) for w in encoded.dictionary.to_pylist()]
    hashes = np.fromiter((token_hash(w) for w in cleaned), np.uint32, count=len(cleaned))
    indices = encoded.indices.to_numpy()
    kept = np.fromiter((bool(w) for w in cleaned), bool, count=len(cleaned))[indices]
    kept_before = np.concatenate([[0], np.cumsum(kept)])
    row_starts = _starts(per_row)
    counts = kept_before[row_starts[1:]] - kept_before[row_starts[:-1]]
    return Tokens(hashes[indices[kept]], _starts(counts))


def _starts(counts: np.ndarray) -> np.ndarray:
    starts = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts


def content_keys(tokens: Tokens) -> np.ndarray:
    """A 64-bit key per row over its token sequence: equal keys = the same normalised text.
    Rows without tokens get 0 (empty text is nobody's duplicate)."""
    counts = tokens.counts
    position = np.arange(len(tokens.hashes), dtype=np.uint64) - np.repeat(tokens.starts[:-1], counts).astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = fmix64(tokens.hashes.astype(np.uint64) ^ (position * np.uint64(0x9E3779B97F4A7C15)))
        keys = np.zeros(len(counts), np.uint64)
        filled = counts > 0
        if filled.any():
            keys[filled] = np.add.reduceat(mixed, tokens.starts[:-1][filled]) + counts[filled].astype(np.uint64)
    return keys


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: an avalanching bijection."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(33))
        h = h * np.uint64(0xFF51AFD7ED558CCD)
        h = h ^ (h >> np.uint64(33))
        h = h * np.uint64(0xC4CEB9FE1A85EC53)
        return h ^ (h >> np.uint64(33))


def word_shingles(tokens: Tokens, n: int) -> Shingles:
    """Word n-gram hashes per row; a row shorter than n words gives one shingle of all its words."""
    return _roll(tokens.hashes, tokens.starts, n)


def char_shingles(texts: pa.Array, n: int) -> Shingles:
    """Character (UTF-8 byte) n-grams of the lower-cased, white-space-folded text."""
    folded = pc.binary_join(pc.utf8_split_whitespace(pc.utf8_lower(pc.fill_null(texts, ""))), " ")
    folded = pc.utf8_trim_whitespace(folded)
    data = np.frombuffer(folded.buffers()[2] or b"", np.uint8) if len(folded) else np.zeros(0, np.uint8)
    offsets = np.frombuffer(folded.buffers()[1], np.int32)[folded.offset:folded.offset + len(folded) + 1]
    values = data[offsets[0]:offsets[-1]].astype(np.uint32)
    return _roll(values, offsets.astype(np.int64) - offsets[0], n)


def char_shingle_hash(shingle: bytes) -> int:
    """Hash of one character shingle, identical to the vectorised path."""
    h = 0
    for byte in shingle:
        h = (h * int(_MIX) + byte) & 0xFFFFFFFF
    return h


def ngram_keys(tokens: Tokens, n: int) -> Shingles:
    """Word n-grams as 64-bit keys (two independent 32-bit rolls), for exact n-gram matching where a
    32-bit hash would collide too often across a corpus."""
    low = _roll(tokens.hashes, tokens.starts, n)
    high = _roll(fmix32(tokens.hashes ^ np.uint32(0x5BD1E995)), tokens.starts, n, mix=_MIX2)
    keys = (high.hashes.astype(np.uint64) << np.uint64(32)) | low.hashes.astype(np.uint64)
    return Shingles(keys, low.offsets)


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser: an avalanching bijection."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint32(16))
        h = h * np.uint32(0x85EBCA6B)
        h = h ^ (h >> np.uint32(13))
        h = h * np.uint32(0xC2B2AE35)
        return h ^ (h >> np.uint32(16))


def _roll(items: np.ndarray, starts: np.ndarray, n: int, mix: np.uint32 = _MIX) -> Shingles:
    """Roll n consecutive item hashes into one per position, never across two rows, using whole
    contiguous slices (no gathers); a row shorter than n items gives one shingle of all of them."""
    total = len(items)
    counts = np.diff(starts)
    padded = np.concatenate([items, np.zeros(n, np.uint32)])
    row_end = np.repeat(starts[1:], counts)
    short_rows = (counts > 0) & (counts < n)
    h = padded[:total].copy()
    short_hash = np.zeros(len(counts), np.uint32)
    with np.errstate(over="ignore"):
        for j in range(n):
            if j:
                h = h * mix + padded[j:total + j]
            done = short_rows & (counts == j + 1)          # a short row's one shingle is its prefix hash
            short_hash[done] = h[starts[:-1][done]]
    keep = (row_end - np.arange(total)) >= n
    short_starts = starts[:-1][short_rows]
    keep[short_starts] = True
    h[short_starts] = short_hash[short_rows]
    per_row = np.where(counts >= n, counts - n + 1, short_rows.astype(np.int64))
    return Shingles(h[keep], _starts(per_row))
