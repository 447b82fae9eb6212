"""The corpus stage: cross-article links over stored articles.

Two kinds of work. Incremental, at ingest time (:class:`CorpusState`): each new article is
added to the reuse index (its duplicate/wire pairs are found against everything stored) and
assigned to a story, and the state is kept in the store so stories grow across runs.
Derived, at report time (:func:`link_corpus`): entities merged across the reported articles,
and per story its dates, timeline, claims, disagreements and summary.
"""
from __future__ import annotations

import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from marsad.doc import Article
from marsad.link.compare import compare_story
from marsad.link.names import link_entities
from marsad.link.reuse import ReuseIndex
from marsad.link.stories import StoryIndex
from marsad.link.timeline import apply_story_dates, timeline

STATE_KEY = "corpus/v1"


@dataclass
class CorpusLinks:
    entities: list[dict[str, Any]] = field(default_factory=list)
    reuse: list[dict[str, Any]] = field(default_factory=list)
    stories: list[dict[str, Any]] = field(default_factory=list)


def _arrival_order(articles: Iterable[Article]) -> list[Article]:
    """Publication order (undated last), input order within a day: how a stream would see them."""
    indexed = list(enumerate(articles))
    indexed.sort(key=lambda ia: (ia[1].published is None, ia[1].published or "", ia[0]))
    return [a for _, a in indexed]


class CorpusState:
    """Reuse index, reuse pairs and story index: what must persist between runs."""

    def __init__(self, reuse: ReuseIndex | None = None, stories: StoryIndex | None = None,
                 pairs: list[dict] | None = None):
        self.reuse = reuse or ReuseIndex()
        self.stories = stories or StoryIndex()
        self.pairs = pairs or []

    def add(self, articles: list[Article]) -> None:
        """Link newly stored articles to the corpus (reuse pairs, then story assignment)."""
        new = [a for a in articles if a.id not in self.reuse]
        if not new:
            return
        pairs = self.reuse.add_many(new)
        self.pairs.extend(pairs)
        by_article: dict[str, list[dict]] = defaultdict(list)
        for p in pairs:
            by_article[p["a"]].append(p)
            by_article[p["b"]].append(p)
        for a in _arrival_order(new):
            if a.id not in self.stories:
                self.stories.assign(a, by_article[a.id])

    def to_bytes(self) -> bytes:
        return pickle.dumps(
            {"reuse": self.reuse.to_bytes(), "stories": self.stories.to_bytes(), "pairs": self.pairs},
            protocol=pickle.HIGHEST_PROTOCOL,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "CorpusState":
        parts = pickle.loads(data)
        return cls(ReuseIndex.from_bytes(parts["reuse"]), StoryIndex.from_bytes(parts["stories"]), parts["pairs"])


def link_corpus(articles: list[Article], state: CorpusState | None = None) -> CorpusLinks:
    """Links among ``articles`` (modified in place: story-inferred dates, mention entity ids).
    Without a stored ``state`` the incremental stage runs over ``articles`` first."""
    if state is None:
        state = CorpusState()
        state.add(articles)
    ids = {a.id for a in articles}
    by_id = {a.id: a for a in articles}
    reuse = [p for p in state.pairs if p["a"] in ids and p["b"] in ids]

    stories = []
    story_of: dict[str, str] = {}
    for s in state.stories.stories():
        members = [by_id[i] for i in s["articles"] if i in ids]
        if not members:
            continue
        for a in members:
            story_of[a.id] = s["id"]
        member_ids = {a.id for a in members}
        story_reuse = [p for p in reuse if p["a"] in member_ids and p["b"] in member_ids]
        apply_story_dates(members)
        compared = compare_story(members, story_reuse)
        stories.append({
            "id": s["id"],
            "title": s["title"],
            "articles": [a.id for a in members],
            "summary": compared["summary"],
            "timeline": timeline(members),
            "claims": compared["claims"],
            "disagreements": compared["disagreements"],
        })
    entities = link_entities(articles, story_of=story_of)
    return CorpusLinks(entities=entities, reuse=reuse, stories=stories)
