"""Benchmark the quote extractor on ANT: quotes per second, how many, and the share attributed.

    .venv/bin/python bench/quotes.py --limit 2000            # with the NER (pipeline as run)
    .venv/bin/python bench/quotes.py --limit 2000 --no-ner   # quote extractor alone

Reads ../shared/corpus/ant/ant-v2.1.jsonl.gz (gzip JSONL, field ``text``). The NER runs first
(untimed) when available; the timing covers the quote extractor only.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path

from marsad.doc import Article, check_spans
from marsad.extract.quotes import QuoteExtractor

ANT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "ant" / "ant-v2.1.jsonl.gz"


def read(path: Path, limit: int) -> list[Article]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= limit:
                break
            d = json.loads(line)
            out.append(Article(id=str(d.get("id", i)), source=str(path), text=d.get("text") or ""))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ANT)
    ap.add_argument("--limit", type=int, default=1000, help="articles to read (default 1000)")
    ap.add_argument("--no-ner", action="store_true", help="run without entity mentions")
    ap.add_argument("--show", type=int, default=0, help="print this many sample quotes")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    articles = read(args.corpus, args.limit)
    ner = "none"
    if not args.no_ner:
        try:
            from marsad.extract.entities import EntityTagger

            tagger = EntityTagger()
            t0 = time.perf_counter()
            for a in articles:
                tagger(a)
            ner = f"EntityTagger ({time.perf_counter() - t0:.1f} s, untimed below)"
        except Exception as e:  # the NER model may not be built on this machine
            ner = f"none ({type(e).__name__}: {e})"
    extractor = QuoteExtractor()
    t0 = time.perf_counter()
    for a in articles:
        extractor(a)
    elapsed = time.perf_counter() - t0
    quotes = [q for a in articles for q in a.quotes]
    bad = sum(bool(check_spans(a)) for a in articles)
    n = len(quotes)
    chars = sum(len(a.text) for a in articles)
    how = Counter(q["attribution"] for q in quotes)
    print(f"articles          {len(articles)}  ({chars / 1e6:.1f} M chars)  mentions: {ner}")
    print(f"quotes            {n}  ({n / max(len(articles), 1):.2f} per article)"
          f"  direct {sum(q['direct'] for q in quotes)}  reported {sum(not q['direct'] for q in quotes)}")
    print(f"with a speaker    {sum(q['speaker_text'] is not None for q in quotes) / max(n, 1):.1%}"
          f"  linked to a mention {sum(q['speaker_mention'] is not None for q in quotes) / max(n, 1):.1%}")
    print(f"attribution       " + "  ".join(f"{k}:{v}" for k, v in how.most_common()))
    print(f"time              {elapsed:.2f} s  →  {len(articles) / elapsed:.0f} articles/s,"
          f"  {n / elapsed:.0f} quotes/s")
    print(f"span errors       {bad}")
    for a in articles:
        for q in a.quotes[: args.show]:
            print(f"  [{'D' if q['direct'] else 'R'}] {q['cue']} | {q['speaker_text']} :: {q['text'][:90]}")
        if args.show:
            args.show -= len(a.quotes[: args.show])
    return 0


if __name__ == "__main__":
    sys.exit(main())
