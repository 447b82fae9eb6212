"""Compare the articles of one story: shared claims with independent-source counts,
disagreements, and a cited extractive summary.

    from marsad.link.compare import compare_story
    result = compare_story(articles, reuse)   # reuse: marsad.link.reuse.find_reuse(articles)
    result["claims"], result["disagreements"], result["summary"]

Modules: :mod:`.units` (sentences and clauses), :mod:`.lexical` (word keys and weights),
:mod:`.embed` (sentence embedders), :mod:`.frames` (asserted/denied outcomes), :mod:`.align`
(claims), :mod:`.independence` (wire copy and one outlet count once), :mod:`.disagree`
(numbers and polarity), :mod:`.summarize` (MMR summary).

Layers are optional: without ``numbers`` there are no numeric disagreements, without
``quotes`` positions carry no speakers; everything else works on the text alone.
Extra keys beyond the report contract: claims carry ``sentences`` (citation offsets) and
``source_groups``; positions carry ``sentences`` and, by kind, ``value``/``unit``/``quantities``
or ``polarity``/``speakers``; summary items carry ``sentence``.
"""
from __future__ import annotations

from marsad.doc import Article
from marsad.link.compare.align import Alignment
from marsad.link.compare.align import align as align_story
from marsad.link.compare.disagree import disagreements
from marsad.link.compare.embed import Embedder, HashingEmbedder, UseEmbedder, default_embedder
from marsad.link.compare.independence import index_reuse, source_groups
from marsad.link.compare.summarize import summarize as summarize_story

__all__ = ["compare_story", "claims_of", "HashingEmbedder", "UseEmbedder", "default_embedder"]


def claims_of(al: Alignment, reuse: list[dict]) -> tuple[list[dict], dict[int, int]]:
    """Claims in the contract's shape, and for each aligned unit its claim's source count."""
    outlets = {a.id: a.outlet for a in al.articles}
    order = {a.id: n for n, a in enumerate(al.articles)}
    reuse_index = index_reuse(reuse)
    out, independent = [], {}
    for c in al.claims:
        spans: dict[str, list[tuple[int, int]]] = {}
        texts: dict[str, list[str]] = {}
        for m in c.members:
            u = al.units[m]
            spans.setdefault(u.article, []).append((u.start, u.end))
            texts.setdefault(u.article, []).append(u.text)
        groups = source_groups(spans, texts, outlets, reuse_index)
        for m in c.members:
            independent[m] = len(groups)
        rep = al.units[c.representative]
        out.append({
            "text": rep.text,
            "articles": sorted(spans, key=order.get),
            "independent_sources": len(groups),
            "source_groups": groups,
            "sentences": [{"article": al.units[m].article, "start": al.units[m].start, "end": al.units[m].end}
                          for m in c.members],
            "_first": min((order[al.units[m].article], al.units[m].index) for m in c.members),
        })
    out.sort(key=lambda d: (-d["independent_sources"], -len(d["articles"]), d["_first"]))
    for d in out:
        del d["_first"]
    return out, independent


def compare_story(articles: list[Article], reuse: list[dict] | None = None,
                  embedder: Embedder | None = None) -> dict:
    """Claims, disagreements and summary of one story (see the report contract)."""
    seen: set[str] = set()
    articles = [a for a in articles if a.text and a.text.strip() and not (a.id in seen or seen.add(a.id))]
    if not articles:
        return {"claims": [], "disagreements": [], "summary": []}
    embedder = embedder or default_embedder()
    al = align_story(articles, embedder)
    claims, independent = claims_of(al, reuse or [])
    return {
        "claims": claims,
        "disagreements": disagreements(al),
        "summary": summarize_story(al, independent, embedder),
    }
