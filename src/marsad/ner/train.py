"""Train the CRF on an ANERcorp-style BIO file plus the in-domain annotations' train part.

    python -m marsad.ner.train ../shared/data/ner/anercorp/train.bio src/marsad/data/ner/model.crfsuite

The in-domain articles (``marsad.ner.indomain``, read from ``../shared/corpus``) are real
documents, so each is one document for the context features; ANERcorp has no article
boundaries and is read in pseudo-documents of DOC_SIZE sentences.

L-BFGS with fixed settings and features in file order, so the same input gives the same
weights on every run (the shipped model is reproduced this way).
"""
from __future__ import annotations

import argparse
import os
import time

from marsad.ner.bio import read_bio
from marsad.ner.features import DOC_SIZE, document_features

#: In-domain training articles are appended this many times: there are far fewer of them than
#: ANERcorp sentences, and they are the register the tagger serves (chosen on the dev split).
INDOMAIN_REPEAT = 2
#: The in-domain splits the shipped model is trained on.
INDOMAIN_SPLITS = ("train",)
#: The corpora whose annotated articles it is trained on (``indomain.CORPORA``): ANT only
#: leaves out the SaudiNewsNet articles, whose licence is non-commercial (docs/models/ner.md).
INDOMAIN_CORPORA = ("ant", "snn")

#: The settings of the shipped model (see docs/models/ner.md for the comparison).
PARAMS = {
    "c1": 0.05,
    "c2": 0.05,
    "max_iterations": 250,
    "feature.minfreq": 1,
    "feature.possible_transitions": True,
}


def indomain_documents(
    splits=INDOMAIN_SPLITS, corpus_dir: str | None = None, annotations: str | None = None,
    corpora=INDOMAIN_CORPORA,
) -> list[list[tuple[list[str], list[str]]]]:
    """The in-domain articles of ``splits`` from ``corpora`` as documents of (tokens, tags)
    sentences; empty when no split is asked for. ``annotations`` defaults to the shipped
    annotations file."""
    from marsad.ner import indomain

    unknown = set(corpora) - set(indomain.CORPORA)
    if unknown:
        raise ValueError(f"unknown in-domain corpora {sorted(unknown)}; known: {sorted(indomain.CORPORA)}")
    if not splits:
        return []
    docs = indomain.load(corpus_dir or indomain.DEFAULT_CORPUS_DIR, splits, annotations)
    return [indomain.bio_sentences(d) for d in docs if d.corpus in corpora]


def train(
    train_bio: str, out_path: str, params: dict | None = None, algorithm: str = "lbfgs", verbose: bool = False,
    indomain_splits=INDOMAIN_SPLITS, indomain_repeat: int = INDOMAIN_REPEAT, corpus_dir: str | None = None,
    annotations: str | None = None, indomain_corpora=INDOMAIN_CORPORA, trigger_folds: int = 0,
    anercorp_sentences: int | None = None,
) -> dict:
    """Train on ``train_bio`` and write the model to ``out_path``; returns a summary dict.

    ``algorithm``/``params`` override the shipped settings (e.g. ``"ap"``, the averaged
    perceptron, with ``{"max_iterations": 30}``) for comparisons; ``anercorp_sentences`` keeps
    only the first sentences of ``train_bio`` (the quick dev protocol of ``dev_compare``).

    ``trigger_folds`` > 1 cross-fits the trigger table (``build_triggers``): the documents are
    dealt into that many folds and each fold's training features read a table counted on the
    other folds, so a trigger's weight is learnt as it will be met at tagging time (a table
    counted on the same labels makes the CRF trust it too much). Tagging reads the table of
    ``features.TRIGGERS_PATH`` (or the shipped one), counted on all the training data.
    """
    import pycrfsuite

    from marsad.ner import features

    t0 = time.time()
    features.set_corpus_labels(features.CORPUS_LABELS, features.CORPUS_LABELS_PATH,
                               dropout=features.TRAIN_CORPUS_LABEL_DROPOUT)
    sentences = read_bio(train_bio)[:anercorp_sentences]
    trainer = pycrfsuite.Trainer(algorithm=algorithm, verbose=verbose)
    docs = [sentences[i:i + DOC_SIZE] for i in range(0, len(sentences), DOC_SIZE)]
    extra = indomain_documents(indomain_splits, corpus_dir, annotations, indomain_corpora)
    if trigger_folds > 1:
        _append_cross_fitted(trainer, docs, extra, indomain_repeat, trigger_folds)
    else:
        for doc in docs + extra * indomain_repeat:
            for feats, (_, tags) in zip(document_features([tokens for tokens, _ in doc]), doc):
                trainer.append(feats, tags)
    settings = dict(PARAMS if algorithm == "lbfgs" else {"feature.possible_transitions": True}, **(params or {}))
    features.set_corpus_labels(features.CORPUS_LABELS, features.CORPUS_LABELS_PATH)  # tagging sees them all
    trainer.set_params(settings)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    trainer.train(out_path)
    last = trainer.logparser.last_iteration or {}
    return {
        "model": out_path,
        "sentences": len(sentences),
        "tokens": sum(len(t) for t, _ in sentences),
        "indomain_documents": len(extra),
        "indomain_tokens": sum(len(t) for doc in extra for t, _ in doc),
        "indomain_repeat": indomain_repeat,
        "indomain_corpora": list(indomain_corpora),
        "algorithm": algorithm,
        "params": settings,
        "iterations": last.get("num", None),
        "loss": last.get("loss", None),
        "active_features": last.get("active_features", None),
        "size_bytes": os.path.getsize(out_path),
        "seconds": round(time.time() - t0, 1),
    }


def _append_cross_fitted(trainer, docs, extra, repeat: int, folds: int) -> None:
    """Append every document's features, each fold's read with a trigger table counted on the
    other folds (``train(trigger_folds=…)``); the tagging table is restored afterwards."""
    import tempfile

    from marsad.ner import build_triggers, features

    everything = docs + extra
    tagging_table = features.TRIGGERS_PATH
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(folds):
            rest = [s for i, d in enumerate(everything) if i % folds != fold for s in d]
            path = os.path.join(tmp, f"triggers_{fold}.tsv")
            # the other folds hold 1 - 1/folds of the data: the count threshold shrinks with it
            build_triggers.write(build_triggers.build(rest, min_count=max(2, 5 * (folds - 1) // folds)),
                                 path, "the other folds")
            features.set_tables(features.CLUSTERS_PATH, path, features.NEIGHBOUR_CLUSTERS)
            for i, doc in enumerate(everything):
                if i % folds == fold:
                    rows = list(zip(document_features([tokens for tokens, _ in doc]), doc))
                    for _ in range(1 if i < len(docs) else repeat):
                        for feats, (_, tags) in rows:
                            trainer.append(feats, tags)
    features.set_tables(features.CLUSTERS_PATH, tagging_table, features.NEIGHBOUR_CLUSTERS)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Train the Marsad NER CRF on a BIO file.")
    ap.add_argument("train_bio")
    ap.add_argument("out_path", nargs="?", default=None, help="default: the shipped model path")
    ap.add_argument("--corpus-dir", default=None, help="where the in-domain articles are (default: ../shared/corpus)")
    ap.add_argument("--indomain-splits", default=",".join(INDOMAIN_SPLITS),
                    help="in-domain splits to train on, comma-separated; empty for ANERcorp only")
    ap.add_argument("--indomain-repeat", type=int, default=INDOMAIN_REPEAT)
    ap.add_argument("--indomain-corpora", default=",".join(INDOMAIN_CORPORA),
                    help="corpora whose annotated articles are trained on, comma-separated (ant, snn)")
    ap.add_argument("--no-corpus-labels", action="store_true",
                    help="leave out the corpus label features: the first-stage model that "
                         "marsad.ner.build_corpus_labels tags ANT with")
    args = ap.parse_args(argv)
    if args.no_corpus_labels:
        from marsad.ner.features import set_corpus_labels

        set_corpus_labels(False)
    from marsad.ner.model import default_model_path

    splits = tuple(s for s in args.indomain_splits.split(",") if s)
    summary = train(args.train_bio, args.out_path or default_model_path(), indomain_splits=splits,
                    indomain_repeat=args.indomain_repeat, corpus_dir=args.corpus_dir,
                    indomain_corpora=tuple(c for c in args.indomain_corpora.split(",") if c))
    for k, v in summary.items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
