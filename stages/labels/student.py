"""The fastText student: how texts and labels are written for fastText, training, and a loaded model
that predicts a label and a calibrated score for a list of texts in one call.

Scores are calibrated on the held-out part by isotonic regression of "the prediction agrees with the
teacher" on fastText's top probability (pool-adjacent-violators, stored as breakpoints and applied by
linear interpolation): a score of 0.8 means about 80% of held-out predictions with that raw confidence
were right. It needs only the top label, so `predict(k=1)` stays the one call per shard.

Unigram models only, with every word vector initialised here: fastText's single-thread initialisation
fills only the first tenth of the input matrix, and in `fasttext-numpy2` the rest is uninitialised memory,
so two runs with the same seed differed, learned worse, and sometimes stopped with "Encountered NaN".
Passing seeded random vectors for the whole vocabulary (`pretrainedVectors`) sets every row: the same
data and seed give the same bytes. Hashed word n-gram rows cannot be set that way, so bigram models are
not reproducible here; that, and their cost (1.1-2.5x slower to predict across runs, for +0.02-0.05 macro-F1 on two
of three families, benchmarks/classify.py), is why students use unigrams.
"""
import os
import tempfile
from dataclasses import dataclass

import fasttext
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PREFIX = "__label__"
MODELS = pa.schema([                                   # the `models` table of a train_classifier version
    pa.field("family", pa.string(), nullable=False),
    pa.field("classes", pa.list_(pa.string())),        # label values, as text (edu_score "1".."5")
    pa.field("format", pa.string()),                   # "fasttext.bin"
    pa.field("params", pa.string()),                   # JSON of the training parameters
    pa.field("seed", pa.int64()),
    pa.field("train_rows", pa.int64()),
    pa.field("heldout_rows", pa.int64()),
    pa.field("calibration_x", pa.list_(pa.float64())),  # isotonic breakpoints: raw top probability ...
    pa.field("calibration_y", pa.list_(pa.float64())),  # ... -> share of held-out predictions that were right
    pa.field("binary", pa.large_binary()),             # the model file's bytes
])


def prepare(texts: pa.Array) -> list[str]:
    """One line per text, as fastText reads it: lower-cased, punctuation split off words, whitespace folded."""
    lowered = pc.utf8_lower(pc.fill_null(texts, ""))
    spaced = pc.replace_substring_regex(lowered, r"([^\w\s])", r" \1 ")
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(spaced, r"\s+", " ")).to_pylist()


def encode(value) -> str:
    return PREFIX + str(value).replace(" ", "_")


@dataclass(frozen=True)
class Params:
    epoch: int = 25
    lr: float = 0.5
    dim: int = 64
    min_count: int = 1


def train(texts: list[str], labels: list, params: Params, seed: int, **fasttext_args) -> bytes:
    """A supervised model's .bin bytes. One thread, a fixed seed and seeded initial word vectors: the same
    data gives the same bytes. `fasttext_args` (e.g. wordNgrams) are for benchmarks, not for stages."""
    with tempfile.TemporaryDirectory(prefix="medcurate-fasttext-") as tmp:
        data, vectors, model = (os.path.join(tmp, name) for name in ("train.txt", "init.vec", "model.bin"))
        with open(data, "w", encoding="utf-8") as fh:
            fh.writelines(f"{_label_tokens(label)} {text}\n" for text, label in zip(texts, labels))
        _initial_vectors(vectors, texts, params.dim, seed)
        fasttext.train_supervised(input=data, epoch=params.epoch, lr=params.lr, dim=params.dim,
                                  minCount=params.min_count, pretrainedVectors=vectors, thread=1, seed=seed,
                                  verbose=0, **fasttext_args).save_model(model)
        with open(model, "rb") as fh:
            return fh.read()


def _label_tokens(label) -> str:
    """One label, or several (a list: a multi-label example)."""
    return " ".join(map(encode, label)) if isinstance(label, list) else encode(label)


def _initial_vectors(path: str, texts: list[str], dim: int, seed: int) -> None:
    """Uniform(-1/dim, 1/dim) vectors, as fastText means to start, for every word and the end-of-line token."""
    vocabulary = sorted({word for text in texts for word in text.split(" ") if word} | {"</s>"})
    vectors = np.random.default_rng(seed).uniform(-1 / dim, 1 / dim, (len(vocabulary), dim))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"{len(vocabulary)} {dim}\n")
        fh.writelines(f"{word} {' '.join(f'{x:.6f}' for x in row)}\n" for word, row in zip(vocabulary, vectors))


class Student:
    @classmethod
    def from_row(cls, row: dict) -> "Student":
        """A model row of the `models` table."""
        return cls(row["binary"], row["classes"], (row["calibration_x"], row["calibration_y"]))

    def __init__(self, binary: bytes, classes: list, calibration: tuple[list, list] | None = None):
        with tempfile.NamedTemporaryFile(suffix=".bin") as fh:
            fh.write(binary)
            fh.flush()
            self.model = fasttext.load_model(fh.name)
        self.decode = {encode(c): c for c in classes}
        self.calibration = calibration

    def predict(self, prepared: list[str]) -> tuple[list, np.ndarray]:
        """Label and raw top probability per text; None and NaN for empty texts."""
        labels, probs = self.model.predict(prepared, k=1)
        empty = [not t for t in prepared]
        values = [None if e else self.decode[l[0]] for l, e in zip(labels, empty)]
        top = np.array([np.nan if e else min(float(p[0]), 1.0) for p, e in zip(probs, empty)], np.float64)
        return values, top

    def scores(self, raw: np.ndarray) -> np.ndarray:
        return np.interp(raw, *self.calibration) if self.calibration else raw


def fit_isotonic(confidence: np.ndarray, correct: np.ndarray) -> tuple[list, list]:
    """Breakpoints (x, y) of the non-decreasing fit of `correct` on `confidence` (pool adjacent violators)."""
    xs, inverse = np.unique(confidence, return_inverse=True)
    counts = np.bincount(inverse).astype(np.float64)
    blocks = []                 # [weight, sum of y, sum of x * weight]
    for x, n, hits in zip(xs, counts, np.bincount(inverse, weights=correct.astype(np.float64))):
        blocks.append([n, hits, x * n])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]:
            last = blocks.pop()
            blocks[-1] = [a + b for a, b in zip(blocks[-1], last)]
    return [round(float(b[2] / b[0]), 6) for b in blocks], [round(float(b[1] / b[0]), 6) for b in blocks]
