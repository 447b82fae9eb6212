"""Train the CRF on an ANERcorp-style BIO file.

    python -m marsad.ner.train ../shared/data/ner/anercorp/train.bio src/marsad/data/ner/model.crfsuite

L-BFGS with fixed settings and features in file order, so the same input gives the same
weights on every run (the shipped model is reproduced this way).
"""
from __future__ import annotations

import argparse
import os
import time

from marsad.ner.bio import read_bio
from marsad.ner.features import DOC_SIZE, document_features

#: The settings of the shipped model (see docs/models/ner.md for the comparison).
PARAMS = {
    "c1": 0.05,
    "c2": 0.05,
    "max_iterations": 250,
    "feature.minfreq": 1,
    "feature.possible_transitions": True,
}


def train(
    train_bio: str, out_path: str, params: dict | None = None, algorithm: str = "lbfgs", verbose: bool = False
) -> dict:
    """Train on ``train_bio`` and write the model to ``out_path``; returns a summary dict.

    ``algorithm``/``params`` override the shipped settings (e.g. ``"ap"``, the averaged
    perceptron, with ``{"max_iterations": 30}``) for comparisons.
    """
    import pycrfsuite

    t0 = time.time()
    sentences = read_bio(train_bio)
    trainer = pycrfsuite.Trainer(algorithm=algorithm, verbose=verbose)
    for i in range(0, len(sentences), DOC_SIZE):
        doc = sentences[i:i + DOC_SIZE]
        for feats, (_, tags) in zip(document_features([tokens for tokens, _ in doc]), doc):
            trainer.append(feats, tags)
    settings = dict(PARAMS if algorithm == "lbfgs" else {"feature.possible_transitions": True}, **(params or {}))
    trainer.set_params(settings)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    trainer.train(out_path)
    last = trainer.logparser.last_iteration or {}
    return {
        "model": out_path,
        "sentences": len(sentences),
        "tokens": sum(len(t) for t, _ in sentences),
        "algorithm": algorithm,
        "params": settings,
        "iterations": last.get("num", None),
        "loss": last.get("loss", None),
        "active_features": last.get("active_features", None),
        "size_bytes": os.path.getsize(out_path),
        "seconds": round(time.time() - t0, 1),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Train the Marsad NER CRF on a BIO file.")
    ap.add_argument("train_bio")
    ap.add_argument("out_path", nargs="?", default=None, help="default: the shipped model path")
    args = ap.parse_args(argv)
    from marsad.ner.model import default_model_path

    summary = train(args.train_bio, args.out_path or default_model_path())
    for k, v in summary.items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
