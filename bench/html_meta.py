"""Score HTML page metadata and body extraction on the page set in tests/data/html/.

    PYTHONPATH=src python bench/html_meta.py [--split dev|heldout|all] [--show]

For every page: the article Marsad builds from it (``build_article``) against expected.json —
title (exact, whitespace collapsed), publication date (exact day), author (exact; on pages that
name one; pages that name none are scored on inventing none), body kept (each expected
paragraph is in the text) and boilerplate out (each boilerplate string is not). The held-out
split was written before the extractor was tuned and is never tuned on.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict

from marsad.ingest.build import build_article
from marsad.ingest.read import IngestError, RawDoc

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "html")


def _same(a, b) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def score(split: str = "all", show: bool = False) -> dict[str, dict[str, float]]:
    expected = json.load(open(os.path.join(HERE, "expected.json"), encoding="utf-8"))
    tallies: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for name, exp in sorted(expected.items()):
        part = name.split("/")[0]
        if split != "all" and part != split:
            continue
        html = open(os.path.join(HERE, name), encoding="utf-8").read()
        art = build_article(RawDoc(name, "html", html, path=name))
        got = {} if isinstance(art, IngestError) else {
            "title": art.title, "published": art.published, "author": art.author, "text": art.text}
        text = got.get("text") or ""
        checks = {
            "title": _same(got.get("title"), exp["title"]),
            "published": got.get("published") == exp["published"],
            "body kept": [p in text for p in exp["body"]],
            "boilerplate out": [b not in text for b in exp["boilerplate"]],
        }
        if exp["author"]:
            checks["author (named)"] = _same(got.get("author"), exp["author"])
        else:
            checks["no author invented"] = not got.get("author")
        for t in (part, "all"):
            for k, v in checks.items():
                tallies[t][k].extend(v if isinstance(v, list) else [v])
        if show:
            bad = [k for k, v in checks.items() if not (all(v) if isinstance(v, list) else v)]
            if bad:
                print(f"{name}: " + "; ".join(
                    f"{k}: got {got.get(k.split()[0] if k != 'no author invented' else 'author')!r}"
                    if k in ("title", "published", "author (named)", "no author invented") else k for k in bad),
                    file=sys.stderr)
    return {t: {k: sum(v) / len(v) for k, v in d.items()} | {"pages": len(d["title"])} for t, d in tallies.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="all", choices=("dev", "heldout", "all"))
    ap.add_argument("--show", action="store_true", help="print each page's misses to stderr")
    args = ap.parse_args()
    result = score(args.split, args.show)
    keys = ["title", "published", "author (named)", "no author invented", "body kept", "boilerplate out"]
    print("| split | pages | " + " | ".join(keys) + " |")
    print("|---|---|" + "---|" * len(keys))
    for t in ("dev", "heldout", "all"):
        if t in result:
            r = result[t]
            print(f"| {t} | {r['pages']} | " + " | ".join(f"{r[k]:.2f}" if k in r else "–" for k in keys) + " |")


if __name__ == "__main__":
    main()
