"""The whole pipeline on Spark: a bulk build of a store, every heavy stage on the executors.

The stages are the local engine's, imported, never re-implemented; Spark only decides where
they run and how the data meets:

=================  ==========================================================================
articles           input files are listed on the driver and read on the executors (one task a
                   file), then spread over all partitions: :func:`marsad.pipeline.process`
reuse              per article its entry and LSH band keys (:meth:`ReuseIndex.band_keys`); the
                   document frequencies are count-min sketches summed over the partitions;
                   candidates are a group-by on band keys (each bucket keeps its first
                   ``bucket_cap`` articles, as the band tables do); the passage alignment of
                   each article with its candidates (:meth:`ReuseIndex.pairs_with`) is a map
stories            blocks of consecutive days with a halo (:mod:`marsad.link.stories.blocks`),
                   each run through a StoryIndex as one task; merged across block edges on the
                   driver (one row per article)
story views        a map over stories, batches of stories per task
                   (``marsad.link.corpus.date_from_story``, ``derive_views``)
entities           on the driver, batch by batch as the local engine does (the entity linker
                   decides against the store's entity tables)
store              the driver writes the SQLite store in batches with the local engine's
                   writers (``write_pairs``, ``update_stories``, ``link_entities``,
                   ``write_views``): articles, pairs, stories, entities, views and the corpus
                   indexes (so a later ``marsad ingest`` goes on incrementally, on either engine)
=================  ==========================================================================

The input order is kept as the local engine keeps it: an article's number is its rank in the
input, reuse candidates are aligned with the earlier article as the "old" side, and stories
are assigned in arrival order. On an input of at most one ingest batch (500 articles) within
one block, the result is the local engine's exactly; on more, document frequencies are
counted over the whole input at once (the local engine counts batch by batch), and stories
are assigned by block, so a few links differ (measured in docs/benchmarks.md).
"""
from __future__ import annotations

import time
from collections import defaultdict
from itertools import islice
from typing import Callable, Iterator

import numpy as np

from marsad.doc import Article
from marsad.ingest.read import IngestError, RawDoc, discover, read_path
from marsad.link.corpus import (VIEW_BATCH, CorpusIndex, arrival_order, date_from_story, derive_views,
                                link_entities, update_stories, write_pairs, write_views)
from marsad.link.reuse import ReuseIndex
from marsad.link.reuse.frequency import CountMinSketch
from marsad.link.stories import StoryIndex
from marsad.link.stories.blocks import (BLOCK_DAYS, HALO_DAYS, arrival_ranks, assign_block, block_keys, day_number,
                                        merge_blocks)
from marsad.engines import bands
from marsad.engines.spark import worker_components
from marsad.pipeline import ARTICLE_COMPONENTS, process
from marsad.runtime import Stopwatch


# ---- articles ---------------------------------------------------------------------------

#: Tasks per executor core for the per-article map (Spark's tuning guide advises 2-3): a task
#: that fails is redone alone, and a long run shows its progress in tasks done. The models load
#: once per Python worker, not per task, so more tasks cost little.
TASKS_PER_CORE = 4


def _read_file(indexed: tuple[int, str]) -> Iterator[tuple[tuple[int, int], RawDoc | IngestError]]:
    number, path = indexed
    for k, item in enumerate(read_path(path)):
        yield (number, k), item


def _problems_and_ids(row):
    seq, item = row
    if isinstance(item, IngestError):
        return [(seq, item)]
    return [(seq, w) for w in item.warnings] + [(seq, (item.id, item.published))]


def _process_partition(component_names: tuple[str, ...]):
    def run(rows):
        components = None
        for seq, raw in rows:
            if isinstance(raw, IngestError):
                yield seq, raw
                continue
            if components is None:  # built once per Python worker (cached), only when there is work
                components = worker_components(component_names)
            yield seq, process(raw, components)

    return run


def processed(sc, paths: list[str], components: tuple[str, ...] = ARTICLE_COMPONENTS):
    """``(input position, Article | IngestError)`` of every input document, as an RDD; the
    problems found while listing ``paths`` (a missing file) come back on the driver."""
    listed = list(discover(list(paths)))
    problems = [((i, 0), x) for i, x in enumerate(listed) if isinstance(x, IngestError)]
    files = [(i, x) for i, x in enumerate(listed) if not isinstance(x, IngestError)]
    slices = max(2, sc.defaultParallelism) * TASKS_PER_CORE
    raws = sc.parallelize(files, max(1, len(files))).flatMap(_read_file)
    return raws.repartition(slices).mapPartitions(_process_partition(components)), problems


# ---- reuse ------------------------------------------------------------------------------

def _reuse_prepare(rows):
    index = ReuseIndex()
    for number, article in rows:
        entry = index.entry(article)
        doc, unit = index.band_keys(article.text, _tokens(entry))
        yield number, (entry, doc, unit, _Text(article.id, article.text))


class _Text:
    """What the pair verdict reads of the new article: its id and text (for agency credits)."""

    def __init__(self, article_id: str, text: str):
        self.id, self.text = article_id, text


def _tokens(entry):
    from marsad.link.reuse.shingling import TokenStream

    return TokenStream(entry.hashes, *entry.offsets())


def _df_partial(rows):
    index = ReuseIndex()
    sketch = CountMinSketch(index.params.df_width_bits)
    for _, (entry, _, _, _) in rows:
        sketch.add(index.doc_grams(entry))
    yield sketch


def _band_shares(shares: int):
    def run(rows):
        yield from bands.split(bands.band_rows((n, doc, unit) for n, (_, doc, unit, _) in rows), shares)

    return run


def _bucket_share(cap: int):
    def run(parts):
        got = [rows for _, rows in parts]
        if got:
            kept = bands.buckets(tuple(np.concatenate(c) for c in zip(*got)), cap)
            yield kept, bands.pairs(kept)

    return run


def _olds_partition(codes_b):
    """Per candidate pair (earlier i, later j), i's entry sent to j: only the articles that
    have candidates travel (most have none), not every article through a join."""
    def run(rows):
        codes = codes_b.value
        earlier, later = codes >> np.uint64(32), codes & np.uint64(0xFFFFFFFF)
        for number, p in rows:
            lo, hi = np.searchsorted(earlier, number, "left"), np.searchsorted(earlier, number, "right")
            for j in later[lo:hi].tolist():
                yield j, (number, p[0])

    return run


def _news_partition(laters_b):
    def run(rows):
        laters = laters_b.value
        for number, p in rows:
            k = np.searchsorted(laters, number)
            if k < len(laters) and laters[k] == number:
                yield number, (p[0], p[3])

    return run


def _pairs_partition(df):
    def run(rows):
        index = ReuseIndex.judging_by(df.value)
        for number, (new, olds) in rows:
            olds = sorted(olds, key=lambda t: t[0])
            if not olds or not new:
                continue
            (entry, text), = new
            yield number, index.pairs_with(text, entry, [e for _, e in olds])

    return run


def reuse_pairs(arts, sc, params=None, clock: Stopwatch | None = None):
    """Reuse pairs of the numbered articles ``arts`` (RDD of ``(number, Article)``), in
    discovery order, and the reuse index that holds them all. ``clock`` times its three jobs."""
    clock = clock or Stopwatch()
    cap = (params or ReuseIndex().params).bucket_cap
    parts = arts.getNumPartitions()
    prep = arts.mapPartitions(_reuse_prepare).persist()
    df = prep.mapPartitions(_df_partial).treeReduce(CountMinSketch.merge)
    clock.lap("spark: reuse: sketches + frequencies")
    # the band join on arrays (marsad.engines.bands): a partition's band keys travel as a few
    # arrays split by key into shares, each share cut into buckets and their pairs in numpy
    shared = (prep.mapPartitions(_band_shares(parts)).partitionBy(parts, lambda s: s)
              .mapPartitions(_bucket_share(cap)).persist())
    # candidate pairs (earlier i, later j), each once: a few per article, gathered on the driver
    # and broadcast (8 bytes a pair), so that only the articles in a pair are shipped to align
    got = shared.map(lambda kp: kp[1]).collect()
    codes = np.unique(np.concatenate(got)) if got else np.zeros(0, np.uint64)
    codes_b = sc.broadcast(codes)
    laters_b = sc.broadcast(np.unique(codes & np.uint64(0xFFFFFFFF)))
    # aligned as the index does when j arrives, j's side "new"
    olds = prep.mapPartitions(_olds_partition(codes_b))
    news = prep.mapPartitions(_news_partition(laters_b))
    df_b = sc.broadcast(df)
    found = news.cogroup(olds, parts).mapPartitions(_pairs_partition(df_b)).filter(lambda t: t[1]).collect()
    pairs = [p for _, ps in sorted(found, key=lambda t: t[0]) for p in ps]
    clock.lap("spark: reuse: band join + alignment")
    # the index a later incremental run goes on from: entries in order, bucket contents
    entries = [e for _, e in sorted(prep.mapValues(lambda p: p[0]).collect(), key=lambda t: t[0])]
    kept = shared.map(lambda kp: kp[0]).collect()
    which, keys, nums = (np.concatenate(c) for c in zip(*kept)) if kept else bands.band_rows([])
    tables = [(keys[which == t], nums[which == t]) for t in (0, 1)]
    prep.unpersist(), shared.unpersist()
    for b in (df_b, codes_b, laters_b):
        b.unpersist()
    index = ReuseIndex.assemble(entries, tables[0], tables[1], df, params)
    clock.lap("spark: reuse: index to the driver")
    return pairs, index


# ---- stories ----------------------------------------------------------------------------

def _block_partition(pairs_by_block):
    def run(groups):
        for block, members in groups:
            members = sorted(members, key=lambda m: m[0])  # arrival rank
            own = {a.id for _, a, mine in members if mine}
            for article, story, mine, feats, vec in assign_block(
                    [a for _, a, _ in members], pairs_by_block.value.get(block, ()), own):
                yield block, article, story, mine, feats, vec

    return run


def _prepare_stories(rows):
    """Each article's story features and vector (:func:`marsad.link.stories.prepare`), computed
    once before the articles go to their blocks (a halo article goes to two), a chunk at a time
    as the local engine's workers compute them."""
    from marsad.engines.local import CHUNK
    from marsad.link.stories import prepare

    for chunk in iter(lambda: list(islice(rows, CHUNK)), []):
        prepare([a for _, a in chunk])
        yield from chunk


def assign_stories(arts, sc, published: dict[str, str | None], pairs: list[dict], batch: int = 500,
                   block_days: int = BLOCK_DAYS, halo_days: int = HALO_DAYS):
    """Every article's story and the story index of them all (built on the driver from the
    blocks' decisions, in the local engine's order). ``published``: each article's date, in
    input order; ``batch``: the ingest batch (the local engine assigns batch by batch)."""
    rank = arrival_ranks([_Shell(i, d) for i, d in published.items()], batch)
    days = {i: day_number(d) for i, d in published.items()}
    dated = [d for d in days.values() if d is not None]
    last = max(dated) // block_days if dated else 0
    blocks = {i: block_keys(d, last, block_days, halo_days) for i, d in days.items()}
    by_block: dict[int, list[dict]] = defaultdict(list)
    for p in pairs:
        for block in {b for b, _ in blocks[p["a"]]} & {b for b, _ in blocks[p["b"]]}:
            by_block[block].append(p)
    blocks_b, pairs_b, rank_b = sc.broadcast(blocks), sc.broadcast(dict(by_block)), sc.broadcast(rank)
    n_blocks = len({b for keys in blocks.values() for b, _ in keys})
    rows = (arts.mapPartitions(_prepare_stories).flatMap(lambda na: [(b, (rank_b.value[na[1].id], na[1], mine)) for b, mine in blocks_b.value[na[1].id]])
            .groupByKey(max(1, n_blocks)).mapPartitions(_block_partition(pairs_b)).collect())
    story_of = merge_blocks(((b, i, s, mine) for b, i, s, mine, _, _ in rows), rank)
    index = StoryIndex()
    own = sorted((r for r in rows if r[3]), key=lambda r: rank[r[1]])
    for _, article, _, _, feats, vec in own:
        index.place(feats, vec, story_of[article])
    for b in (blocks_b, pairs_b, rank_b):
        b.unpersist()
    return story_of, index


class _Shell:
    """What :func:`arrival_order` reads of an article."""

    def __init__(self, article_id: str, published: str | None):
        self.id, self.published = article_id, published


# ---- story views ------------------------------------------------------------------------

def _views_partition(pairs_by_story):
    def run(groups):
        batch = []
        for item in groups:
            batch.append(item)
            if len(batch) >= VIEW_BATCH:
                yield from _story_batch(batch, pairs_by_story.value)
                batch = []
        if batch:
            yield from _story_batch(batch, pairs_by_story.value)

    return run


def _story_batch(batch, pairs_by_story):
    """The local engine's derivation of a batch of stories (dates from the story, then timeline
    and comparison); only the members whose date changed travel back."""
    groups = [[a for _, a in sorted(members, key=lambda m: m[0])] for _, members in batch]
    befores = [date_from_story(group) for group in groups]
    views = derive_views([(group, pairs_by_story.get(story, [])) for (story, _), group in zip(batch, groups)])
    for (story, _), group, before, view in zip(batch, groups, befores, views):
        changed = [a for a in group if (a.published, a.published_source) != before[a.id]]
        yield story, ({a.id: before[a.id] for a in changed}, changed, view)


def story_views(arts, sc, story_of: dict[str, str], position: dict[str, int], pairs: list[dict]):
    """``(story, (dates before, members whose date changed, view))`` of every story, as a map."""
    pairs_by_story: dict[str, list[dict]] = defaultdict(list)
    for p in pairs:  # in discovery order, as the store gives them
        if story_of.get(p["a"]) is not None and story_of.get(p["a"]) == story_of.get(p["b"]):
            pairs_by_story[story_of[p["a"]]].append(p)
    keys = sc.broadcast((story_of, position))
    pairs_b = sc.broadcast(dict(pairs_by_story))
    slices = arts.getNumPartitions()
    out = (arts.map(lambda na: (keys.value[0][na[1].id], (keys.value[1][na[1].id], na[1])))
           .groupByKey(slices).mapPartitions(_views_partition(pairs_b)).collect())
    keys.unpersist(), pairs_b.unpersist()
    return out


# ---- the run ----------------------------------------------------------------------------

def ingest_bulk(paths: list[str], store, spark, result, on_error: Callable[[IngestError], None] | None = None,
                batch: int = 500, block_days: int = BLOCK_DAYS, halo_days: int = HALO_DAYS) -> None:
    """Build the links of ``paths`` on Spark and write everything to the (empty) ``store``;
    fills ``result`` (an :class:`~marsad.interfaces.api.IngestResult`) as the local run does."""
    from pyspark import StorageLevel

    sc = spark.sparkContext
    clock = Stopwatch()
    items, problems = processed(sc, paths)
    items = items.persist(StorageLevel.MEMORY_AND_DISK)
    # one pass brings back what the driver needs: the problems, and the ids in input order
    seen = items.flatMap(_problems_and_ids).collect()
    problems += [(seq, x) for seq, x in seen if isinstance(x, IngestError)]
    for _, problem in sorted(problems, key=lambda t: t[0]):
        (result.warnings if problem.warning else result.errors).append(problem)
        if on_error:
            on_error(problem)
    # the first copy of each article, numbered in input order (the reuse index's order)
    number: dict[tuple, int] = {}
    published: dict[str, str | None] = {}
    for seq, (article_id, date) in sorted((seq, x) for seq, x in seen if isinstance(x, tuple)):
        if article_id not in published:
            published[article_id] = date
            number[seq] = len(result.ids)
            result.ids.append(article_id)
    numbers = sc.broadcast(number)
    # not cached itself: each stage reads the cached items and filters them as it goes (a second
    # cached copy of every article cost a pickling pass and its memory)
    arts = (items.filter(lambda t: t[0] in numbers.value and isinstance(t[1], Article))
            .map(lambda t: (numbers.value[t[0]], t[1])))
    clock.lap("spark: articles")
    if not result.ids:
        items.unpersist()
        return
    pairs, reuse = reuse_pairs(arts, sc, clock=clock)
    story_of, stories = assign_stories(arts, sc, published, pairs, batch, block_days, halo_days)
    position: dict[str, int] = {}
    sizes: dict[str, int] = defaultdict(int)
    for article_id in stories.article_ids():  # in the order they were placed: arrival order
        position[article_id] = sizes[story_of[article_id]]
        sizes[story_of[article_id]] += 1
    clock.lap("spark: stories")
    views = story_views(arts, sc, story_of, position, pairs)
    clock.lap("spark: views")
    result.derived = _write(store, arts, result.ids, pairs, story_of, position, stories, reuse, views, batch, clock)
    result.new = len(result.ids)
    items.unpersist(), numbers.unpersist()


def _write(store, arts, ids: list[str], pairs, story_of, position, stories, reuse, views, batch: int,
           clock: Stopwatch) -> dict:
    """Store everything batch by batch, as the local engine does: each batch's articles with
    the pairs they complete, their story rows and their entity links, in one transaction.
    Entity linking, interleaved with the writes, is timed apart (it is the driver's work)."""
    from marsad.link.corpus import refresh

    db = store.db
    number = {a: k for k, a in enumerate(ids)}
    by_later: dict[str, list[dict]] = defaultdict(list)
    for p in pairs:  # discovery order
        by_later[max(p["a"], p["b"], key=number.__getitem__)].append(p)
    pending: list[Article] = []
    linking = [0.0, 0.0]  # seconds in entity linking: wall, this process's CPU

    def flush():
        with store.transaction():
            store.add_many(pending)
            rows = [p for a in pending for p in by_later.pop(a.id, ())]
            write_pairs(db, rows)
            db.executemany("INSERT OR REPLACE INTO story_members (article, story, pos) VALUES (?,?,?)",
                           [(a.id, story_of[a.id], position[a.id]) for a in pending])
            # stories created in the order the batch's articles arrive, as the local engine creates them
            update_stories(store, stories, dict.fromkeys(story_of[a.id] for a in arrival_order(pending)))
            started, cpu = time.perf_counter(), time.process_time()
            link_entities(db, pending)
            linking[0] += time.perf_counter() - started
            linking[1] += time.process_time() - cpu
        pending.clear()

    for _, article in arts.sortByKey().toLocalIterator():
        pending.append(article)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    with store.transaction():
        CorpusIndex(reuse, stories).save(store, final=True)
    views = sorted(views, key=lambda sv: number[sv[0][1:]])  # stories in order of creation
    for i in range(0, len(views), VIEW_BATCH):
        part = views[i:i + VIEW_BATCH]
        write_views(store, [s for s, _ in part], [before for _, (before, _, _) in part],
                     [(changed, None) for _, (_, changed, _) in part], [view for _, (_, _, view) in part])
    clock.report("store: entity linking (driver)", linking[0])
    clock.report("store: entity linking (driver CPU)", linking[1])
    clock.lap("store: articles, pairs, stories, views (driver)", minus=linking[0])
    derived = refresh(store)  # entity rows (the stories are derived already)
    clock.lap("store: entity rows (driver)")
    return derived
