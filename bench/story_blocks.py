"""Benchmark: how far story assignment in time blocks (the Spark engine's) agrees with the local
engine's single pass, for several block and halo sizes, without Spark.

    .venv/bin/python bench/spark.py --limit 4000 --workdir /tmp/b4000      # writes store-local.db
    .venv/bin/python bench/story_blocks.py /tmp/b4000/store-local.db

Reads a store the local engine built (its articles, reuse pairs and stories), embeds every
article once, then assigns the stories again block by block (link/stories/blocks.py) in two
orders — the local engine's (ingest batch by ingest batch, by date within each) and global
date order — and prints the adjusted Rand index against the stored stories.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from marsad.link.stories import StoryIndex  # noqa: E402
from marsad.link.stories.agreement import adjusted_rand_index  # noqa: E402
from marsad.link.stories.blocks import arrival_ranks, assign_block, block_keys, day_number, merge_blocks  # noqa: E402
from marsad.store.sqlite import SQLiteStore, pair_row  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", help="a store written by the local engine")
    ap.add_argument("--batch", type=int, default=500, help="the ingest batch it was built with")
    ap.add_argument("--settings", nargs="+", default=["100000/0", "60/14", "90/21", "60/30", "30/14"],
                    metavar="BLOCK/HALO", help="block and halo days to try")
    args = ap.parse_args()
    store = SQLiteStore(args.db, readonly=True)
    ids = [r[0] for r in store.db.execute("SELECT id FROM articles ORDER BY seq")]
    arts = {a.id: a for a in store.articles(ids)}
    stored = dict(store.db.execute("SELECT article, story FROM story_members"))
    pairs = [pair_row(r) for r in store.db.execute(
        "SELECT a, b, kind, shared_chars, passages, agency FROM reuse_pairs ORDER BY seq")]
    for a in arts.values():  # as the stories saw them: a date inferred from the story came later
        if a.published_source == "story":
            a.published, a.published_source = None, None
    started = time.perf_counter()
    vectors = dict(zip(ids, StoryIndex().embed([arts[i] for i in ids])))
    print(f"{len(ids)} articles embedded in {time.perf_counter() - started:.1f} s", flush=True)

    def index() -> StoryIndex:
        ix = StoryIndex()
        ix.embed = lambda articles: np.stack([vectors[a.id] for a in articles])  # embedded once above
        return ix

    days = {i: day_number(arts[i].published) for i in ids}
    dated = [d for d in days.values() if d is not None]
    orders = {"local order": arrival_ranks([arts[i] for i in ids], args.batch),
              "date order": arrival_ranks([arts[i] for i in ids], len(ids))}
    print("| order | block days | halo days | stories | ARI vs local |\n|---|---|---|---|---|")
    for name, rank in orders.items():
        for setting in args.settings:
            block_days, halo_days = map(int, setting.split("/"))
            last = max(dated) // block_days if dated else 0
            blocks: dict[int, list] = defaultdict(list)
            for i in ids:
                for b, mine in block_keys(days[i], last, block_days, halo_days):
                    blocks[b].append((rank[i], i, mine))
            rows = []
            for b, members in blocks.items():
                members.sort()
                inside = {i for _, i, _ in members}
                own = {i for _, i, mine in members if mine}
                block_pairs = [p for p in pairs if p["a"] in inside and p["b"] in inside]
                for article, story, mine, _, _ in assign_block([arts[i] for _, i, _ in members], block_pairs, own,
                                                               index()):
                    rows.append((b, article, story, mine))
            got = merge_blocks(rows, rank)
            print(f"| {name} | {block_days} | {halo_days} | {len(set(got.values()))} | "
                  f"{adjusted_rand_index(got, stored):.4f} |", flush=True)


if __name__ == "__main__":
    main()
