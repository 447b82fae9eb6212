"""Candidate events for the hand-labelled story set (bench/data/stories_dev.tsv): a cheap,
independent grouping that only *proposes* what a person then reads and judges.

    .venv/bin/python bench/story_candidates.py --corpus ant --out /tmp/stories_dev/ant.txt

Rare words of title + lead (IDF over the corpus), cosine between articles of different outlets
published within ``--days`` of each other, single-link groups above ``--min-cos`` with at least
``--outlets`` outlets. Nothing here decides a label: the file lists titles and leads to read.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from marsad.text.normalize import normalize

SHARED = Path(os.environ.get("MARSAD_SHARED", Path(__file__).resolve().parents[1].parent / "shared")) / "corpus"
FILES = {"ant": SHARED / "ant" / "ant-v2.1.jsonl.gz", "saudinewsnet": SHARED / "saudinewsnet" / "saudinewsnet.jsonl.gz"}
_WORD = re.compile(r"[^\W\d_]{3,}|\d{2,}")


def records(corpus: str):
    with gzip.open(FILES[corpus], "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            day = (r.get("published") or r.get("extracted_at") or "")[:10]
            text = r.get("text") or ""
            if not day or not text.strip():
                continue
            yield {"id": str(r["id"]), "outlet": r.get("outlet") or "", "day": date.fromisoformat(day).toordinal(),
                   "title": " ".join((r.get("title") or "").split()), "lead": " ".join(text.split())[:400]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", choices=sorted(FILES), required=True)
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--min-cos", type=float, default=0.35)
    ap.add_argument("--outlets", type=int, default=3)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    recs = list(records(args.corpus))
    seen, uniq = set(), []
    for r in recs:  # repeated records (same outlet, same title) count once
        k = (r["outlet"], r["title"], r["lead"][:100])
        if k not in seen:
            seen.add(k)
            uniq.append(r)
    recs = uniq
    bags = [Counter(normalize(w) for w in _WORD.findall(r["title"] + " " + r["title"] + " " + r["lead"][:300])) for r in recs]
    df = Counter(w for b in bags for w in b)
    n = len(recs)
    vecs = []
    for b in bags:
        v = {w: (1 + math.log(c)) * math.log(n / df[w]) for w, c in b.items() if df[w] < n / 50}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({w: x / norm for w, x in v.items()})
    post = defaultdict(list)
    for i, v in enumerate(vecs):
        for w in sorted(v, key=v.get, reverse=True)[:12]:
            post[w].append(i)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, v in enumerate(vecs):
        cands = set()
        for w in sorted(v, key=v.get, reverse=True)[:12]:
            if len(post[w]) < 300:
                cands.update(post[w])
        for j in cands:
            if j <= i or recs[i]["outlet"] == recs[j]["outlet"] or abs(recs[i]["day"] - recs[j]["day"]) > args.days:
                continue
            s = sum(x * vecs[j].get(w, 0.0) for w, x in v.items())
            if s >= args.min_cos:
                parent[find(i)] = find(j)
    groups = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    out = [g for g in groups.values() if len({recs[i]["outlet"] for i in g}) >= args.outlets and len(g) <= 40]
    out.sort(key=lambda g: -len({recs[i]["outlet"] for i in g}))
    with open(args.out, "w", encoding="utf-8") as fh:
        for k, g in enumerate(out):
            fh.write(f"## G{k} {len(g)} articles, {len({recs[i]['outlet'] for i in g})} outlets\n")
            for i in sorted(g, key=lambda i: recs[i]["day"]):
                r = recs[i]
                fh.write(f"{r['id']}\t{date.fromordinal(r['day'])}\t{r['outlet']}\t{r['title']}\t{r['lead'][:220]}\n")
            fh.write("\n")
    print(f"{len(out)} groups written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
