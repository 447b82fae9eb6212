"""Count trigger words from the training annotations (a build step, not run at run time).

A trigger is a word whose position next to an entity is telling: "الرئيس"/"الوزير" before a
person, "وزارة"/"شركة" heading an organisation, "مدينة"/"في" before a place. The hand-written
lists (``titles.txt``, ``org_heads.txt``) name some; this counts them in the labelled training
data (ANERcorp train + the in-domain train split, the data the CRF is trained on), by the
clitic-stripped stem so "والرئيس" and "للرئيس" count as "رئيس". For each stem seen at least
``min_count`` times, the share of its occurrences in each role:

* ``PER<`` / ``ORG<`` / ``LOC<``: the next token starts a span of that type;
* ``PER>`` / ``ORG>`` / ``LOC>``: the previous token ends one ("بوتين قال");
* ``ORG^``: the word is the first token of an organisation (its head).

A role is kept where its share is at least ``min_share``; the CRF sees it in two levels
(``marsad.ner.features``) on the word and, through the shared features, on its neighbours.
Output: ``data/ner/triggers.tsv``, ``stem<TAB>role:share …``, sorted, so a rebuild on the same
data is byte-identical. Word keys and shares only, no text.

    python -m marsad.ner.build_triggers ../shared/data/ner/anercorp/train.bio
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from marsad.ner import clitics
from marsad.ner.bio import chunks, read_bio
from marsad.ner.lexicon import norm
from marsad.ner.tokenize import is_punct
from marsad.resources import data_path

ROLES = ("PER<", "ORG<", "LOC<", "PER>", "ORG>", "LOC>", "ORG^")


def stem(token: str) -> str:
    return clitics.split(norm(token))[1]


def count(sentences) -> tuple[Counter, dict[str, Counter]]:
    """(occurrences per stem, per role: stem → occurrences in that role)."""
    total: Counter = Counter()
    roles: dict[str, Counter] = {r: Counter() for r in ROLES}
    for tokens, tags in sentences:
        stems = [stem(t) for t in tokens]
        total.update(s for t, s in zip(tokens, stems) if not is_punct(t))
        for kind, start, end in chunks(tags):
            kind = "PER" if kind == "PERS" else kind
            if kind not in ("PER", "ORG", "LOC"):
                continue
            if start > 0 and not is_punct(tokens[start - 1]):
                roles[kind + "<"][stems[start - 1]] += 1
            if end < len(tokens) and not is_punct(tokens[end]):
                roles[kind + ">"][stems[end]] += 1
            if kind == "ORG" and end - start > 1:
                roles["ORG^"][stems[start]] += 1
    return total, roles


def build(sentences, min_count: int = 5, min_share: float = 0.1) -> dict[str, list[tuple[str, float]]]:
    total, roles = count(sentences)
    out: dict[str, list[tuple[str, float]]] = {}
    for s, n in total.items():
        if n < min_count or len(s) < 2:
            continue
        kept = [(r, roles[r][s] / n) for r in ROLES if roles[r][s] / n >= min_share]
        if kept:
            out[s] = kept
    return out


def write(table: dict[str, list[tuple[str, float]]], out: str, sources: str) -> None:
    lines = [
        f"# Trigger words counted by marsad.ner.build_triggers from {sources}:",
        "# stem<TAB>role:share … (PER< = the next token starts a person; ORG^ = heads an organisation).",
    ]
    for s in sorted(table):
        lines.append(s + "\t" + " ".join(f"{r}:{v:.2f}" for r, v in table[s]))
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    from marsad.ner.train import INDOMAIN_CORPORA, INDOMAIN_SPLITS, indomain_documents

    ap = argparse.ArgumentParser(description="Count NER trigger words in the training annotations.")
    ap.add_argument("train_bio")
    ap.add_argument("--out", default=None)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--min-share", type=float, default=0.1)
    args = ap.parse_args(argv)
    sentences = read_bio(args.train_bio)
    docs = indomain_documents(INDOMAIN_SPLITS, corpora=INDOMAIN_CORPORA)
    sentences += [s for d in docs for s in d]
    table = build(sentences, args.min_count, args.min_share)
    out = args.out or str(data_path("ner/triggers.tsv"))
    write(table, out, "ANERcorp train + the in-domain train split")
    print({"sentences": len(sentences), "stems": len(table), "out": out})


if __name__ == "__main__":
    main()
