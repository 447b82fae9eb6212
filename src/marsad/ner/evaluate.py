"""CoNLL exact-span evaluation (seqeval/conlleval style): a predicted entity counts only when
its type, first and last token all match a gold entity.

    python -m marsad.ner.evaluate ../shared/data/ner/anercorp/test.bio
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Iterable, Sequence

from marsad.ner.bio import chunks, read_bio


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "predicted": n_pred, "gold": n_gold}


def prf_table(gold: Iterable[tuple], pred: Iterable[tuple], type_of) -> dict:
    """P/R/F1 per type and micro-averaged from sets of hashable entities (``type_of(entity)``
    gives the type): ``{"types": {TYPE: prf}, "micro": prf, "micro_per_loc_org": prf,
    "macro_f1": float}``."""
    g, p = set(gold), set(pred)
    n_gold = Counter(map(type_of, g))
    n_pred = Counter(map(type_of, p))
    tp = Counter(map(type_of, g & p))
    types = sorted(set(n_gold) | set(n_pred))
    result = {"types": {t: _prf(tp[t], n_pred[t], n_gold[t]) for t in types}}
    result["micro"] = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    core = [t for t in types if t in ("PERS", "PER", "LOC", "ORG")]
    result["micro_per_loc_org"] = _prf(
        sum(tp[t] for t in core), sum(n_pred[t] for t in core), sum(n_gold[t] for t in core)
    )
    result["macro_f1"] = sum(v["f1"] for v in result["types"].values()) / len(types) if types else 0.0
    return result


def score(gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]) -> dict:
    """Exact-span P/R/F1 per type and micro-averaged, from parallel tag sequences (sentences).

    Returns ``{"types": {TYPE: prf}, "micro": prf, "micro_per_loc_org": prf, "macro_f1": float}``.
    """
    g_all, p_all = [], []
    for n, (g_tags, p_tags) in enumerate(zip(gold, pred)):
        if len(g_tags) != len(p_tags):
            raise ValueError("gold and predicted sentences differ in length")
        g_all += [(n, *c) for c in chunks(g_tags)]
        p_all += [(n, *c) for c in chunks(p_tags)]
    return prf_table(g_all, p_all, type_of=lambda c: c[1])


def evaluate(
    bio_file: str, model_path: str | None = None, rules: bool = False, doc_size: int | None = None,
    model: str | None = None,
) -> dict:
    """Tag the tokens of ``bio_file`` with the model (default: the shipped one) and score them.

    ``model`` is ``"neural"`` (the BiLSTM-CNN-CRF, default when shipped) or ``"crf"``.

    ``rules=True`` scores the full EntityTagger pipeline (CRF + news rules + document
    propagation) instead of the bare CRF; its PER spans are scored as ANERcorp's PERS. Both
    read the file in pseudo-documents of ``doc_size`` consecutive sentences (default: as in
    training), since ANERcorp marks no article boundaries.
    """
    from marsad.ner.features import DOC_SIZE
    from marsad.ner.model import tag_sentences

    from marsad.extract.entities import default_model

    model = model or default_model()
    doc_size = doc_size or DOC_SIZE
    sentences = read_bio(bio_file)
    t0 = time.time()
    if rules:
        pred = _pipeline_tags([tokens for tokens, _ in sentences], model_path, doc_size, model)
    elif model == "neural":
        from marsad.ner.neural import tag_sentences as neural_tags

        pred = neural_tags([tokens for tokens, _ in sentences], model_path, doc_size)
    else:
        pred = tag_sentences([tokens for tokens, _ in sentences], model_path, doc_size)
    seconds = time.time() - t0
    result = score([tags for _, tags in sentences], pred)
    n_tokens = sum(len(t) for t, _ in sentences)
    result.update(
        file=bio_file,
        model=model,
        sentences=len(sentences),
        tokens=n_tokens,
        seconds=round(seconds, 2),
        tokens_per_second=round(n_tokens / seconds) if seconds else None,
    )
    return result


def _pipeline_tags(sentences: list[list[str]], model_path: str | None, doc_size: int, model: str) -> list[list[str]]:
    from marsad.extract.entities import tag_document

    out = []
    for i in range(0, len(sentences), doc_size):
        doc = sentences[i:i + doc_size]
        for tokens, spans in zip(doc, tag_document(doc, model_path, use_rules=True, model=model)):
            tags = ["O"] * len(tokens)
            for s in spans:
                kind = "PERS" if s.type == "PER" else s.type
                tags[s.start] = "B-" + kind
                for j in range(s.start + 1, s.end):
                    tags[j] = "I-" + kind
            out.append(tags)
    return out


def format_table(result: dict) -> str:
    """Per-type and micro P/R/F1 as a fixed-width text table (percentages)."""
    rows = [("type", "precision", "recall", "f1", "gold", "predicted")]
    for name, v in result["types"].items():
        rows.append((name, *_fmt(v)))
    rows.append(("micro", *_fmt(result["micro"])))
    if "micro_per_loc_org" in result:
        rows.append(("micro PER+LOC+ORG", *_fmt(result["micro_per_loc_org"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - (2 if "micro_per_loc_org" in result else 1), "-" * len(lines[0]))
    if "macro_f1" in result:
        lines.append(f"macro F1 {100 * result['macro_f1']:.2f}")
    return "\n".join(lines)


def _fmt(v: dict) -> tuple[str, ...]:
    return (
        f"{100 * v['precision']:.2f}",
        f"{100 * v['recall']:.2f}",
        f"{100 * v['f1']:.2f}",
        str(v["gold"]),
        str(v["predicted"]),
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Exact-span NER evaluation: an ANERcorp-style BIO file, "
                                 "then the in-domain annotated articles.")
    ap.add_argument("bio_file")
    ap.add_argument("--model-path", default=None)
    ap.add_argument("--model", choices=("neural", "crf"), default=None, help="default: neural when shipped")
    ap.add_argument("--rules", action="store_true", help="score model + news rules (the EntityTagger pipeline)")
    ap.add_argument("--indomain", default=None, metavar="SPLIT",
                    help="also score the in-domain SPLIT (train, dev or test) through the EntityTagger")
    ap.add_argument("--corpus-dir", default=None, help="where the in-domain articles are (default: ../shared/corpus)")
    args = ap.parse_args(argv)
    result = evaluate(args.bio_file, args.model_path, rules=args.rules, model=args.model)
    print(f"{args.bio_file}  model: {result['model']}  rules: {args.rules}  (token spans)")
    print(format_table(result))
    print(f"{result['tokens']} tokens in {result['seconds']} s ({result['tokens_per_second']} tokens/s)")
    if args.indomain:
        from marsad.ner import indomain

        try:
            r = indomain.evaluate(args.indomain, args.corpus_dir or indomain.DEFAULT_CORPUS_DIR, args.model_path,
                                  use_rules=args.rules, model=result["model"])
        except FileNotFoundError as e:
            print(f"\nin-domain {args.indomain}: skipped, corpus not found ({e.filename})")
            return
        print(f"\nin-domain {args.indomain}: {r['documents']} articles (ANT 2018, SaudiNewsNet 2015), "
              f"rules: {args.rules}  (exact character spans, proclitics outside)")
        print(format_table(r))
        print("\nerrors (gold spans missed / overlapped with another extent / with the exact extent "
              "but another type; predicted spans overlapping no gold span)")
        kinds = indomain.ERROR_KINDS
        print("type  " + "  ".join(f"{k:>10}" for k in kinds))
        for t, row in r["errors"].items():
            print(f"{t:<4}  " + "  ".join(f"{row[k]:>10}" for k in kinds))


if __name__ == "__main__":
    main()
