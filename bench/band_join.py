"""Benchmark: the Spark engine's reuse band join, as arrays (marsad.engines.bands) against the
Python tuples + ``bucket_members`` it replaced, in one process (CPU seconds), on the first N
ANT records. Both pass their rows through one pickling round trip, as a shuffle does; the JVM's
side of the shuffle is not counted.

    .venv/bin/python bench/band_join.py --limit 2000
"""
from __future__ import annotations

import argparse
import gzip
import pickle
import tempfile
import time
from itertools import combinations, islice
from pathlib import Path

from marsad.engines import bands
from marsad.ingest.build import build_articles
from marsad.link.reuse import ReuseIndex
from marsad.link.reuse.candidates import bucket_members
from marsad.link.reuse.shingling import TokenStream

ANT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ant" / "ant-v2.1.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--shares", type=int, default=8, help="reduce tasks of the array join")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "head.jsonl"
        with gzip.open(ANT, "rt", encoding="utf-8") as src:
            path.write_text("".join(islice(src, args.limit)), encoding="utf-8")
        articles = [a for a in build_articles([str(path)]) if hasattr(a, "text")]
    index = ReuseIndex()
    cap = index.params.bucket_cap
    keyed = []
    for n, a in enumerate(articles):
        entry = index.entry(a)
        keyed.append((n, *index.band_keys(a.text, TokenStream(entry.hashes, *entry.offsets()))))

    started = time.process_time()
    rows = [((t, k), n) for n, doc, unit in keyed for t, keys in ((0, doc), (1, unit)) for k in set(keys.ravel().tolist())]
    rows = pickle.loads(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL))
    held: dict[tuple, list[int]] = {}
    for key, n in rows:  # what aggregateByKey did: the bucket rebuilt per row
        held[key] = bucket_members(held.get(key, []) + [n], cap)
    old_pairs = {p for members in held.values() for p in combinations(members, 2)}
    old = time.process_time() - started

    started = time.process_time()
    new_pairs: set[tuple[int, int]] = set()
    for _, share in bands.split(pickle.loads(pickle.dumps(bands.band_rows(keyed), pickle.HIGHEST_PROTOCOL)), args.shares):
        new_pairs |= set(bands.decode(bands.pairs(bands.buckets(share, cap))))
    new = time.process_time() - started
    print(f"{len(articles)} articles, {len(rows)} (band key, article) rows, {len(old_pairs)} candidate pairs, "
          f"same pairs: {old_pairs == new_pairs}")
    print(f"CPU s: tuples + bucket_members {old:.2f}, arrays {new:.2f}")


if __name__ == "__main__":
    main()
