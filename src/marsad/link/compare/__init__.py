"""Compare the articles of one story: shared claims with independent-source counts,
disagreements, and a cited extractive summary.

    from marsad.link.compare import compare_story, compare_stories, SentenceVectors
    result = compare_story(articles, reuse)   # reuse: marsad.link.reuse.find_reuse(articles)
    result["claims"], result["disagreements"], result["summary"]

    vectors = SentenceVectors()               # optional: a sentence-vector cache the caller keeps
    results = compare_stories([(articles, reuse), ...], vectors=vectors)   # embeds in batches
    ids, offsets, matrix = vectors.export(article_ids)   # plain arrays to persist; see .vectors

A one-article story is not compared: no claims, a lead summary, and no embedding (unless two
speakers it quotes take opposite sides of one outcome).

Modules: :mod:`.units` (sentences and clauses), :mod:`.lexical` (word keys and weights),
:mod:`.embed` (sentence embedders), :mod:`.frames` (asserted/denied outcomes), :mod:`.align`
(claims), :mod:`.independence` (wire copy and one outlet count once), :mod:`.disagree`
(numbers and polarity), :mod:`.summarize` (MMR summary), :mod:`.vectors` (the per-article
cache of sentence vectors).

Layers are optional: without ``numbers`` there are no numeric disagreements, without
``quotes`` positions carry no speakers; everything else works on the text alone.
Extra keys beyond the report contract: claims carry ``sentences`` (citation offsets) and
``source_groups``; positions carry ``sentences`` and, by kind, ``value``/``unit``/``quantities``
or ``polarity``/``speakers``; summary items carry ``sentence``.
"""
from __future__ import annotations

from marsad.doc import Article
from marsad.link.compare.align import Alignment, ArticleParts, article_parts, unaligned
from marsad.link.compare.align import align as align_story
from marsad.link.compare.disagree import disagreements, polarity_disagreements, quotes_two_speakers
from marsad.link.compare.embed import Embedder, HashingEmbedder, UseEmbedder, default_embedder
from marsad.link.compare.independence import index_reuse, source_groups
from marsad.link.compare.standalone import VERB, QUOTATION, borrow_subject, needs_subject, with_subject
from marsad.link.compare.summarize import lead_summary
from marsad.link.compare.summarize import summarize as summarize_story
from marsad.link.compare.units import article_units
from marsad.link.compare.vectors import SentenceVectors

__all__ = ["compare_story", "compare_stories", "claims_of", "SentenceVectors", "HashingEmbedder", "UseEmbedder",
           "default_embedder"]


def stated(al: Alignment, members: list[int], representative: int) -> tuple[int, str, str | None] | None:
    """(unit, text, borrowed subject) that states the claim on its own: the representative if it
    names its subject, else the member closest to it that does, else the representative (or a
    member) with its speaker borrowed from the quotes layer; None when no member can stand alone
    (a claim that does not say who is left out). See :mod:`.standalone`."""
    order = [representative] + [m for m in members if m != representative]
    kinds = {m: needs_subject(al.units[m].text) for m in order}
    for m in order:
        if kinds[m] is None:
            return m, al.units[m].text, None
    for m in order:
        if kinds[m] in (VERB, QUOTATION):
            u = al.units[m]
            subject = borrow_subject(al.unit_article(m), u.start, u.end)
            if subject:
                return m, with_subject(u.text, subject), subject
    return None


def claims_of(al: Alignment, reuse: list[dict]) -> tuple[list[dict], dict[int, int]]:
    """Claims in the contract's shape, and for each aligned unit its claim's source count.
    A claim's text stands on its own (:func:`stated`); ``subject``, when present, is the
    speaker written into it in brackets."""
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
        found = stated(al, c.members, c.representative)
        if found is None:
            continue
        _, text, subject = found
        out.append({
            "text": text,
            **({"subject": subject} if subject else {}),
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


MAX_BATCH_TEXTS = 4096  # texts embedded per batch when the caller keeps no cache (bounds memory)


def _members(articles: list[Article]) -> list[Article]:
    """The articles worth comparing: with text, each id once."""
    seen: set[str] = set()
    return [a for a in articles if a.text and a.text.strip() and not (a.id in seen or seen.add(a.id))]


def _compare(articles: list[Article], reuse: list[dict], vectors: SentenceVectors,
             parts: dict[str, ArticleParts]) -> dict:
    if not articles:
        return {"claims": [], "disagreements": [], "summary": []}
    if len(articles) == 1:
        # Nothing to align: no claims (a claim needs two articles), no numeric disagreements
        # (they are between articles), a lead summary; only two speakers the article quotes can
        # take opposite sides, and only then are its clauses read and (if they do) embedded.
        a = articles[0]
        if not quotes_two_speakers(a):
            units = parts[a.id].units if a.id in parts else article_units(a)
            return {"claims": [], "disagreements": [], "summary": lead_summary(units)}
        al = unaligned(a, vectors, parts.get(a.id))
        return {"claims": [], "disagreements": polarity_disagreements(al), "summary": lead_summary(al.units)}
    al = align_story(articles, vectors=vectors, parts=parts)
    claims, independent = claims_of(al, reuse or [])
    return {
        "claims": claims,
        "disagreements": disagreements(al),
        "summary": summarize_story(al, independent),
    }


def compare_stories(stories: list[tuple[list[Article], list[dict]]], embedder: Embedder | None = None,
                    vectors: SentenceVectors | None = None) -> list[dict]:
    """:func:`compare_story` of each ``(articles, reuse)`` story, in order. The sentences of all
    stories of two or more articles are embedded first, in large batches, each text once; a
    one-article story embeds nothing. ``vectors``: a cache the caller keeps (and may persist,
    see :mod:`.vectors`): what it holds is not embedded again, and what this call embeds stays
    in it. Without it the vectors live only for the call (``embedder``, else the default one)."""
    keep = vectors is not None
    if vectors is None:
        vectors = SentenceVectors(embedder)
    members = [_members(articles) for articles, _ in stories]
    results: list[dict] = []
    start = 0
    while start < len(stories):
        # one batch: stories in order until MAX_BATCH_TEXTS texts wait to be embedded
        parts: dict[str, ArticleParts] = {}
        items: list[tuple[str, tuple[int, int], str]] = []
        end = start
        while end < len(stories) and (end == start or len(items) < MAX_BATCH_TEXTS):
            if len(members[end]) > 1:
                for a in members[end]:
                    if a.id not in parts:
                        parts[a.id] = article_parts(a)
                        items += [(a.id, span, text) for span, text in parts[a.id].spans(a)]
            end += 1
        vectors.ensure(items)
        for k in range(start, end):
            results.append(_compare(members[k], stories[k][1], vectors, parts))
        if not keep:
            vectors.drop(vectors.article_ids())
        start = end
    return results


def compare_story(articles: list[Article], reuse: list[dict] | None = None,
                  embedder: Embedder | None = None, vectors: SentenceVectors | None = None) -> dict:
    """Claims, disagreements and summary of one story (see the report contract)."""
    return compare_stories([(articles, reuse or [])], embedder=embedder, vectors=vectors)[0]
