"""The on-disk side of dedup: per-shard Arrow files of keys and signatures.

Signing is done shard by shard (bounded memory, and each shard is an independent task for a cluster).
Grouping then reads one key column at a time from every shard, memory-mapped, and optionally only one
key range of it at a time, so memory grows with (rows x 16 bytes) / partitions, never with the texts or
the full signatures.
"""
import glob
import os

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from medcurate.stages.dedup.lsh import pairs_of_equal_keys

EXACT = "exact"


def band_column(band: int) -> str:
    return f"band_{band}"


class SpillIndex:
    def __init__(self, folder: str):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.num_rows = 0

    def write_shard(self, rows: np.ndarray, ids: pa.Array, exact: np.ndarray, bands: np.ndarray,
                    signatures: np.ndarray) -> None:
        shard = len(self._files("keys"))
        columns = {"row": pa.array(rows), "id": ids, EXACT: pa.array(exact)}
        columns.update({band_column(b): pa.array(bands[:, b]) for b in range(bands.shape[1])})
        self._write(f"keys-{shard:05d}.arrow", pa.table(columns))
        flat = pa.array(signatures.reshape(-1))
        sigs = pa.FixedSizeListArray.from_arrays(flat, signatures.shape[1])
        self._write(f"sigs-{shard:05d}.arrow", pa.table({"row": pa.array(rows), "signature": sigs}))
        self.num_rows += len(rows)

    def pairs(self, column: str, partitions: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Candidate pairs of rows sharing a key in `column`, one key range (partition) at a time."""
        lefts, rights = [], []
        for part in range(partitions):
            keys, rows = [], []
            for path in self._files("keys"):
                table = _read(path)
                k = table.column(column).to_numpy()
                mine = (k % np.uint64(partitions)) == part
                keys.append(k[mine])
                rows.append(table.column("row").to_numpy()[mine])
            if not keys:                   # no rows at all
                break
            left, right = pairs_of_equal_keys(np.concatenate(keys), np.concatenate(rows))
            lefts.append(left)
            rights.append(right)
        if not lefts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(lefts), np.concatenate(rights)

    def signatures_of(self, wanted: np.ndarray) -> np.ndarray:
        """Signatures of the given rows (sorted, unique), in that order."""
        def values(table: pa.Table) -> np.ndarray:
            sig = table.column("signature").combine_chunks()
            return sig.values.to_numpy().reshape(len(sig), sig.type.list_size)
        found = self._gather("sigs", wanted, values)
        return np.concatenate(found) if found else np.zeros((0, 0), np.uint32)

    def ids_of(self, wanted: np.ndarray) -> list[str]:
        """Ids of the given rows (sorted, unique), in that order."""
        found = self._gather("keys", wanted, lambda table: np.array(table.column("id").to_pylist(), object))
        return list(np.concatenate(found)) if found else []

    def _gather(self, prefix: str, wanted: np.ndarray, values) -> list[np.ndarray]:
        """Rows are numbered in file order, so pieces gathered file by file are already sorted."""
        found = []
        for path in self._files(prefix):
            table = _read(path)
            mine = np.isin(table.column("row").to_numpy(), wanted)
            if mine.any():
                found.append(values(table.filter(pa.array(mine))))
        return found

    def _files(self, prefix: str) -> list[str]:
        return sorted(glob.glob(os.path.join(self.folder, f"{prefix}-*.arrow")))

    def _write(self, name: str, table: pa.Table) -> None:
        with ipc.new_file(os.path.join(self.folder, name), table.schema) as writer:
            writer.write_table(table)


def _read(path: str) -> pa.Table:
    """Memory-mapped and zero-copy: only the columns a caller touches are paged in."""
    return ipc.open_file(pa.memory_map(path)).read_all()
