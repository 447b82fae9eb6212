"""Throughput of the EntityTagger (neural or CRF model + rules) on ANT Corpus articles.

    .venv/bin/python bench/ner.py --limit 2000 [--corpus ../shared/corpus/ant/ant-v2.1.jsonl.gz] [--no-rules] [--model crf]

Prints articles/s, tokens/s and mentions per article. Single process; the first article's
model and word-list loading is timed separately. Tokens/s are given per wall second and per
CPU second of this process (``time.process_time``): on a shared machine the CPU figure is the
per-core speed. In the same run it times a floor on the same articles (sentence split and
tokenisation only, what any tagger must do) and prints the tagger's time as a multiple of it.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections import Counter

DEFAULT_CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus", "ant", "ant-v2.1.jsonl.gz")


def main(argv: list[str] | None = None) -> int:
    from marsad.doc import Article
    from marsad.extract.entities import EntityTagger
    from marsad.ner.tokenize import tokenize

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--no-rules", action="store_true", help="time the bare model")
    ap.add_argument("--model", choices=("neural", "crf"), default=None, help="default: neural when shipped")
    args = ap.parse_args(argv)
    if not os.path.exists(args.corpus):
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 1
    articles = []
    with gzip.open(args.corpus, "rt", encoding="utf-8") as f:
        for line in f:
            if len(articles) >= args.limit:
                break
            doc = json.loads(line)
            if doc.get("text"):
                articles.append(Article(id=doc["id"], source=args.corpus, text=doc["text"]))
    tagger = EntityTagger(use_rules=not args.no_rules, model=args.model)
    t0 = time.perf_counter()
    tagger(Article(id="warm", source="-", text="قال الرئيس الروسي فلاديمير بوتين في موسكو."))
    warm = time.perf_counter() - t0
    tokens = sum(len(tokenize(a.text)) for a in articles)
    floor_cpu = _floor([a.text for a in articles])
    types: Counter = Counter()
    t0, c0 = time.perf_counter(), time.process_time()
    for a in articles:
        tagger(a)
        types.update(m["type"] for m in a.mentions)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = len(articles)
    print(f"articles: {n}  tokens: {tokens}  model: {tagger.model}  rules: {not args.no_rules}")
    print(f"load + first article: {warm:.2f} s")
    print(f"time: {seconds:.1f} s  articles/s: {n / seconds:.1f}  tokens/s: {tokens / seconds:.0f}")
    print(f"cpu: {cpu:.1f} s  tokens per cpu-second: {tokens / cpu:.0f}  "
          f"floor (split + tokenise): {floor_cpu:.2f} cpu-s, tagger = {cpu / floor_cpu:.1f} × floor")
    print(f"mentions/article: {sum(types.values()) / max(n, 1):.1f}  by type: {dict(sorted(types.items()))}")
    return 0


def _floor(texts: list[str]) -> float:
    """CPU seconds to split the texts into sentences and tokens: the least work of any tagger."""
    from marsad.ner.tokenize import tokenize
    from marsad.text.segment import sentences

    c0 = time.process_time()
    for text in texts:
        for sent in sentences(text):
            tokenize(text, sent.start, sent.end)
    return time.process_time() - c0


if __name__ == "__main__":
    raise SystemExit(main())
