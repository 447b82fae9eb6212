"""Learn distributional word clusters from unlabelled Arabic news (a build step).

Words that occur in similar contexts (left and right neighbours at distances 1 and 2) get
the same cluster, so a name never seen in the labelled training data ("رامسفيلد") still
looks like the names that were. Method: position-aware co-occurrence counts against the most
frequent context words, PPMI, truncated SVD, then k-means at three granularities; a word's
code is ``a/b/c`` (64, 512 and 2048 clusters), written to ``marsad/data/ner/clusters.tsv``.
``--embeddings`` adds the binarised embedding (the SVD dimensions where the word lies beyond
one standard deviation, as ``12+ 40-``; Guo et al. 2014): tried, +0.4 F1 for a 14 MB file, so
the shipped file has the codes only.
Deterministic (fixed seeds, sorted vocabulary).

    python -m marsad.ner.build_clusters ../shared/corpus/ant/ant-v2.1.jsonl.gz
"""
from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

import numpy as np

from marsad.ner.lexicon import norm
from marsad.ner.tokenize import tokenize
from marsad.resources import data_path

GRANULARITIES = (64, 512, 2048)


def read_texts(paths: str | list[str], limit: int | None = None):
    """Title and text of each record of the gzip JSONL files (``limit`` records per file)."""
    for path in [paths] if isinstance(paths, str) else paths:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                if limit is not None and i >= limit:
                    break
                doc = json.loads(line)
                yield "\n".join(x for x in (doc.get("title"), doc.get("text")) if x)


def build(corpus: str | list[str], out: str, min_count: int = 4, contexts: int = 6000, dims: int = 120,
          limit: int | None = None, embeddings: bool = False) -> dict:
    from scipy import sparse
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD

    sources = [corpus] if isinstance(corpus, str) else list(corpus)
    docs = [[norm(t.text) for t in tokenize(text)] for text in read_texts(sources, limit)]
    counts = Counter(w for d in docs for w in d)
    vocab = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    index = {w: i for i, w in enumerate(vocab)}
    unk = len(vocab)
    ids = np.array([index.get(w, unk) for d in docs for w in d + ["<s>"]], dtype=np.int64)
    n_ctx = min(contexts, len(vocab))
    blocks = []
    for d in (-2, -1, 1, 2):
        a = ids[max(0, -d): len(ids) - max(0, d)]
        b = ids[max(0, d): len(ids) - max(0, -d)]
        keep = (a < unk) & (b < n_ctx)
        m = sparse.coo_matrix(
            (np.ones(int(keep.sum()), dtype=np.float32), (a[keep], b[keep])), shape=(len(vocab), n_ctx)
        ).tocsr()
        blocks.append(m)
    cooc = sparse.hstack(blocks).tocsr()
    # Positive PMI with context-distribution smoothing (alpha 0.75).
    total = cooc.sum()
    row = np.asarray(cooc.sum(axis=1)).ravel() + 1e-9
    col = np.asarray(cooc.sum(axis=0)).ravel() ** 0.75
    col = col / col.sum()
    cooc = cooc.tocoo()
    pmi = np.log(cooc.data / total) - np.log(row[cooc.row] / total) - np.log(col[cooc.col] + 1e-12)
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (cooc.row[keep], cooc.col[keep])), shape=cooc.shape)
    vectors = TruncatedSVD(n_components=dims, random_state=0, algorithm="randomized", n_iter=7).fit_transform(ppmi)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    codes = []
    for k in GRANULARITIES:
        km = MiniBatchKMeans(n_clusters=k, random_state=0, batch_size=4096, n_init=3, max_iter=200)
        codes.append(km.fit_predict(vectors))
    mean, std = vectors.mean(axis=0), vectors.std(axis=0)
    high, low = vectors > mean + std, vectors < mean - std
    lines = [
        "# Distributional word clusters (64/512/2048 k-means over PPMI-SVD context vectors),",
        "# learnt by marsad.ner.build_clusters from " + ", ".join(Path(c).name for c in sources) + " (text not kept).",
        "# word<TAB>code" + ("<TAB>binarised embedding dimensions" if embeddings else ""),
    ]
    for i, w in enumerate(vocab):
        line = w + "\t" + "/".join(str(int(c[i])) for c in codes)
        if embeddings:
            line += "\t" + " ".join([f"{d}+" for d in np.flatnonzero(high[i])] + [f"{d}-" for d in np.flatnonzero(low[i])])
        lines.append(line)
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"documents": len(docs), "tokens": int(len(ids)), "vocabulary": len(vocab), "out": out}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Build distributional word clusters for NER features.")
    ap.add_argument("corpus", nargs="+", help="gzip JSONL files with a 'text' field (ANT Corpus, SaudiNewsNet)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--min-count", type=int, default=4)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--embeddings", action="store_true", help="add binarised embedding dimensions")
    args = ap.parse_args(argv)
    out = args.out or str(data_path("ner/clusters.tsv"))
    print(build(args.corpus, out, min_count=args.min_count, limit=args.limit, embeddings=args.embeddings))


if __name__ == "__main__":
    main()
