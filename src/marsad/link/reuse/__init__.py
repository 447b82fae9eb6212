"""Text reuse between articles: duplicates and syndicated (agency) copy, down to the shared
passages.

    from marsad.link.reuse import find_reuse, ReuseIndex
    pairs = find_reuse(articles)          # all pairs in a batch
    index = ReuseIndex(); index.add(a)    # incremental: the new pairs of one article
    index.add_many(batch)                 # a batch (template statistics counted first)
    seg = index.take_segment(); index = ReuseIndex.from_segments([seg], index.df_snapshot())

Each pair: ``{"a", "b" (a < b), "kind": "duplicate"|"syndicated", "shared_chars",
"passages": [{"a_start", "a_end", "b_start", "b_end"}], "agency"}``; passage offsets index the
two articles' ``text``.

Pipeline: :mod:`.shingling` (words, shingles, sketch units) → :mod:`.candidates` (MinHash +
LSH bands) → :mod:`.align` (exact passages) → :mod:`.verdict` (kind, agency), held together
by :class:`ReuseIndex` (:mod:`.index`).
"""
from __future__ import annotations

from typing import Iterable

from marsad.doc import Article
from marsad.link.reuse.index import ReuseIndex, ReuseParams

__all__ = ["find_reuse", "ReuseIndex", "ReuseParams"]


def find_reuse(articles: Iterable[Article], params: ReuseParams | None = None) -> list[dict]:
    """All reuse pairs among ``articles``, sorted by (a, b)."""
    pairs = ReuseIndex(params).add_many(articles)
    return sorted(pairs, key=lambda d: (d["a"], d["b"]))
