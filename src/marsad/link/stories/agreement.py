"""How far two story clusterings of the same articles agree: the adjusted Rand index.

Used to compare engines (the Spark engine's blocked assignment with the local single pass):
1.0 is the same partition, 0 what chance gives. Computed from the contingency table (Hubert &
Arabie 1985), so it costs one pass over the articles, not a pass over all pairs.
"""
from __future__ import annotations

from collections import Counter
from typing import Hashable, Mapping


def _pairs(n: int) -> float:
    return n * (n - 1) / 2


def adjusted_rand_index(a: Mapping[str, Hashable], b: Mapping[str, Hashable]) -> float:
    """ARI of two labelings ``{article: cluster}`` over the articles both label."""
    items = [k for k in a if k in b]
    n = len(items)
    if n < 2:
        return 1.0
    joint = sum(_pairs(c) for c in Counter((a[k], b[k]) for k in items).values())
    rows = sum(_pairs(c) for c in Counter(a[k] for k in items).values())
    cols = sum(_pairs(c) for c in Counter(b[k] for k in items).values())
    expected = rows * cols / _pairs(n)
    best = (rows + cols) / 2
    if best == expected:  # both all-singletons or both one cluster: identical partitions
        return 1.0
    return (joint - expected) / (best - expected)
