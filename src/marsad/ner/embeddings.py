"""Pretrain word vectors for the neural NER tagger on unlabelled Arabic news (a build step).

Skip-gram word2vec (gensim) over the same normalised tokens the tagger sees
(:func:`marsad.ner.lexicon.norm` of :func:`marsad.ner.tokenize.tokenize` tokens), one line per
paragraph. gensim is a train-time extra; the shipped tagger reads the pruned vectors from
``data/ner/neural.npz``. Fixed seed; with 2 worker threads (the shipped vectors) gensim is not
bit-reproducible, with ``--workers 1`` it is (slower).

    python -m marsad.ner.embeddings /tmp/nn/w2v.kv \
        ../shared/corpus/ant/ant-v2.1.jsonl.gz ../shared/corpus/saudinewsnet/saudinewsnet.jsonl.gz
"""
from __future__ import annotations

import argparse
import gzip
import json
import time

from marsad.ner.lexicon import norm
from marsad.ner.tokenize import tokenize


def corpus_lines(paths: list[str]):
    """Normalised token lists, one per non-empty paragraph of each document's title and text."""
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                for block in "\n".join(x for x in (doc.get("title"), doc.get("text")) if x).split("\n"):
                    toks = [norm(t.text) for t in tokenize(block)]
                    toks = [t for t in toks if t]
                    if toks:
                        yield toks


def build(out: str, corpora: list[str], dim: int = 100, epochs: int = 3, min_count: int = 3, workers: int = 2) -> dict:
    from gensim.models import Word2Vec

    t0 = time.time()
    sentences = list(corpus_lines(corpora))
    t1 = time.time()
    model = Word2Vec(
        sentences, vector_size=dim, window=5, min_count=min_count, sg=1, negative=5,
        epochs=epochs, workers=workers, seed=1, sample=1e-4,
    )
    model.wv.save(out)
    return {"lines": len(sentences), "tokens": sum(map(len, sentences)), "vocabulary": len(model.wv),
            "tokenise_s": round(t1 - t0), "train_s": round(time.time() - t1), "out": out}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("corpora", nargs="+")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    print(build(args.out, args.corpora, args.dim, args.epochs, workers=args.workers))


if __name__ == "__main__":
    main()
