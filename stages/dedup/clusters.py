"""Duplicate clusters (connected components of the duplicate pairs) and which row of each to keep."""
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# The keep policy, best first. Each names a per-row score where larger is better; ties fall to the
# next one, and finally to the earliest row, so the choice is deterministic.
POLICIES = ("license", "quality", "longest", "newest")
LICENSE_RANK = {"commercial": 2, "non-commercial": 1}    # others (incl. unknown) 0: prefer what users may ship


@dataclass(frozen=True)
class Clusters:
    label: np.ndarray       # component label per row (the smallest row of the component)
    size: np.ndarray        # component size per row
    keeper: np.ndarray      # the row kept for each row's component


def components(num_rows: int, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(label, size) per row; label = smallest row in the component, so labels are stable."""
    graph = coo_matrix((np.ones(len(left), np.int8), (left, right)), shape=(num_rows, num_rows))
    _, raw = connected_components(graph, directed=False)
    smallest = np.full(raw.max() + 1 if num_rows else 0, num_rows, np.int64)
    np.minimum.at(smallest, raw, np.arange(num_rows))
    sizes = np.bincount(raw)
    return smallest[raw], sizes[raw]


def choose_keepers(label: np.ndarray, scores: list[np.ndarray]) -> np.ndarray:
    """The kept row of each row's component: best by `scores` in order, then the earliest row."""
    if not len(label):
        return np.zeros(0, np.int64)
    rows = np.arange(len(label))
    # lexsort's last key sorts first: component, then each score (descending), then row
    order = np.lexsort([rows] + [-np.asarray(s, np.float64) for s in reversed(scores)] + [label])
    sorted_labels = label[order]
    first = np.concatenate([[True], sorted_labels[1:] != sorted_labels[:-1]])
    keeper_of_label = np.zeros(len(label), np.int64)       # labels are row numbers
    keeper_of_label[sorted_labels[first]] = order[first]
    return keeper_of_label[label]


def cluster(num_rows: int, left: np.ndarray, right: np.ndarray, scores: list[np.ndarray]) -> Clusters:
    label, size = components(num_rows, left, right)
    return Clusters(label, size, choose_keepers(label, scores))
