"""Could entity linking run on a cluster, block by block? The key components of a store's mentions.

    .venv/bin/python bench/entity_blocks.py STORE.db [--json out.json]

The incremental entity linker (:mod:`marsad.link.names.incremental`) only ever looks a new
mention's entity up through keys: its form key, its spelling-variant block, its surname block
and its alias (``form_key``, ``lookup_keys``), against the keys stored for every entity
(``entity_keys``). Mentions that share no key, directly or through other mentions, never meet.
So the connected components of the graph "mention -- key" are blocks that could be linked
independently — one task each on a cluster — with only entity ids (suffixes of equal names)
settled on the driver. This measures those components on a built store:

- how many there are and how the mentions spread over them (the largest component bounds the
  longest task: if one holds most mentions, blocking gains nothing);
- whether every stored entity lies inside one component (if not, the linker joined mentions
  that share no key — the blocks would not be independent);
- the CPU seconds of one batch linking (``merge.link``) over all mentions, against the sum over
  the components and the largest one; whether both give the same clusters; and how many of the
  store's entities (linked incrementally, batch by batch) a single run reproduces exactly.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.link.names.aliases import alias_table  # noqa: E402
from marsad.link.names.incremental import form_key, lookup_keys  # noqa: E402
from marsad.link.names.merge import collect, link  # noqa: E402
from marsad.store.sqlite import SQLiteStore  # noqa: E402
from marsad.text.normalize import normalize  # noqa: E402


def keys_of(ref) -> set[str]:
    """Every key a mention is looked up by or stored under (``entity_keys``)."""
    out = lookup_keys(ref) | {"n:" + normalize(ref.name.surface)}
    key = form_key(ref)
    if key:
        out.add(key)
    return out


def components(refs) -> list[int]:
    """The component number of each ref (union-find over shared keys)."""
    parent = list(range(len(refs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[str, int] = {}
    for i, r in enumerate(refs):
        for k in keys_of(r):
            j = first.setdefault(k, i)
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(len(refs))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--json")
    ap.add_argument("--no-timing", action="store_true", help="skip linking (the slow part)")
    args = ap.parse_args()
    store = SQLiteStore(args.db)
    articles = list(store.articles(store.ids()))
    refs = collect(articles, alias_table())
    comp = components(refs)
    sizes = Counter(comp)
    by_size = sizes.most_common()
    db = sqlite3.connect(args.db)
    entity = {(a, i): e for a, i, e in db.execute("SELECT article, idx, entity FROM mentions WHERE entity IS NOT NULL")}
    spans: dict[str, set[int]] = defaultdict(set)
    for r, c in zip(refs, comp):
        e = entity.get((r.article, r.index))
        if e:
            spans[e].add(c)
    crossing = [e for e, cs in spans.items() if len(cs) > 1]
    largest = by_size[0][0]
    sample = Counter(r.name.surface for r, c in zip(refs, comp) if c == largest).most_common(8)
    out = {
        "store": args.db, "articles": len(articles), "mentions": len(refs), "components": len(sizes),
        "largest": [n for _, n in by_size[:5]], "largest_share": round(by_size[0][1] / max(1, len(refs)), 4),
        "singletons": sum(1 for _, n in by_size if n == 1),
        "entities": len(spans), "entities_across_components": len(crossing),
        "largest_sample": sample,
        # an entity across components: which spellings of it fell in which component
        "across_sample": {e: sorted({(r.name.surface, comp_of) for r, comp_of in zip(refs, comp)
                                     if entity.get((r.article, r.index)) == e}, key=str)[:6] for e in crossing[:5]},
    }
    if not args.no_timing:
        story_of = dict(db.execute("SELECT article, story FROM story_members"))
        t = time.process_time()
        whole = link(refs, story_of)
        out["link_all_cpu_s"] = round(time.process_time() - t, 2)
        groups: dict[int, list] = defaultdict(list)
        for r, c in zip(refs, comp):
            groups[c].append(r)
        t, per, blocked = time.process_time(), {}, []
        for c, rs in groups.items():
            t0 = time.process_time()
            blocked += link(rs, story_of)
            per[c] = time.process_time() - t0
        out["link_by_component_cpu_s"] = round(time.process_time() - t, 2)
        out["link_largest_component_cpu_s"] = round(per[largest], 2)
        # the same clusters either way? (a cluster = the set of its mentions)
        as_sets = lambda cs: {frozenset((r.article, r.index) for r in c.refs) for c in cs}  # noqa: E731
        out["clusters"] = [len(whole), len(blocked)]
        # and against the store's entities, linked incrementally batch by batch
        stored: dict[str, set] = defaultdict(set)
        for r in refs:
            e = entity.get((r.article, r.index))
            if e:
                stored[e].add((r.article, r.index))
        single = as_sets(whole)
        out["stored_entities_a_single_run_gives"] = [sum(1 for m in stored.values() if frozenset(m) in single),
                                                     len(stored)]
        out["same_clusters"] = as_sets(whole) == as_sets(blocked)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
