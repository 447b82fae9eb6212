"""Benchmark: ingest + cleaning throughput and peak memory on the shared corpora.

    .venv/bin/python bench/ingest.py                 # both corpora, read + clean only
    .venv/bin/python bench/ingest.py --store         # also write every article to a fresh SQLite store
    .venv/bin/python bench/ingest.py --limit 2000 ant

Each corpus runs in its own child process so that peak RSS is that corpus's own.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CORPORA = {
    "ant": SHARED / "ant" / "ant-v2.1.jsonl.gz",
    "saudinewsnet": SHARED / "saudinewsnet" / "saudinewsnet.jsonl.gz",
}


def _limited(path: Path, limit: int | None, workdir: str) -> str:
    if not limit:
        return str(path)
    import gzip

    out = os.path.join(workdir, f"{path.stem}.head{limit}.jsonl")
    with gzip.open(path, "rt", encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i >= limit:
                break
            dst.write(line)
    return out


def run_one(name: str, limit: int | None, store: bool, queue) -> None:
    from marsad.ingest.build import build_articles
    from marsad.store.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory() as tmp:
        path = _limited(CORPORA[name], limit, tmp)
        db = SQLiteStore(os.path.join(tmp, "bench.db")) if store else None
        n_ok = n_err = chars = 0
        batch = []
        t0 = time.perf_counter()
        for item in build_articles([path]):
            if hasattr(item, "problem"):
                n_err += 1
                continue
            n_ok += 1
            chars += len(item.text)
            if db is not None:
                batch.append(item)
                if len(batch) >= 500:
                    db.add_many(batch)
                    batch.clear()
        if db is not None:
            db.add_many(batch)
            db.close()
        elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((name, n_ok, n_err, chars, elapsed, peak_mb))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpora", nargs="*", default=list(CORPORA))
    ap.add_argument("--limit", type=int, default=None, help="first N records only")
    ap.add_argument("--store", action="store_true", help="also store into SQLite")
    args = ap.parse_args()
    missing = [c for c in args.corpora if not CORPORA[c].exists()]
    if missing:
        sys.exit(f"corpus not found: {', '.join(str(CORPORA[c]) for c in missing)}")
    print(f"# ingest{' + store' if args.store else ''} benchmark — {time.strftime('%Y-%m-%d')}, "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| corpus | articles | errors | chars | seconds | articles/s | peak RSS (MB) |")
    print("|---|---|---|---|---|---|---|")
    ctx = mp.get_context("spawn")
    for name in args.corpora:
        q = ctx.Queue()
        p = ctx.Process(target=run_one, args=(name, args.limit, args.store, q))
        p.start()
        name, ok, err, chars, secs, peak = q.get()
        p.join()
        print(f"| {name} | {ok} | {err} | {chars:,} | {secs:.1f} | {ok / secs:.0f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
