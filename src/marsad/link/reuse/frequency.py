"""How many articles contain a word 5-gram: a count-min sketch of document frequencies.

Templates and stock formulas (congratulation cables, execution announcements, weather
bulletins, protocol lists of princes and ministers) are long runs of words repeated in
dozens of unrelated articles. A passage that is the same copy consists of 5-grams found in
only a handful of articles (the copies themselves); a template passage consists of 5-grams
found in many. The sketch answers "in how many articles so far?" in fixed memory
(``depth × width`` 16-bit counters; estimates never undercount).
"""
from __future__ import annotations

import numpy as np

_MAX = np.iinfo(np.uint16).max


class CountMinSketch:
    def __init__(self, width_bits: int = 22, depth: int = 3, seed: int = 7):
        self.width_bits, self.depth = width_bits, depth
        rng = np.random.RandomState(seed)
        self._a = rng.randint(0, 1 << 62, size=depth, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self._b = rng.randint(0, 1 << 62, size=depth, dtype=np.uint64)
        self._table = np.zeros((depth, 1 << width_bits), dtype=np.uint16)

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        k = keys.astype(np.uint64)
        with np.errstate(over="ignore"):
            mixed = k[None, :] * self._a[:, None] + self._b[:, None]
        return (mixed >> np.uint64(64 - self.width_bits)).astype(np.int64)

    def add(self, keys: np.ndarray) -> None:
        """Count each key once (pass the distinct keys of one article)."""
        if keys.size == 0:
            return
        for row, slots in zip(self._table, self._slots(keys)):
            slots = slots[row[slots] < _MAX]
            np.add.at(row, slots, 1)

    def counts(self, keys: np.ndarray) -> np.ndarray:
        if keys.size == 0:
            return np.zeros(0, dtype=np.int64)
        slots = self._slots(keys)
        return np.min([row[s] for row, s in zip(self._table, slots)], axis=0).astype(np.int64)

    def merge(self, other: "CountMinSketch") -> "CountMinSketch":
        """Add ``other``'s counts (a sketch of other articles, same shape and seed): sketches
        counted apart — on the partitions of a cluster — sum to the sketch of all articles."""
        total = self._table.astype(np.uint32) + other._table
        self._table = np.minimum(total, _MAX).astype(np.uint16)
        return self
