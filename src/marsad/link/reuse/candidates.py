"""Candidate pairs by MinHash locality-sensitive hashing (never all pairs).

Sketches are datasketch MinHashes over integer shingles: the values ``MinHash.bulk`` gives
(default "affine32" scheme, datasketch's own permutations), computed for all units of an
article in one numpy pass rather than one MinHash object per unit. The banding is the one of
``datasketch.MinHashLSH`` — ``b`` bands of ``r`` hash values, two sets collide when one band
agrees — but the band tables are sorted numpy arrays instead of MinHashLSH's dict of sets:
an article gives about fifteen unit sketches, and MinHashLSH's in-memory storage costs about
340 bytes per entry and band (measured: 100k sketches × 10 bands = 343 MB), against 12 bytes
here. The tables pickle as a few arrays.

A bucket that has already collected ``cap`` members is a stock phrase or boilerplate shared
by many articles, not copy: it stops growing and stops producing candidates.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch import MinHash

_SEED = 1


def _identity(value: int) -> int:
    """Shingles are already 32-bit hashes; datasketch pre-mixes them itself."""
    return value


@lru_cache(maxsize=None)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = MinHash(num_perm=num_perm, seed=_SEED, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, the pre-mix of datasketch's "affine32" scheme."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(shingle_sets: list[np.ndarray], num_perm: int) -> np.ndarray:
    """``(len(shingle_sets), num_perm)`` MinHash values, one row per non-empty uint32 shingle
    array (repeated shingles do not change a minimum).

    Row ``i`` equals ``MinHash.bulk([shingle_sets[i]], num_perm=num_perm, seed=1,
    hashfunc=lambda x: x)[0].hashvalues`` (datasketch's default "affine32" scheme; tested), but
    all sets of an article are hashed in one vectorised pass instead of one MinHash object each.
    """
    a, b = _permutations(num_perm)
    offsets = np.cumsum([0] + [len(s) for s in shingle_sets[:-1]])
    hv = _fmix32(np.concatenate(shingle_sets).astype(np.uint32))
    with np.errstate(over="ignore"):
        phv = hv[:, None] * a + b  # wraps modulo 2**32, as in datasketch
    return np.minimum.reduceat(phv, offsets, axis=0)


def bucket_members(values, cap: int) -> list[int]:
    """The values a bucket of :class:`BandIndex` ends up holding when ``values`` are inserted in
    increasing order: the first ``cap`` distinct ones (a full bucket takes no more). Each of
    them is a candidate of every other: the pairs a band table yields, found without the table
    (a cluster engine groups the band keys of all articles at once)."""
    out: list[int] = []
    for v in sorted(set(values)):
        if len(out) >= cap:
            break
        out.append(v)
    return out


class BandIndex:
    """LSH band tables for MinHashes with ``bands * rows`` permutations; values are ints."""

    def __init__(self, bands: int, rows: int, cap: int, flush_at: int = 100_000):
        self.bands, self.rows, self.cap, self.flush_at = bands, rows, cap, flush_at
        rng = np.random.RandomState(20240611)
        self._mult = (rng.randint(0, 1 << 62, size=(bands, rows), dtype=np.uint64) * np.uint64(2) + np.uint64(1))
        self._salt = rng.randint(0, 1 << 62, size=bands, dtype=np.uint64)
        self._keys = np.empty(0, dtype=np.uint64)  # sorted
        self._vals = np.empty(0, dtype=np.uint32)
        self._pending: dict[int, list[int]] = {}
        self._pending_n = 0
        self._journal: list[tuple[int, int]] = []  # (key, value) inserted since the last take_journal

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """``(len(signatures), bands)`` uint64 keys of MinHash signature rows; one table holds
        all bands (each band salted)."""
        n = len(signatures)
        hv = signatures[:, : self.bands * self.rows].astype(np.uint64).reshape(n, self.bands, self.rows)
        with np.errstate(over="ignore"):
            return (hv * self._mult).sum(axis=2, dtype=np.uint64) + self._salt

    def query_insert(self, keys: np.ndarray, value: int) -> set[int]:
        """Values sharing a bucket with any of ``keys`` (buckets under the cap only); then add
        ``value`` to those buckets that are not full."""
        flat = keys.ravel()
        if flat.size == 0:
            return set()
        lo = np.searchsorted(self._keys, flat, side="left")
        hi = np.searchsorted(self._keys, flat, side="right")
        found: set[int] = set()
        for key, a, b in zip(flat.tolist(), lo.tolist(), hi.tolist()):
            pend = self._pending.get(key)
            size = (b - a) + (len(pend) if pend else 0)
            if size >= self.cap:
                continue
            if size:
                if b > a:
                    found.update(self._vals[a:b].tolist())
                if pend:
                    found.update(pend)
            if pend is None:
                self._pending[key] = [value]
            elif value not in pend:
                pend.append(value)
            else:
                continue
            self._pending_n += 1
            self._journal.append((key, value))
        found.discard(value)
        if self._pending_n >= self.flush_at:
            self.flush()
        return found

    def flush(self) -> None:
        """Merge pending entries into the sorted arrays."""
        if not self._pending:
            return
        keys = np.fromiter((k for k, vs in self._pending.items() for _ in vs), dtype=np.uint64)
        vals = np.fromiter((v for vs in self._pending.values() for v in vs), dtype=np.uint32)
        order = np.argsort(keys, kind="stable")
        keys, vals = keys[order], vals[order]
        pos = np.searchsorted(self._keys, keys, side="right")
        self._keys = np.insert(self._keys, pos, keys)
        self._vals = np.insert(self._vals, pos, vals)
        self._pending, self._pending_n = {}, 0

    def __len__(self) -> int:
        return len(self._keys) + self._pending_n

    def take_journal(self) -> tuple[np.ndarray, np.ndarray]:
        """The (keys, values) inserted since the last call: what a store appends."""
        keys = np.fromiter((k for k, _ in self._journal), dtype=np.uint64, count=len(self._journal))
        vals = np.fromiter((v for _, v in self._journal), dtype=np.uint32, count=len(self._journal))
        self._journal = []
        return keys, vals

    def load(self, keys: np.ndarray, vals: np.ndarray, unsaved: bool = False) -> None:
        """Replace the table by stored (key, value) entries, in insertion order. ``unsaved``:
        they are not stored yet (built elsewhere), so :meth:`take_journal` gives them."""
        order = np.argsort(keys, kind="stable")
        self._keys, self._vals = keys[order].astype(np.uint64), vals[order].astype(np.uint32)
        self._pending, self._pending_n = {}, 0
        self._journal = list(zip(self._keys.tolist(), self._vals.tolist())) if unsaved else []
