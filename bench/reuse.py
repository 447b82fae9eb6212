"""Benchmark: text-reuse detection (duplicates and syndicated copy) over SaudiNewsNet.

    .venv/bin/python bench/reuse.py                          # the whole corpus (~30.7k articles)
    .venv/bin/python bench/reuse.py --limit 3000             # the first 3000 articles
    .venv/bin/python bench/reuse.py --sample 50 --seed 2 --out /tmp/reuse_sample.md

Prints the wall time of ``find_reuse`` (loading excluded), the peak resident memory before and
after it, the pairs by kind, how many pairs involve Saudi Press Agency copy (either article's
text or author field names واس), the agencies found, and the size of the pickled index.
``--sample N`` writes N random pairs with their shared passages to ``--out`` for hand-checking.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from marsad.doc import Article
from marsad.ingest.meta import credited_agencies
from marsad.link.reuse import ReuseIndex
from marsad.store.arrays import pack

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "saudinewsnet" / "saudinewsnet.jsonl.gz"
SPA = re.compile(r"(?<!\w)واس(?!\w)")


def load(path: Path, limit: int | None) -> list[Article]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            author = d.get("author")
            out.append(Article(
                id=d["id"], source=d.get("url") or d["id"], text=d["text"], title=d.get("title"),
                outlet=d.get("outlet"), author=author, url=d.get("url"),
                # what the ingest builder would credit: agencies in the author field or the body
                wire=credited_agencies(d["text"], [author] if author else []),
            ))
            if limit and len(out) >= limit:
                break
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def involves_spa(a: Article) -> bool:
    return bool(SPA.search(a.text) or (a.author and SPA.search(a.author)))


def excerpt(text: str, limit: int = 700) -> str:
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= limit else text[: limit - 200] + " … " + text[-190:]


def write_sample(pairs: list[dict], by_id: dict[str, Article], n: int, seed: int, out: Path) -> None:
    rng = random.Random(seed)
    chosen = rng.sample(pairs, min(n, len(pairs)))
    lines = [f"# Reuse sample: {len(chosen)} of {len(pairs)} pairs, random.Random({seed}).sample\n"]
    for k, p in enumerate(chosen, 1):
        a, b = by_id[p["a"]], by_id[p["b"]]
        lines.append(f"## {k}. {p['kind']} — {p['shared_chars']} shared chars — agency {p['agency']}")
        lines.append(f"- A {a.id} [{a.outlet}] ({len(a.text)} chars) {a.title}")
        lines.append(f"- B {b.id} [{b.outlet}] ({len(b.text)} chars) {b.title}")
        for q in p["passages"]:
            lines.append(f"\n  A[{q['a_start']}:{q['a_end']}]: {excerpt(a.text[q['a_start']:q['a_end']])}")
            lines.append(f"  B[{q['b_start']}:{q['b_end']}]: {excerpt(b.text[q['b_start']:q['b_end']])}")
        lines.append("")
    out.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--sample", type=int, default=0, help="write N random pairs to --out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "marsad_reuse_sample.md")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    articles = load(args.corpus, args.limit)
    t_load = time.perf_counter() - t0
    rss_loaded = peak_rss_mb()

    t0, c0 = time.perf_counter(), time.process_time()
    index = ReuseIndex()
    pairs = index.add_many(articles)  # what find_reuse does, keeping the index to measure it
    t_reuse, c_reuse = time.perf_counter() - t0, time.process_time() - c0
    rss_done = peak_rss_mb()
    t0 = time.perf_counter()
    blob = pack(index.take_segment())  # as the store appends it
    t_pickle = time.perf_counter() - t0

    by_id = {a.id: a for a in articles}
    kinds = Counter(p["kind"] for p in pairs)
    spa = sum(1 for p in pairs if involves_spa(by_id[p["a"]]) or involves_spa(by_id[p["b"]]))
    agencies = Counter(p["agency"] for p in pairs)
    in_pairs = {x for p in pairs for x in (p["a"], p["b"])}
    same_outlet = sum(1 for p in pairs if by_id[p["a"]].outlet == by_id[p["b"]].outlet)

    print(f"articles            {len(articles)} (loaded in {t_load:.1f}s)")
    print(f"find_reuse          {t_reuse:.1f}s wall, {c_reuse:.1f}s CPU "
          f"({1000 * c_reuse / max(1, len(articles)):.2f} ms CPU/article, one process)")
    print(f"peak RSS            {rss_loaded:.0f} MB after loading, {rss_done:.0f} MB after reuse")
    print(f"index segment       {len(blob) / 1e6:.1f} MB ({t_pickle:.1f}s)")
    print(f"pairs               {len(pairs)}: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    print(f"articles in a pair  {len(in_pairs)}")
    print(f"same-outlet pairs   {same_outlet}")
    print(f"pairs with SPA copy {spa} (either article's text or author names واس)")
    print("agency              " + ", ".join(f"{k} {v}" for k, v in agencies.most_common(8)))
    if args.sample:
        write_sample(pairs, by_id, args.sample, args.seed, args.out)
        print(f"sample              {min(args.sample, len(pairs))} pairs written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
