"""Passage alignment: the stretches of two token streams that are the same copy.

1. Seeds: word k-grams occurring in both texts (k-grams frequent inside one text are skipped).
2. Runs: seeds on one diagonal (same offset between the texts) at consecutive positions form a
   maximal exact run of shared words.
3. Chaining: runs that follow each other in both texts with small gaps (a changed word, a
   spelling variant the normaliser does not unify, an inserted or dropped phrase) become one
   passage. Chaining never crosses a gap longer than ``max_gap`` words on either side, so a
   removed paragraph splits the passage in two.
4. Edges: a passage grows over shared words just outside it that are too short to seed
   ("وتجري هذه المباحثات" vs "وتجري هذه المحادثات": the two leading words are kept).
5. Overlaps: where two passages claim the same words in one text (repeated sentences), the
   one with more shared words wins.

Positions are token indices; :mod:`marsad.link.reuse.index` maps them to character offsets.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marsad.link.reuse.shingling import kgram_hashes


@dataclass
class Passage:
    a0: int
    a1: int  # exclusive
    b0: int
    b1: int
    matched: int  # words shared exactly (the rest of the span are small edits)
    rare: int = 0  # shared words outside stock formulas (set by the index)


def exact_runs(ha: np.ndarray, hb: np.ndarray, k: int, max_occ: int) -> list[tuple[int, int, int]]:
    """Maximal exact runs ``(i, j, length)`` of at least ``k`` equal tokens."""
    ka, kb = kgram_hashes(ha, k), kgram_hashes(hb, k)
    if ka.size == 0 or kb.size == 0:
        return []
    ua, ca = np.unique(ka, return_counts=True)
    ub, cb = np.unique(kb, return_counts=True)
    common = np.intersect1d(ua[ca <= max_occ], ub[cb <= max_occ], assume_unique=True)
    if common.size == 0:
        return []
    ia = np.nonzero(np.isin(ka, common))[0]
    jb = np.nonzero(np.isin(kb, common))[0]
    where_b: dict[int, list[int]] = {}
    for j, h in zip(jb.tolist(), kb[jb].tolist()):
        where_b.setdefault(h, []).append(j)
    pi, pj = [], []
    for i, h in zip(ia.tolist(), ka[ia].tolist()):
        for j in where_b[h]:
            pi.append(i)
            pj.append(j)
    pi, pj = np.array(pi), np.array(pj)
    diag = pj - pi
    order = np.lexsort((pi, diag))
    pi, diag = pi[order], diag[order]
    runs = []
    start = prev = int(pi[0])
    d = int(diag[0])
    for i, dd in zip(pi[1:].tolist(), diag[1:].tolist()):
        # a seed missing only because it was too frequent leaves a gap < k: still one run
        if dd == d and i - prev <= k:
            prev = i
            continue
        runs.append((start, start + d, prev - start + k))
        start = prev = i
        d = dd
    runs.append((start, start + d, prev - start + k))
    return [_maximal(i, j, n, ha, hb) for i, j, n in runs]


def _maximal(i: int, j: int, n: int, ha: np.ndarray, hb: np.ndarray) -> tuple[int, int, int]:
    """Extend a run over equal words that were too few to make a seed of their own."""
    while i > 0 and j > 0 and ha[i - 1] == hb[j - 1]:
        i, j, n = i - 1, j - 1, n + 1
    while i + n < len(ha) and j + n < len(hb) and ha[i + n] == hb[j + n]:
        n += 1
    return i, j, n


def _chain(runs: list[tuple[int, int, int]], max_gap: int) -> list[Passage]:
    passages: list[Passage] = []
    for i, j, n in sorted(runs):
        best, best_cost, best_skip = None, None, 0
        for p in passages:
            # words of this run already inside the passage (repeated words) are skipped
            skip = max(0, p.a1 - i, p.b1 - j)
            if skip >= n or i + skip < p.a0 or j + skip < p.b0:
                continue
            gi, gj = i + skip - p.a1, j + skip - p.b1
            if gi <= max_gap and gj <= max_gap:
                cost = gi + gj
                if best_cost is None or cost < best_cost:
                    best, best_cost, best_skip = p, cost, skip
        if best is None:
            passages.append(Passage(i, i + n, j, j + n, n))
        else:
            best.a1, best.b1 = i + n, j + n
            best.matched += n - best_skip
    return passages


def _grow(p: Passage, ha: np.ndarray, hb: np.ndarray, reach: int) -> None:
    """Extend a passage over two or more equal words that start within ``reach`` words of
    its edge in both texts, or over one equal word after exactly one changed word ("المستشار
    الدبلوماسي" / "المستشار الديبلوماسي"); single words further off are too often chance
    ("من", "في")."""
    na, nb = len(ha), len(hb)
    while True:  # backwards
        hit = None
        for x in range(2, reach + 2):
            for y in range(2, reach + 2):
                i, j = p.a0 - x, p.b0 - y
                if i >= 0 and j >= 0 and ha[i] == hb[j] and (ha[i + 1] == hb[j + 1] or x == y == 2):
                    if hit is None or x + y < hit[0]:
                        hit = (x + y, i, j)
        if hit is None:
            break
        i, j, n = _maximal(hit[1], hit[2], 1, ha, hb)
        p.matched += min(n, p.a0 - i, p.b0 - j)
        p.a0, p.b0 = i, j
    while True:  # forwards
        hit = None
        for x in range(0, reach):
            for y in range(0, reach):
                i, j = p.a1 + x, p.b1 + y
                if i < na and j < nb and ha[i] == hb[j] and (
                        (i + 1 < na and j + 1 < nb and ha[i + 1] == hb[j + 1]) or x == y == 1):
                    if hit is None or x + y < hit[0]:
                        hit = (x + y, i, j)
        if hit is None:
            break
        i, j, n = _maximal(hit[1], hit[2], 1, ha, hb)
        p.matched += min(n, i + n - p.a1, j + n - p.b1)
        p.a1, p.b1 = i + n, j + n


def _disjoint(passages: list[Passage]) -> list[Passage]:
    kept: list[Passage] = []
    for p in sorted(passages, key=lambda q: (-q.matched, q.a0, q.b0)):
        if all(p.a1 <= q.a0 or q.a1 <= p.a0 for q in kept) and all(p.b1 <= q.b0 or q.b1 <= p.b0 for q in kept):
            kept.append(p)
    return sorted(kept, key=lambda q: (q.a0, q.b0))


def align(ha: np.ndarray, hb: np.ndarray, *, seed: int = 3, max_occ: int = 6, max_gap: int = 6,
          min_words: int = 12) -> list[Passage]:
    """Shared passages of two token-hash sequences, in order of ``a``; each has at least
    ``min_words`` exactly shared words."""
    runs = exact_runs(ha, hb, seed, max_occ)
    if not runs:
        return []
    passages = _chain(runs, max_gap)
    for p in passages:
        if p.matched >= min_words // 2:
            _grow(p, ha, hb, max(2, max_gap // 2))
    return [p for p in _disjoint(_merge_touching(passages, max_gap)) if p.matched >= min_words]


def _merge_touching(passages: list[Passage], max_gap: int) -> list[Passage]:
    """Growing may make passages meet or overlap in both texts: join them."""
    out: list[Passage] = []
    for p in sorted(passages, key=lambda q: (q.a0, q.b0)):
        for q in out:
            if (q.a0 <= p.a0 <= q.a1 + max_gap and q.b0 <= p.b0 <= q.b1 + max_gap
                    and p.a1 >= q.a1 and p.b1 >= q.b1):
                overlap = max(0, min(q.a1 - p.a0, q.b1 - p.b0))
                q.a1, q.b1 = p.a1, p.b1
                q.matched += max(0, p.matched - overlap)
                break
        else:
            out.append(p)
    return out
