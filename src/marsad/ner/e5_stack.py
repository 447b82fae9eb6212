"""Stacking (experimental): the Marsad CRF with the e5 tagger's per-word label marginals as
extra features.

    python -m marsad.ner.e5_stack TRAIN.bio HELDOUT0.npz HELDOUT1.npz TEST.bio TEST_MARGS.npz OUT.crfsuite

Training marginals must be held-out (cross-fitted by pseudo-document, see
``e5_features train --folds 2``) so that the CRF does not over-trust them.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from marsad.ner.bio import read_bio
from marsad.ner.features import DOC_SIZE, document_features
from marsad.ner.train import PARAMS

LABELS = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]


def load_margs(paths: list[str]) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    for p in paths:
        z = np.load(p)
        for k in z.files:
            out[int(k[1:])] = z[k]
    return out


def stack_items(feats: list[list[str]], margs: np.ndarray, min_p: float = 0.01) -> list[dict[str, float]]:
    """CRF items: the CRF's binary features plus e5 marginals (weighted) and argmax labels."""
    n = len(feats)
    arg = margs.argmax(1) if n else []
    items = []
    for i, f in enumerate(feats):
        d = {x: 1.0 for x in f}
        for k, p in enumerate(margs[i]):
            if p >= min_p:
                d[f"e5={LABELS[k]}"] = float(p)
        d[f"e5max={LABELS[arg[i]]}"] = 1.0
        if i > 0:
            d[f"e5max-1={LABELS[arg[i - 1]]}"] = 1.0
        if i + 1 < n:
            d[f"e5max+1={LABELS[arg[i + 1]]}"] = 1.0
        if i + 1 < n:
            d[f"e5max0+1={LABELS[arg[i]]}|{LABELS[arg[i + 1]]}"] = 1.0
        items.append(d)
    return items


def doc_items(sentences, margs: dict[int, np.ndarray]):
    for i in range(0, len(sentences), DOC_SIZE):
        doc = sentences[i:i + DOC_SIZE]
        for j, feats in enumerate(document_features([t for t, _ in doc])):
            yield i + j, stack_items(feats, margs[i + j])


def main(argv: list[str] | None = None) -> None:
    import pycrfsuite

    from marsad.ner.evaluate import format_table, score

    ap = argparse.ArgumentParser()
    ap.add_argument("train_bio")
    ap.add_argument("heldout", nargs="+", help="held-out marginals (.npz), then TEST.bio TEST_MARGS OUT")
    args = ap.parse_args(argv)
    *held, test_bio, test_margs, out = args.heldout
    t0 = time.time()
    train = read_bio(args.train_bio)
    margs = load_margs(held)
    assert len(margs) == len(train), (len(margs), len(train))
    trainer = pycrfsuite.Trainer(verbose=False)
    for si, items in doc_items(train, margs):
        trainer.append(pycrfsuite.ItemSequence(items), train[si][1])
    trainer.set_params(dict(PARAMS))
    trainer.train(out)
    train_s = time.time() - t0
    test = read_bio(test_bio)
    tm = load_margs([test_margs])
    tagger = pycrfsuite.Tagger()
    tagger.open(out)
    pred = [None] * len(test)
    t1 = time.time()
    for si, items in doc_items(test, tm):
        pred[si] = tagger.tag(pycrfsuite.ItemSequence(items))
    res = score([t for _, t in test], pred)
    print(format_table(res))
    print(json.dumps({"train_s": round(train_s, 1), "tag_s": round(time.time() - t1, 1)}))


if __name__ == "__main__":
    main()
