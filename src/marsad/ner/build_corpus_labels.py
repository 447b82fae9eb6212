"""Corpus-level label distributions: how a word is tagged across unlabelled news (a build step).

The document-level features and propagation rule see a name's other occurrences in the same
article only. A surname named once, with no title and no given name before it ("في عهد
أوباما", "وقال الأسد"), is missed even though the same word is tagged as a person thousands of
times elsewhere in the news. Following Krishnan and Manning (2006, two-stage CRF with
corpus-level label consistency), a first-stage tagger (the CRF without these features, plus
the rules) tags unlabelled ANT articles; for each word we count how often its occurrences fall
inside a PER, ORG or LOC span, and the second-stage CRF gets the shares as features
(``features.py``: ``lab_PER=3`` …). Only counts and shares are shipped, no text.

The annotated dev and test articles are left out of the counts, so the scores on them do not
rest on their own text having been read.

Deterministic: counts do not depend on order, and the output is sorted.

    python -m marsad.ner.build_corpus_labels ../shared/corpus/ant/ant-v2.1.jsonl.gz \
        --model-path /tmp/stage1.crfsuite [--workers 2]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from collections import Counter

from marsad.resources import data_path

OUT_NAME = "ner/corpus_labels.tsv"
TYPES = ("PER", "ORG", "LOC")
#: A word needs this many occurrences before its shares mean anything.
MIN_COUNT = 5
#: A type is written only when this share of the word's occurrences carries it.
MIN_SHARE = 0.05
#: Only the start of each article is tagged: names are introduced early, and it bounds the time.
MAX_CHARS = 4000


def key_of(token: str) -> str:
    """The table's key of a token: the normalised word as written ("بوتين", "لبوتين");
    features.py looks a word up as written, then without its clitics ("لبوتين" → "بوتين"),
    since stripping on its own would take "بوتين" for ب + "وتين"."""
    from marsad.ner.lexicon import norm

    return norm(token)


def _excluded_ids() -> set[str]:
    """ANT records of the annotated dev and test splits."""
    from marsad.ner import indomain

    return {a["id"] for a in indomain.read_annotations() if a["corpus"] == "ant" and a["split"] != "train"}


def _texts(corpus: str, limit: int | None):
    skip = _excluded_ids()
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        n = 0
        for line in f:
            if limit is not None and n >= limit:
                break
            rec = json.loads(line)
            if rec["id"] in skip or not rec.get("text"):
                continue
            n += 1
            yield "\n\n".join(x for x in (rec.get("title"), rec["text"][:MAX_CHARS]) if x)


_MODEL_PATH: str | None = None


def _count(texts: list[str]) -> tuple[Counter, Counter]:
    """(occurrences per key, (key, type) occurrences inside a span) over ``texts``."""
    from marsad.extract.entities import _pieces, tag_document
    from marsad.ner.tokenize import tokenize
    from marsad.text.segment import sentences

    total: Counter = Counter()
    typed: Counter = Counter()
    for text in texts:
        doc = [[t.text for t in p] for s in sentences(text) for p in _pieces(tokenize(text, s.start, s.end))]
        for words, spans in zip(doc, tag_document(doc, _MODEL_PATH, use_rules=True, model="crf")):
            keys = [key_of(w) for w in words]
            total.update(keys)
            for s in spans:
                if s.type in TYPES:
                    typed.update((keys[i], s.type) for i in range(s.start, s.end))
    return total, typed


def _init(model_path: str | None) -> None:
    global _MODEL_PATH
    _MODEL_PATH = model_path
    from marsad.runtime import limit_threads

    limit_threads(1)


def build(corpus: str, out: str, model_path: str | None = None, workers: int = 1, limit: int | None = None,
          batch: int = 200) -> dict:
    t0 = time.time()
    texts = list(_texts(corpus, limit))
    batches = [texts[i:i + batch] for i in range(0, len(texts), batch)]
    total: Counter = Counter()
    typed: Counter = Counter()
    if workers > 1:
        from multiprocessing import get_context

        with get_context("fork").Pool(workers, initializer=_init, initargs=(model_path,)) as pool:
            for t, y in pool.imap_unordered(_count, batches):
                total.update(t)
                typed.update(y)
    else:
        _init(model_path)
        for b in batches:
            t, y = _count(b)
            total.update(t)
            typed.update(y)
    rows = []
    for key in sorted(total):
        n = total[key]
        if n < MIN_COUNT:
            continue
        shares = [(t, typed[(key, t)] / n) for t in TYPES]
        shares = [(t, s) for t, s in shares if s >= MIN_SHARE]
        if shares:
            rows.append(f"{key}\t{n}\t" + " ".join(f"{t}:{s:.2f}" for t, s in shares))
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"# word\toccurrences\ttype:share — {len(texts)} ANT articles (first {MAX_CHARS} characters), "
                f"annotated dev/test left out; built by marsad.ner.build_corpus_labels\n")
        f.write("\n".join(rows) + "\n")
    return {"articles": len(texts), "words": len(rows), "tokens": sum(total.values()), "out": out,
            "seconds": round(time.time() - t0, 1)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", help="ANT jsonl.gz")
    ap.add_argument("--out", default=None, help="default: the shipped table")
    ap.add_argument("--model-path", default=None, help="the first-stage CRF (trained without these features)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="articles (for a quick try)")
    args = ap.parse_args(argv)
    out = args.out or str(data_path(OUT_NAME))
    print(build(args.corpus, out, args.model_path, args.workers, args.limit))


if __name__ == "__main__":
    main()
