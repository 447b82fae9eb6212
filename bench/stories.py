"""Benchmark: incremental story clustering (StoryIndex) on ANT and SaudiNewsNet.

    .venv/bin/python bench/stories.py --embed-only          # fill the embedding cache (slow, once)
    .venv/bin/python bench/stories.py                       # ANT growth curve, then SNN, 60k latency
    .venv/bin/python bench/stories.py --corpora saudinewsnet  # SNN on its own
    .venv/bin/python bench/stories.py --limit 3000 --corpora ant
    .venv/bin/python bench/stories.py --corpora ant --sample 30 --out /tmp/stories_sample.md

What is timed is the clustering: articles are fed in publication-date order (SaudiNewsNet has
no publication date: its ``extracted_at`` day stands in), each with its reuse pairs. Cleaning,
the annotation layers (NER on ANT, dates and numbers on both), reuse detection and the title +
lead embeddings are computed beforehand and cached under /tmp/marsad_stories_cache (never in
the repo): embedding time is reported separately, from the cache's own record of the run that
filled it. Single process, one BLAS thread: other jobs share the machine.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

from marsad.doc import Article
from marsad.link.stories.embed import USEEmbedder, embed_text
from marsad.link.stories.index import default_params
from marsad.link.stories.train import (CORPORA, LAYER_COMPONENTS, SHARED, EmbeddingCache, cached_corpus, reuse_stream,
                                       text_key, with_layers)

def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_all(names: list[str], limit: int | None) -> dict[str, list[tuple[str, Article]]]:
    out = {}
    for name in names:
        t0 = time.perf_counter()
        out[name] = cached_corpus(name, limit)
        print(f"{name}: {len(out[name])} articles read and cleaned (or loaded from the cache) "
              f"in {time.perf_counter() - t0:.1f}s", flush=True)
    return out


def ensure_embeddings(corpora: dict[str, list[tuple[str, Article]]]) -> dict[str, EmbeddingCache]:
    caches = {}
    for name, items in corpora.items():
        cache = EmbeddingCache(name)
        new = cache.fill([embed_text(a) for _, a in items], USEEmbedder(threads=1))
        print(f"{name}: embedding (title + lead) of {cache.embedded} texts took {cache.seconds:.0f}s "
              f"({cache.embedded / max(cache.seconds, 1e-9):.1f} texts/s, one thread; {new} embedded in this run)",
              flush=True)
        caches[name] = cache
    return caches


def by_date(items: list[tuple[str, Article]]) -> list[tuple[str, Article]]:
    order = sorted(range(len(items)), key=lambda i: (items[i][1].published or "9999-99-99", i))
    return [items[i] for i in order]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", nargs="+", default=["ant", "saudinewsnet"], choices=sorted(CORPORA))
    ap.add_argument("--limit", type=int, default=None, help="articles per corpus")
    ap.add_argument("--embed-only", action="store_true")
    ap.add_argument("--latency", type=int, default=200, help="articles timed one by one at the end")
    ap.add_argument("--sample", type=int, default=0, help="print a seeded sample of multi-outlet ANT stories")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", default=None, help="write the sample here (markdown)")
    ap.add_argument("--dump", default=None, help="write every ANT story with >1 article here (JSON lines)")
    ap.add_argument("--ner", nargs="*", default=["ant"], choices=sorted(CORPORA),
                    help="corpora given the NER layer (cached; ~30-150 ms an article); default: ant. "
                         "All corpora get the dates and numbers layers (cheap), as in production")
    ap.add_argument("--first-stage", action="store_true",
                    help="the first-stage decision alone, no veto (the cost before issue 13)")
    ap.add_argument("--second-stage", action="store_true", help="with the opt-in e5 second stage and merges")
    ap.add_argument("--no-reuse", action="store_true", help="do not pass reuse pairs (default: the ReuseIndex's, cached)")
    args = ap.parse_args(argv)

    missing = [n for n in args.corpora if not CORPORA[n].exists()]
    if missing:
        print(f"corpus missing: {missing} (expected under {SHARED})", file=sys.stderr)
        return 2
    corpora = load_all(args.corpora, args.limit)
    for name in corpora:
        t0 = time.perf_counter()
        if name in args.ner:
            corpora[name] = with_layers(name, corpora[name])
        else:
            corpora[name] = with_layers(name, corpora[name], components=LAYER_COMPONENTS[1:])
        print(f"{name}: layers ({'NER, ' if name in args.ner else ''}dates, numbers) ready in "
              f"{time.perf_counter() - t0:.0f}s (cached)", flush=True)
    caches = ensure_embeddings(corpora)
    if args.embed_only:
        return 0
    return run_bench(args, corpora, caches)


def run_bench(args, corpora, caches) -> int:
    from marsad.link.stories import StoryIndex

    vectors = {}
    for c in caches.values():
        vectors.update(c.vectors)

    def embed(texts):
        return np.stack([vectors[text_key(t)].astype(np.float32) for t in texts])

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, one process", flush=True)
    base = rss_mb()
    print(f"RSS before clustering (corpora texts + embedding cache held by the harness): {base:.0f} MB", flush=True)
    ant = [a for _, a in by_date(corpora.get("ant", []))]
    reuse = {}
    if not args.no_reuse:
        for name, arts in (("ant", ant), ("saudinewsnet", [a for _, a in by_date(corpora.get("saudinewsnet", []))])):
            if arts:
                t0 = time.perf_counter()
                reuse[name] = reuse_stream(arts, f"{name}-{args.limit or 'all'}")
                print(f"{name}: reuse pairs ready in {time.perf_counter() - t0:.0f}s (ReuseIndex, cached; not in the "
                      f"clustering time): {sum(map(len, reuse[name]))} pairs", flush=True)
    index = None
    names = [n for n in ("ant", "saudinewsnet") if n in corpora]
    for name in names:
        arts = ant if name == "ant" else [a for _, a in by_date(corpora[name])]
        pairs = reuse.get(name) or [[] for _ in arts]
        # the latency is taken once the index holds every corpus: the last articles of the last one
        timed = args.latency if len(names) > 1 and name == names[-1] and len(arts) > args.latency else 0
        # names come from the cached NER layer; corpora without it are clustered without names
        # rather than with the tagger run inside assign (which would time the NER, not the index)
        if index is None:
            params = {**default_params(), "find_names": False}
            params["second_stage"] = args.second_stage
            params["veto"] = not args.first_stage
            kw = {}
            index = StoryIndex(embedder=embed, params=params, **kw)
        held = len(index)
        grow(name, index, arts[:len(arts) - timed], pairs, base, held)
        if name == "ant":
            stories = index.stories()
            multi = [s for s in stories if len(s["articles"]) > 1]
            print(f"  ANT stories: {len(stories)}, with >1 article: {len(multi)}, "
                  f"articles in them: {sum(len(s['articles']) for s in multi)}", flush=True)
            sizes = np.array([len(s["articles"]) for s in multi])
            if len(sizes):
                print(f"  story sizes (>1): median {np.median(sizes):.0f}, p95 {np.percentile(sizes, 95):.0f}, "
                      f"max {sizes.max()}; stories of >20 articles: {(sizes > 20).sum()}", flush=True)
            if args.sample:
                sample_report(index, ant, args)
            if args.dump:
                dump(multi, ant, args.dump)
        if timed:
            lat = []
            for a, p in zip(arts[-timed:], pairs[-timed:]):
                t1 = time.perf_counter()
                index.assign(a, p)
                lat.append(time.perf_counter() - t1)
            lat_ms = np.array(lat) * 1000
            if getattr(index, "_e5", None) is not None:
                print(f"e5 vectors computed for {len(index._e5)} of {len(index)} articles", flush=True)
            print(f"latency of one assign at {len(index)} articles: p50 {np.percentile(lat_ms, 50):.1f} ms, "
                  f"p95 {np.percentile(lat_ms, 95):.1f} ms (n={len(lat)}, embeddings cached)", flush=True)
            print(f"RSS with the {len(index)}-article index: +{rss_mb() - base:.0f} MB over the harness", flush=True)
            from marsad.store.arrays import pack, unpack

            t1 = time.perf_counter()
            blob = pack(index.take_segment())
            t2 = time.perf_counter()
            StoryIndex.from_segments([unpack(blob)])
            t3 = time.perf_counter()
            print(f"persist: {len(blob) / 1e6:.1f} MB, segment {t2 - t1:.2f}s, load {t3 - t2:.2f}s", flush=True)
            del blob
    if args.second_stage:
        print(f"second stage: e5 vectors computed for {len(index._e5)} of {len(index)} articles", flush=True)
    print(f"RSS +{rss_mb() - base:.0f} MB over the harness; peak RSS of the process {peak_mb():.0f} MB", flush=True)
    return 0


def grow(name: str, index, arts: list[Article], pairs, base: float, held: int) -> None:
    """Assign ``arts`` one by one, printing time, stories and memory at fixed checkpoints."""
    n = len(arts)
    checkpoints = [c for c in (100, 1000, 5000, 10000, 20000, 31000) if c < n] + [n]
    where = f" to an index already holding {held}" if held else ""
    print(f"{name}: clustering {n} articles in publication-date order{where}", flush=True)
    t0 = time.perf_counter()
    for i, a in enumerate(arts, 1):
        index.assign(a, pairs[i - 1])
        if i in checkpoints:
            el = time.perf_counter() - t0
            print(f"  {i:>6} articles: {el:7.1f}s ({i / el:.0f} articles/s), {index.n_stories} stories, "
                  f"RSS +{rss_mb() - base:.0f} MB over the harness", flush=True)


def dump(stories: list[dict], articles: list[Article], path: str) -> None:
    import json

    by_id = {a.id: a for a in articles}
    with open(path, "w", encoding="utf-8") as fh:
        for s in stories:
            members = [{"published": by_id[i].published, "outlet": by_id[i].outlet, "title": by_id[i].title}
                       for i in s["articles"]]
            fh.write(json.dumps({"id": s["id"], "title": s["title"], "members": members}, ensure_ascii=False) + "\n")
    print(f"  stories written to {path}", flush=True)


def sample_report(index, articles: list[Article], args) -> None:
    by_id = {a.id: a for a in articles}
    stories = [s for s in index.stories() if len({by_id[i].outlet for i in s["articles"]}) >= 2]
    rng = random.Random(args.seed)
    picked = rng.sample(stories, min(args.sample, len(stories)))
    lines = [f"{len(stories)} stories with >= 2 outlets; sample of {len(picked)} (seed {args.seed})", ""]
    for k, s in enumerate(picked, 1):
        lines.append(f"## {k}. {s['id']} ({len(s['articles'])} articles) — {s['title']}")
        for i in s["articles"]:
            a = by_id[i]
            lead = embed_text(a, 220)
            lines.append(f"- {a.published} {a.outlet}: {lead}")
        lines.append("")
    text = "\n".join(lines)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"  sample written to {args.out}", flush=True)
    else:
        print(text)


if __name__ == "__main__":
    raise SystemExit(main())
