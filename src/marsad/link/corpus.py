"""The corpus stage: cross-article links, kept in the store and updated incrementally.

Two kinds of work (see docs/architecture.md):

* **Incremental**, per ingest batch, in the same transaction as the batch's articles
  (:func:`link_batch`): each new article is added to the reuse index (its duplicate/wire pairs
  against everything stored), assigned to a story, and its mentions are linked to entities.
  The stories it joins are marked dirty. The linkers' indexes are appended to the store as
  plain-array segments, so a killed run resumes where it stopped.
* **Derived**, once per run, only for what the run touched (:func:`refresh`): entity rows
  (name, variants, roles, counts), and per dirty story its dates, timeline, claims,
  disagreements and summary, computed in batches. Sentence vectors are kept per article
  (``article_vectors``): a story that grows embeds only its new members.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from typing import Iterable

from marsad.doc import Article
from marsad.engines.local import ordered_map
import numpy as np

from marsad.link.compare import SentenceVectors, compare_stories, default_embedder
from marsad.link.names.incremental import EntityLinker
from marsad.link.reuse import ReuseIndex
from marsad.link.stories import FORMAT as STORY_FORMAT
from marsad.link.stories import StoryIndex
from marsad.link.stories.merge import apply_merges
from marsad.link.timeline import apply_story_dates, timeline
from marsad.runtime import default_workers, limit_threads
from marsad.store.arrays import pack, unpack
from marsad.store.rollups import fill_story_outlets
from marsad.store.sqlite import SQLiteStore, now, pair_row
from marsad.store.vectors import load_vectors, save_vectors

#: Segments written between two snapshots of the reuse index's document frequencies (a
#: snapshot is a fixed 24 MB; the articles after it are recounted when the index loads).
DF_EVERY = 20
#: Segments of one index past which they are compacted into one.
COMPACT_AT = 64
#: Stories derived per transaction (and per task of a worker).
VIEW_BATCH = 100
#: Articles in multi-article dirty stories from which their views are computed over worker
#: processes: starting them (imports, the sentence encoder: ~4 s each) costs about what
#: comparing ~150 articles does.
POOL_MIN_ARTICLES = 400


def arrival_order(articles: Iterable[Article]) -> list[Article]:
    """Publication order (undated last), input order within a day: how a stream would see them."""
    indexed = list(enumerate(articles))
    indexed.sort(key=lambda ia: (ia[1].published is None, ia[1].published or "", ia[0]))
    return [a for _, a in indexed]


class CorpusIndex:
    """The linkers' in-memory indexes (reuse, stories), loaded from and appended to a store."""

    def __init__(self, reuse: ReuseIndex | None = None, stories: StoryIndex | None = None, version: str | None = None):
        self.reuse = reuse or ReuseIndex()
        self.stories = stories or StoryIndex()
        self.version = version  # the store's links_version this index reflects
        self._since_df = 0
        self.needs_compaction = False  # set on load when an index has too many segments

    @classmethod
    def load(cls, store: SQLiteStore) -> "CorpusIndex":
        """The stored indexes. Segments of another format (written by another Marsad) are
        dropped with a warning and the links are rebuilt from the stored articles."""
        version = store.meta("links_version")
        reuse_segs = list(store.segments("reuse"))
        story_segs = list(store.segments("stories"))
        df = next(iter(store.segments("reuse-df")), None)
        stale = [f for f, _ in reuse_segs if f != ReuseIndex.FORMAT] + [f for f, _ in story_segs if f != STORY_FORMAT]
        if stale:
            print(f"marsad: warning: {store.path}: stored link indexes have format {stale[0]}, not this version's; "
                  f"rebuilding them from the {store.count()} stored articles", file=sys.stderr)
            reset_links(store)
            return cls(version=store.meta("links_version"))
        try:
            reuse = ReuseIndex.from_segments((unpack(d) for _, d in reuse_segs),
                                             unpack(df[1]) if df and df[0] == ReuseIndex.FORMAT else None)
            stories = StoryIndex.from_segments(unpack(d) for _, d in story_segs)
        except (ValueError, KeyError, OSError, TypeError) as exc:
            print(f"marsad: warning: {store.path}: stored link indexes are unreadable ({type(exc).__name__}: {exc}); "
                  f"rebuilding them from the {store.count()} stored articles", file=sys.stderr)
            reset_links(store)
            return cls(version=store.meta("links_version"))
        index = cls(reuse, stories, version)
        index.needs_compaction = max(len(reuse_segs), len(story_segs)) >= COMPACT_AT
        return index

    def save(self, store: SQLiteStore, final: bool = False) -> None:
        """Append what was indexed since the last save (inside the caller's transaction)."""
        store.add_segment("reuse", ReuseIndex.FORMAT, pack(self.reuse.take_segment()))
        store.add_segment("stories", STORY_FORMAT, pack(self.stories.take_segment()))
        self._since_df += 1
        if final or self._since_df >= DF_EVERY:
            store.replace_segments("reuse-df", ReuseIndex.FORMAT, pack(self.reuse.df_snapshot()))
            self._since_df = 0
        version = str(int(self.version or 0) + 1)
        store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('links_version', ?)", (version,))
        self.version = version

    def compact(self, store: SQLiteStore) -> None:
        """Rewrite each index as one segment (bounded segment counts; done between runs)."""
        if not self.needs_compaction:
            return
        fresh = CorpusIndex.load(store)  # re-read, so the compacted segment holds everything
        fresh.reuse._saved = fresh.stories._saved = 0
        with store.transaction():
            store.replace_segments("reuse", ReuseIndex.FORMAT, pack(fresh.reuse.take_segment()))
            store.replace_segments("stories", STORY_FORMAT, pack(fresh.stories.take_segment()))
            store.replace_segments("reuse-df", ReuseIndex.FORMAT, pack(fresh.reuse.df_snapshot()))
        self.needs_compaction = False


def reset_links(store: SQLiteStore) -> None:
    """Forget every corpus link (they are derived from the articles, which stay untouched)."""
    with store.transaction() as db:
        for table in ("index_segments", "reuse_pairs", "stories", "story_members", "story_views", "story_merges",
                      "story_outlets", "entities", "entity_keys", "entity_merges", "entity_stories"):
            db.execute(f"DELETE FROM {table}")
        db.execute("UPDATE mentions SET entity=NULL")
        db.execute("UPDATE quotes SET speaker=NULL")
        db.execute("UPDATE articles SET linked=0")
        db.execute("DELETE FROM meta WHERE key='links_version'")


def link_batch(store: SQLiteStore, index: CorpusIndex, articles: list[Article]) -> None:
    """Link newly stored articles (reuse pairs, stories, entities) and save the indexes, in the
    caller's transaction. Articles already linked are skipped."""
    new = [a for a in articles if a.id not in index.reuse]
    if not new:
        return
    db = store.db
    pairs = index.reuse.add_many(new)
    write_pairs(db, pairs)
    by_article: dict[str, list[dict]] = defaultdict(list)
    for p in pairs:
        by_article[p["a"]].append(p)
        by_article[p["b"]].append(p)
    touched: dict[str, None] = {}  # in order of first assignment: new stories get rowids in creation order
    todo = [a for a in arrival_order(new) if a.id not in index.stories]
    ready = [index.stories.prepared(a) for a in todo]  # features and vectors the workers computed
    # the others in one batch: far cheaper than one call per article
    fresh = iter(index.stories.embed([a for a, r in zip(todo, ready) if r is None]))
    for a, r in zip(todo, ready):
        features, vec = r if r is not None else (None, next(fresh))
        story = index.stories.assign(a, by_article[a.id], embedding=vec, features=features)
        pos = db.execute("SELECT COUNT(*) FROM story_members WHERE story=?", (story,)).fetchone()[0]
        db.execute("INSERT OR REPLACE INTO story_members (article, story, pos) VALUES (?,?,?)", (a.id, story, pos))
        touched.setdefault(story)
        touched = apply_merges(db, index.stories.take_merges(), touched, now())  # stories the article bridged
    update_stories(store, index.stories, touched)
    link_entities(db, new)
    index.save(store)


# ---- the stages of a linked batch, shared by the engines ----------------------------------
# The local engine links a batch here (link_batch); the Spark engine computes pairs and stories
# on the cluster and writes each batch with these same functions (marsad.engines.spark_links).

def write_pairs(db, pairs: Iterable[dict]) -> None:
    """Store reuse pairs (in discovery order: their rowid is the order ``story_reuse`` gives)."""
    db.executemany(
        "INSERT OR IGNORE INTO reuse_pairs (a, b, kind, shared_chars, agency, passages) VALUES (?,?,?,?,?,?)",
        [(p["a"], p["b"], p["kind"], p["shared_chars"], p.get("agency"), json.dumps(p["passages"])) for p in pairs])


def link_entities(db, articles: list[Article]) -> None:
    """Link the batch's mentions to entities (against the stored entity tables) and mark the
    batch linked: the last step of a batch, after its pairs and stories."""
    EntityLinker(db).link(articles)
    db.executemany("UPDATE articles SET linked=1 WHERE id=?", [(a.id,) for a in articles])


def update_stories(store: SQLiteStore, stories: StoryIndex, touched: Iterable[str]) -> None:
    """The ``stories`` rows (title, size, outlets, dates) of the stories ``touched`` (ids, in
    order of first assignment: a new story's rowid is its creation order), marked dirty."""
    stamp = now()
    for story_id in touched:
        s = stories.story_rows(story_id)
        size, outlets, first, last = store.db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT a.outlet), MIN(a.published), MAX(a.published) "
            "FROM story_members m JOIN articles a ON a.id=m.article WHERE m.story=?", (story_id,)).fetchone()
        store.db.execute(
            "INSERT INTO stories (id, title, size, outlets, first_published, last_published, updated_at, dirty) "
            "VALUES (?,?,?,?,?,?,?,1) ON CONFLICT(id) DO UPDATE SET title=excluded.title, size=excluded.size, "
            "outlets=excluded.outlets, first_published=excluded.first_published, "
            "last_published=excluded.last_published, updated_at=excluded.updated_at, dirty=1",
            (story_id, s["title"] if s else None, size, outlets, first, last, stamp))
    fill_story_outlets(store.db, list(touched))


def link_unlinked(store: SQLiteStore, index: CorpusIndex | None = None, batch: int = 500) -> CorpusIndex:
    """Link every stored article whose links are missing (a run stopped early, or a rebuild)."""
    index = index or CorpusIndex.load(store)
    missing = store.unlinked_ids()
    for i in range(0, len(missing), batch):
        with store.transaction():
            index = fresh_index(store, index)
            link_batch(store, index, list(store.articles(missing[i:i + batch])))
    return index


def fresh_index(store: SQLiteStore, index: CorpusIndex) -> CorpusIndex:
    """``index``, or the store's current one when another process linked articles since
    (call inside the write transaction: the lock makes the check and the write one step)."""
    if store.meta("links_version") != index.version:
        return CorpusIndex.load(store)
    return index


# ---- derived views ------------------------------------------------------------------------

def refresh(store: SQLiteStore, workers: int | None = None, threads: int = 1) -> dict[str, int]:
    """Recompute what the last links touched: entity rows, then the dirty stories' views.

    The views are computed VIEW_BATCH stories at a time, over ``workers`` processes (default:
    one per CPU when the stories to compare are many enough to repay starting them; 1: this
    process). Each batch is computed the same way wherever it runs, and written in order in its
    own transaction, with the sentence vectors it computed (the ones it read from the store
    are not embedded again)."""
    with store.transaction() as db:
        entities = EntityLinker(db).refresh()
    dirty = store.db.execute("SELECT id, size FROM stories WHERE dirty=1 ORDER BY rowid").fetchall()
    batches = [[i for i, _ in dirty[k:k + VIEW_BATCH]] for k in range(0, len(dirty), VIEW_BATCH)]
    compared = sum(size for _, size in dirty if size > 1)  # one-article stories embed nothing
    if workers is None:
        workers = default_workers() if compared >= POOL_MIN_ARTICLES and len(batches) > 1 else 1
    embedder = getattr(default_embedder(), "name", None)  # the model the workers embed with
    # ((stories, stored vectors), (ids, befores, stories)) per batch, read lazily
    tasks = (((stories, known), (ids, befores, stories)) for ids in batches
             for befores, stories, known in [_prepare(store, ids, embedder)])
    done = (ordered_map(_derive, tasks, workers, initializer=limit_threads, initargs=(threads,)) if workers > 1
            else ((_derive(arg), tag) for arg, tag in tasks))
    for (views, fresh), (ids, befores, stories) in done:
        write_views(store, ids, befores, stories, views, fresh if embedder else None, embedder)
    return {"entities": entities, "stories": len(dirty)}


def _prepare(store: SQLiteStore, story_ids: list[str], embedder: str | None = None):
    """The stories' member articles, dated from each other, with their reuse pairs; each
    article's (published, published_source) before that, to store only what changed; and the
    stored sentence vectors (``embedder``'s) of the members of the stories that are compared."""
    db = store.db
    members: dict[str, list[str]] = defaultdict(list)
    marks = ",".join("?" * len(story_ids))
    for story, article in db.execute(
            f"SELECT story, article FROM story_members WHERE story IN ({marks}) ORDER BY story, pos", story_ids):
        members[story].append(article)
    articles = {a.id: a for a in store.articles([x for s in story_ids for x in members[s]])}
    befores, stories = [], []
    for story_id in story_ids:
        group = [articles[x] for x in members[story_id] if x in articles]
        befores.append(date_from_story(group))
        stories.append((group, story_reuse(db, [a.id for a in group])))
    compared = [a.id for group, _ in stories if len(group) > 1 for a in group]
    known = load_vectors(db, compared, embedder) if embedder and compared else None
    return befores, stories, known


def date_from_story(group: list[Article]) -> dict:
    """Date the story's undated members from the others (in place); returns each member's
    (published, published_source) before, to store only what changed."""
    before = {a.id: (a.published, a.published_source) for a in group}
    for a in group:  # a date inferred from the story is inferred again from its members now
        if a.published_source == "story":
            a.published, a.published_source = None, None
    apply_story_dates(group)
    for a in group:
        if (a.published, a.published_source) == (None, None) and before[a.id][1] == "story":
            a.published, a.published_source = before[a.id]  # nothing to infer from now: keep it
    return before


def _derive(task: tuple[list[tuple[list[Article], list[dict]]], tuple | None]) -> tuple[list, tuple]:
    """(timeline, comparison) of each story of ``task = (stories, stored vectors)``, and the
    vectors embedded here (as :meth:`SentenceVectors.export` gives them): pure, so it runs in a
    worker as well as here. Each text missing from the stored vectors is embedded once, in
    large batches; one-article stories embed nothing. Fresh vectors are rounded to float16 as
    the store keeps them: a story sees the same numbers whether derived in one run or grown
    over several."""
    stories, known = task
    vectors = (SentenceVectors.load(*known, precision=np.float16) if known is not None and len(known[0])
               else SentenceVectors(precision=np.float16))
    compared = compare_stories(stories, vectors=vectors)
    views = [(timeline(group), result) for (group, _), result in zip(stories, compared)]
    return views, vectors.export(list(vectors.grown))


def derive_views(stories: list[tuple[list[Article], list[dict]]]) -> list[tuple[list, dict]]:
    """(timeline, comparison) of each story — its members (dated by :func:`date_from_story`)
    and its reuse pairs — with no stored vectors (see :func:`_derive`): pure, so it runs on a
    cluster's workers as well as here."""
    return _derive((stories, None))[0]


def write_views(store: SQLiteStore, story_ids: list[str], befores: list[dict],
                stories: list[tuple[list[Article], list[dict]]], views: list[tuple[list, dict]],
                vectors: tuple | None = None, embedder: str | None = None) -> None:
    """Store what :func:`derive_views` (or ``_derive``) gave for ``story_ids`` (one
    transaction): the views, the members' dates where they differ from ``befores``
    (:func:`date_from_story`) and the fresh sentence ``vectors`` of ``embedder``; the stories
    are clean after it."""
    db, stamp = store.db, now()
    with store.transaction():
        if vectors is not None and embedder and len(vectors[0]):
            save_vectors(db, embedder, *vectors)
        for story_id, before, (group, _), (line, result) in zip(story_ids, befores, stories, views):
            for a in group:
                if (a.published, a.published_source) != before[a.id]:
                    store.update_dates(a)
            db.execute(
                "INSERT OR REPLACE INTO story_views (story, timeline, summary, claims, disagreements, computed_at) "
                "VALUES (?,?,?,?,?,?)",
                (story_id, *(json.dumps(v, ensure_ascii=False) for v in (
                    line, result["summary"], result["claims"], result["disagreements"])), stamp))
            db.execute("UPDATE stories SET dirty=0 WHERE id=?", (story_id,))


def story_reuse(db, article_ids: list[str]) -> list[dict]:
    """Reuse pairs among ``article_ids``, in discovery order."""
    if len(article_ids) < 2:
        return []
    marks = ",".join("?" * len(article_ids))
    return [pair_row(r) for r in db.execute(
        f"SELECT a, b, kind, shared_chars, passages, agency FROM reuse_pairs WHERE a IN ({marks}) AND b IN ({marks}) "
        "ORDER BY seq", article_ids + article_ids)]


__all__ = ["CorpusIndex", "link_batch", "link_unlinked", "refresh", "reset_links", "arrival_order",
           "write_pairs", "update_stories", "link_entities", "date_from_story", "derive_views", "write_views",
           "VIEW_BATCH"]
