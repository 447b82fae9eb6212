"""The reuse stage's band join on arrays, as a cluster runs it: ``(table, key, article)`` rows
in, the band tables' bucket contents and the candidate pairs they give out.

What :class:`~marsad.link.reuse.candidates.BandIndex` finds by inserting articles one by one
(each bucket keeps its first ``cap`` articles: :func:`~marsad.link.reuse.candidates.bucket_members`;
every two members of a bucket are candidates), found for all articles at once. Each article
gives about 170 band keys, so the rows are many (5 million for ANT's 31,500 articles): as
Python tuples shuffled one by one they cost more CPU than the alignment they feed. Here a
partition's rows travel as a few numpy arrays, split by key into shares (one share a reduce
task), and each share is sorted and cut into buckets in numpy.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

#: (tables, keys, numbers): uint8 table (0 document bands, 1 unit bands), uint64 band key,
#: uint32 article number — one row per distinct (table, key) of an article
Rows = tuple[np.ndarray, np.ndarray, np.ndarray]


def band_rows(articles: Iterable[tuple[int, np.ndarray, np.ndarray]]) -> Rows:
    """The rows of ``(number, document band keys, unit band keys)`` articles (each key once
    per article and table, as a bucket holds an article once)."""
    tables, keys, numbers = [], [], []
    for number, doc, unit in articles:
        for table, k in ((0, doc), (1, unit)):
            k = np.unique(np.asarray(k, np.uint64).ravel())
            tables.append(np.full(len(k), table, np.uint8))
            keys.append(k)
            numbers.append(np.full(len(k), number, np.uint32))
    if not keys:
        return np.zeros(0, np.uint8), np.zeros(0, np.uint64), np.zeros(0, np.uint32)
    return np.concatenate(tables), np.concatenate(keys), np.concatenate(numbers)


def split(rows: Rows, shares: int) -> Iterator[tuple[int, Rows]]:
    """``rows`` by share (the key modulo ``shares``: band keys are hashes already), so that
    all rows of a bucket meet in one share."""
    tables, keys, numbers = rows
    share = (keys % np.uint64(shares)).astype(np.int64)
    for s in np.unique(share).tolist():
        sel = share == s
        yield s, (tables[sel], keys[sel], numbers[sel])


def buckets(rows: Rows, cap: int) -> Rows:
    """The rows the band tables end up holding: per (table, key), its ``cap`` lowest article
    numbers (articles are inserted in number order), sorted by table, key, number."""
    tables, keys, numbers = rows
    order = np.lexsort((numbers, keys, tables))
    tables, keys, numbers = tables[order], keys[order], numbers[order]
    same = (tables[1:] == tables[:-1]) & (keys[1:] == keys[:-1])
    fresh = np.concatenate([[True], ~(same & (numbers[1:] == numbers[:-1]))])  # an article once a bucket
    tables, keys, numbers = tables[fresh], keys[fresh], numbers[fresh]
    start = np.concatenate([[True], (tables[1:] != tables[:-1]) | (keys[1:] != keys[:-1])])
    first = np.flatnonzero(start)
    rank = np.arange(len(keys)) - first[np.cumsum(start) - 1]
    keep = rank < cap
    return tables[keep], keys[keep], numbers[keep]


def pairs(kept: Rows) -> np.ndarray:
    """The candidate pairs of :func:`buckets`' rows: every two members of a bucket, as sorted
    distinct uint64 codes ``earlier << 32 | later``."""
    tables, keys, numbers = kept
    if len(keys) < 2:
        return np.zeros(0, np.uint64)
    start = np.concatenate([[True], (tables[1:] != tables[:-1]) | (keys[1:] != keys[:-1])])
    first = np.flatnonzero(start)
    size = np.diff(np.append(first, len(keys)))
    codes = []
    for s in np.unique(size[size >= 2]).tolist():  # buckets of one size at a time: one array op each
        i, j = np.triu_indices(s, 1)
        base = first[size == s][:, None]
        a, b = numbers[base + i].astype(np.uint64), numbers[base + j].astype(np.uint64)
        codes.append(((a << np.uint64(32)) | b).ravel())
    return np.unique(np.concatenate(codes)) if codes else np.zeros(0, np.uint64)


def decode(codes: np.ndarray) -> Iterator[tuple[int, int]]:
    """``(earlier, later)`` article numbers of pair codes."""
    return zip((codes >> np.uint64(32)).tolist(), (codes & np.uint64(0xFFFFFFFF)).tolist())
