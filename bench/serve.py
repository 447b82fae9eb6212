"""Latency of `marsad serve`: start-up, then p50/p99 per endpoint under concurrent loopback clients.

    python bench/serve.py --db STORE.db                 # any v2 store
    python bench/serve.py --synthetic 60000 --db /tmp/synthetic.db   # build a synthetic store first

--synthetic N ingests examples/corpus and replicates its rows (articles with their layers,
entities, stories, views, reuse pairs, search rows) with fresh ids up to N articles: every 8
articles are a copy of the examples with shifted dates and varied outlets, entities are split
into 50 copies, each story is copied per replica. The text is repeated, so every search word
hits thousands of articles: a pessimistic case for ranking. Figures: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
ENTITY_COPIES = 50


def build_synthetic(path: str, n: int) -> None:
    from marsad.interfaces.api import ingest
    from marsad.store.search import COLUMNS, search_columns
    from marsad.store.sqlite import SQLiteStore

    if os.path.exists(path):
        os.remove(path)
    with SQLiteStore(path) as store:
        ingest([str(ROOT / "examples" / "corpus")], store)
    db = sqlite3.connect(path)
    base = db.execute("SELECT * FROM articles ORDER BY seq").fetchall()
    acols = [d[0] for d in db.execute("SELECT * FROM articles LIMIT 0").description]
    reps = max(1, n // len(base))
    fts = {r[acols.index("id")]: search_columns(r[acols.index("title")], r[acols.index("text")]) for r in base}
    layers = {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in ("mentions", "quotes", "numbers", "dates")}
    lcols = {t: [d[0] for d in db.execute(f"SELECT * FROM {t} LIMIT 0").description] for t in layers}
    ents = db.execute("SELECT * FROM entities").fetchall()
    ecols = [d[0] for d in db.execute("SELECT * FROM entities LIMIT 0").description]
    keys = db.execute("SELECT key, entity FROM entity_keys WHERE key LIKE 'n:%'").fetchall()
    stories = db.execute("SELECT * FROM stories").fetchall()
    scols = [d[0] for d in db.execute("SELECT * FROM stories LIMIT 0").description]
    members = db.execute("SELECT article, story, pos FROM story_members").fetchall()
    views = db.execute("SELECT * FROM story_views").fetchall()
    pairs = db.execute("SELECT a, b, kind, shared_chars, agency, passages FROM reuse_pairs").fetchall()
    for t in ("articles", "mentions", "quotes", "numbers", "dates", "entities", "entity_keys", "stories",
              "story_members", "story_views", "reuse_pairs"):
        db.execute(f"DELETE FROM {t}")
    db.execute("INSERT INTO search_articles (search_articles) VALUES ('delete-all')")
    aid, pub, outl = acols.index("id"), acols.index("published"), acols.index("outlet")
    day0 = dt.date(2025, 1, 1)

    def ent(e, r):
        return None if e is None else f"{e}_{r % ENTITY_COPIES}"

    with db:
        for r in range(reps):
            rows, seqs = [], []
            for a in base:
                row = list(a[1:])  # seq is new
                row[aid - 1] = f"{a[aid]}_{r}"
                if a[pub]:
                    row[pub - 1] = (day0 + dt.timedelta(days=(r * 7 + int(a[pub][-2:])) % 700)).isoformat()
                row[outl - 1] = f"{a[outl]} {r % 20}" if a[outl] else None
                rows.append(row)
            for row, a in zip(rows, base):
                cur = db.execute(f"INSERT INTO articles ({', '.join(acols[1:])}) VALUES ({', '.join('?' * len(row))})", row)
                db.execute(f"INSERT INTO search_articles (rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?)",
                           (cur.lastrowid, *fts[a[aid]]))
            for t, items in layers.items():
                c = lcols[t]
                out = []
                for it in items:
                    it = list(it)
                    it[0] = f"{it[0]}_{r}"
                    for name in ("entity", "speaker"):
                        if name in c:
                            it[c.index(name)] = ent(it[c.index(name)], r)
                    out.append(it)
                db.executemany(f"INSERT INTO {t} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})", out)
            for s in stories:
                s = list(s)
                s[0] = f"{s[0]}_{r}"
                db.execute(f"INSERT INTO stories ({', '.join(scols)}) VALUES ({', '.join('?' * len(s))})", s)
            db.executemany("INSERT INTO story_members VALUES (?, ?, ?)", [(f"{a}_{r}", f"{s}_{r}", p) for a, s, p in members])
            db.executemany("INSERT INTO story_views VALUES (?, ?, ?, ?, ?, ?)", [(f"{v[0]}_{r}", *v[1:]) for v in views])
            db.executemany("INSERT INTO reuse_pairs (a, b, kind, shared_chars, agency, passages) VALUES (?,?,?,?,?,?)",
                           [(f"{p[0]}_{r}", f"{p[1]}_{r}", *p[2:]) for p in pairs])
        scale = reps / ENTITY_COPIES
        for k in range(ENTITY_COPIES):
            for e in ents:
                e = list(e)
                e[0] = f"{e[0]}_{k}"
                for name in ("mentions", "articles"):
                    e[ecols.index(name)] = int(e[ecols.index(name)] * scale)
                db.execute(f"INSERT INTO entities ({', '.join(ecols)}) VALUES ({', '.join('?' * len(e))})", e)
            db.executemany("INSERT INTO entity_keys VALUES (?, ?)", [(key, f"{e}_{k}") for key, e in keys])
    db.execute("ANALYZE")
    db.close()


# ---- load ---------------------------------------------------------------------------------------

def sample_urls(db_path: str, rng: random.Random) -> dict[str, list[str]]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    pick = lambda sql, k=50: [r[0] for r in db.execute(sql + f" ORDER BY random() LIMIT {k}")]  # noqa: E731
    stories, articles = pick("SELECT id FROM stories"), pick("SELECT id FROM articles")
    entities = pick("SELECT id FROM entities")
    top = [r[0] for r in db.execute("SELECT id FROM entities ORDER BY mentions DESC LIMIT 20")]
    speakers = pick("SELECT DISTINCT speaker FROM quotes WHERE speaker IS NOT NULL")
    outlets = pick("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL", 20)
    names = [r[0] for r in db.execute("SELECT name FROM entities ORDER BY mentions DESC LIMIT 30")]
    # 400 different names (each query once: nothing a cache could keep helps)
    distinct = iter(pick("SELECT name FROM entities WHERE articles >= 3", 400))
    words = ["جنيف", "الحدود البحرية", "مذكرة تفاهم", "الهجرة", "اتفاق", "وزير الخارجية", "ميناء", "استثمار"]
    db.close()
    q = lambda path, **p: path + ("?" + urlencode(p) if p else "")  # noqa: E731
    ch = rng.choice
    gen = {
        "health": lambda: "/api/health",
        "stories": lambda: q("/api/stories", sort=ch(["size", "recent"]), limit=50, offset=ch([0, 0, 50, 1000])),
        "stories?outlet": lambda: q("/api/stories", outlet=ch(outlets), limit=20),
        "story": lambda: f"/api/stories/{quote(ch(stories))}",
        "articles": lambda: q("/api/articles", limit=50, offset=ch([0, 50, 5000])),
        "articles?filters": lambda: ch([q("/api/articles", story=ch(stories)), q("/api/articles", outlet=ch(outlets)),
                                        q("/api/articles", since="2025-06-01", until="2025-06-30"),
                                        q("/api/articles", entity=ch(entities + top), limit=20)]),
        "article": lambda: f"/api/articles/{quote(ch(articles))}",
        "entities": lambda: ch([q("/api/entities", type=ch(["PER", "ORG", "LOC"]), limit=50),
                                q("/api/entities", prefix=ch(names)[:3])]),
        "entity": lambda: q(f"/api/entities/{quote(ch(entities + top))}", limit=50),
        "quotes": lambda: ch([q("/api/quotes", speaker=ch(speakers)), q("/api/quotes", story=ch(stories)),
                              q("/api/quotes", limit=50)]),
        "report?story": lambda: q("/api/report", story=ch(stories)),
        "search": lambda: q("/api/search", q=ch(names + words), limit=20),
        "search distinct": lambda: q("/api/search", q=next(distinct, ch(names)), limit=20),
    }
    return {name: [f() for _ in range(400)] for name, f in gen.items()}


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def hammer(port: int, urls: list[str], clients: int, per_client: int) -> tuple[list[float], int]:
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for j in range(per_client):
            url = urls[(i * per_client + j) % len(urls)]
            t = time.perf_counter()
            conn.request("GET", url)
            res = conn.getresponse()
            res.read()
            mine.append(time.perf_counter() - t)
            if res.status != 200:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors[0]


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by process `pid` and its descendants (Linux
    /proc; None elsewhere): the server's cost per request, which a loaded machine's queueing
    does not inflate the way it inflates latency."""
    try:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
    except OSError:
        return None
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        kids = [p for p, (pp, _) in stats.items() if pp == parent and p not in tree]
        tree.update(kids)
        frontier += kids
    return sum(stats[p][1] for p in tree if p in stats) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--synthetic", type=int, metavar="N", help="first build a synthetic store of N articles at --db")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=15, help="requests per client per endpoint")
    ap.add_argument("--full-report", action="store_true", help="also time one download of the whole report")
    ap.add_argument("--only", help="comma-separated endpoint names to measure (default: all)")
    ap.add_argument("--workers", type=int, default=1, help="marsad serve --workers (server processes)")
    args = ap.parse_args()
    if args.synthetic:
        t = time.perf_counter()
        build_synthetic(args.db, args.synthetic)
        print(f"built synthetic store: {args.synthetic} articles in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("articles", "mentions", "quotes", "entities", "stories")}
    db.close()
    print("store:", args.db, f"({os.path.getsize(args.db) / 2**20:.0f} MiB)", json.dumps(counts))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "marsad.interfaces.cli", "serve", "--db", args.db, "--port", "0",
                             "--quiet", "--workers", str(args.workers)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", proc.stderr.readline()).group(1))
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/api/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.005)
        startup = time.perf_counter() - t0
        print(f"start-up (process start to first /api/health answer): {startup:.2f} s")
        urls = sample_urls(args.db, random.Random(7))
        print(f"{'endpoint':<18} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>7} {'server CPU ms/req':>17} errors")
        for name, sample in urls.items():
            if args.only and name not in args.only.split(","):
                continue
            hammer(port, sample[:40], 4, 5)  # warm the connection threads and page cache
            cpu0, t = tree_cpu_seconds(proc.pid), time.perf_counter()
            lat, errors = hammer(port, sample, args.clients, args.requests)
            wall, cpu1 = time.perf_counter() - t, tree_cpu_seconds(proc.pid)
            ms = [x * 1000 for x in lat]
            cpu = f"{(cpu1 - cpu0) * 1000 / len(ms):>17.2f}" if cpu0 is not None and cpu1 is not None else f"{'—':>17}"
            print(f"{name:<18} {len(ms):>5} {percentile(ms, 50):>8.1f} {percentile(ms, 99):>8.1f} {max(ms):>8.1f} "
                  f"{len(ms) / wall:>7.0f} {cpu} {errors}")
        if args.full_report:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            t = time.perf_counter()
            c.request("GET", "/api/report")
            res = c.getresponse()
            first = res.read(1)
            ttfb = time.perf_counter() - t
            size = len(first) + sum(len(b) for b in iter(lambda: res.read(1 << 20), b""))
            print(f"full report: first byte {ttfb * 1000:.0f} ms, {size / 2**20:.0f} MiB in {time.perf_counter() - t:.1f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
