"""Compare a CRF feature variant on the in-domain dev split with a quick training protocol.

A full ``marsad train ner`` takes 10–20 minutes on the shared machine; this protocol trains on
the first ``--anercorp-sentences`` of ANERcorp train plus the in-domain train split once, for
``--iterations`` L-BFGS rounds (about a fifth of the cost), and scores the in-domain dev split,
bare and with the rules. Compare variants only with a baseline run under the same protocol
(no option) — the protocol's figures are not the shipped model's. The ANERcorp train sentences
it leaves out are a second held-out set (``--rest``: token spans, PER+LOC+ORG).

    python -m marsad.ner.dev_compare /tmp/base.crfsuite
    python -m marsad.ner.dev_compare /tmp/trig.crfsuite --triggers --crossfit 2
    python -m marsad.ner.dev_compare /tmp/nb.crfsuite --neighbour-clusters c64,c512,c2k
"""
from __future__ import annotations

import argparse
import os
import tempfile

from marsad.ner import build_triggers, features, indomain, train
from marsad.ner.bio import read_bio


def _scores(result: dict, micro: str = "micro") -> str:
    types = " ".join(f"{t} {100 * v['f1']:.2f}" for t, v in result["types"].items() if t != "MISC")
    return f"micro {100 * result[micro]['f1']:.2f}  ({types})"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Train a NER feature variant quickly and score the dev split.")
    ap.add_argument("out", help="where the trial model goes (keep it outside the repository)")
    ap.add_argument("--train-bio", default="../shared/data/ner/anercorp/train.bio")
    ap.add_argument("--anercorp-sentences", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=1, help="in-domain train articles appended this many times")
    ap.add_argument("--iterations", type=int, default=120)
    ap.add_argument("--c1", type=float, default=train.PARAMS["c1"], help="L1 penalty")
    ap.add_argument("--c2", type=float, default=train.PARAMS["c2"], help="L2 penalty")
    ap.add_argument("--triggers", action="store_true",
                    help="trigger features from a table counted on this protocol's training data")
    ap.add_argument("--crossfit", type=int, default=0, help="cross-fit the trigger table over this many folds")
    ap.add_argument("--neighbour-clusters", default=",".join(features.NEIGHBOUR_CLUSTERS))
    ap.add_argument("--clusters", default=None, help="another cluster table (build_clusters --out)")
    ap.add_argument("--rest", action="store_true", help="also score the ANERcorp train sentences left out")
    args = ap.parse_args(argv)

    sentences = read_bio(args.train_bio)
    used, rest = sentences[:args.anercorp_sentences], sentences[args.anercorp_sentences:]
    with tempfile.TemporaryDirectory() as tmp:
        table = os.path.join(tmp, "triggers.tsv")  # absent unless asked for: no trigger features
        if args.triggers:
            docs = train.indomain_documents()
            build_triggers.write(build_triggers.build(used + [s for d in docs for s in d]), table, "the protocol's data")
        features.set_tables(args.clusters, table, tuple(args.neighbour_clusters.split(",")))
        summary = train.train(args.train_bio, args.out, params={"max_iterations": args.iterations, "c1": args.c1, "c2": args.c2},
                              indomain_repeat=args.repeat, anercorp_sentences=args.anercorp_sentences,
                              trigger_folds=args.crossfit if args.triggers else 0)
        print(f"trained in {summary['seconds']} s, {summary['active_features']} active features")
        for rules in (False, True):
            r = indomain.evaluate("dev", model_path=args.out, use_rules=rules)
            print(f"dev, {'with rules' if rules else 'bare'}: {_scores(r)}")
        if args.rest and rest:
            from marsad.ner.evaluate import evaluate

            path = os.path.join(tmp, "rest.bio")
            with open(path, "w", encoding="utf-8") as f:
                for tokens, tags in rest:
                    f.write("".join(f"{w} {t}\n" for w, t in zip(tokens, tags)) + "\n")
            r = evaluate(path, args.out, model="crf")
            print(f"ANERcorp train sentences left out ({len(rest)}), bare: {_scores(r, 'micro_per_loc_org')}")
        features.set_tables()


if __name__ == "__main__":
    main()
