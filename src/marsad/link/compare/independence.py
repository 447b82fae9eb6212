"""How many independent sources report a claim: agency copy and one outlet count once.

Articles reporting a claim are joined (union-find) when

* they come from the same outlet;
* the reuse detector calls them duplicates;
* the claim's sentences in both lie inside one passage they share (``reuse`` passages:
  ``a_start:a_end`` in article ``a`` and ``b_start:b_end`` in ``b``), i.e. both carry the
  same agency paragraph;
* or the two sentences are near-verbatim copies (character similarity >= VERBATIM): copy the
  reuse detector missed, or was not run, is still copy.

The number of groups left is the claim's ``independent_sources``.
"""
from __future__ import annotations

from typing import Iterable

from rapidfuzz import fuzz

from marsad.text.normalize import normalize

INSIDE = 0.6  # share of a sentence that must fall inside a passage
VERBATIM = 90.0  # rapidfuzz ratio (0–100) of two normalised sentences that are one copy


class UnionFind:
    def __init__(self, items: Iterable[str]):
        self.parent = {x: x for x in items}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: str, y: str) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return list(out.values())


def _inside(span: tuple[int, int], start: int, end: int) -> bool:
    s, e = span
    if e <= s:
        return False
    return max(0, min(e, end) - max(s, start)) / (e - s) >= INSIDE


def index_reuse(reuse: list[dict]) -> dict[tuple[str, str], dict]:
    """Reuse pairs keyed both ways: (x, y) -> pair with passages oriented x→y."""
    out: dict[tuple[str, str], dict] = {}
    for p in reuse or []:
        a, b = p["a"], p["b"]
        out[(a, b)] = p
        flipped = dict(p, a=b, b=a, passages=[
            {"a_start": q["b_start"], "a_end": q["b_end"], "b_start": q["a_start"], "b_end": q["a_end"]}
            for q in p.get("passages", [])])
        out[(b, a)] = flipped
    return out


def copied(pair: dict | None, spans_a: list[tuple[int, int]], spans_b: list[tuple[int, int]]) -> bool:
    """Do the claim's sentences in both articles lie in one shared passage of ``pair``?"""
    if pair is None:
        return False
    if pair.get("kind") == "duplicate":
        return True
    for q in pair.get("passages", []):
        if any(_inside(sa, q["a_start"], q["a_end"]) for sa in spans_a) and \
                any(_inside(sb, q["b_start"], q["b_end"]) for sb in spans_b):
            return True
    return False


def verbatim(texts_a: list[str], texts_b: list[str]) -> bool:
    return any(fuzz.ratio(normalize(x), normalize(y)) >= VERBATIM for x in texts_a for y in texts_b)


def source_groups(spans: dict[str, list[tuple[int, int]]], texts: dict[str, list[str]],
                  outlets: dict[str, str | None], reuse_index: dict[tuple[str, str], dict]) -> list[list[str]]:
    """Groups of articles that count as one source for a claim.

    ``spans``/``texts``: the claim's sentence offsets and texts per article id; ``outlets``:
    article id -> outlet (None when unknown: the article is its own outlet).
    """
    ids = list(spans)
    uf = UnionFind(ids)
    seen_outlet: dict[str, str] = {}
    for x in ids:
        o = (outlets.get(x) or "").strip()
        if o:
            key = normalize(o)
            if key in seen_outlet:
                uf.union(seen_outlet[key], x)
            else:
                seen_outlet[key] = x
    for i, x in enumerate(ids):
        for y in ids[i + 1:]:
            pair = reuse_index.get((x, y))
            if copied(pair, spans[x], spans[y]) or verbatim(texts[x], texts[y]):
                uf.union(x, y)
    order = {x: i for i, x in enumerate(ids)}
    return sorted((sorted(g, key=order.get) for g in uf.groups()), key=lambda g: order[g[0]])
