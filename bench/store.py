"""A living store at corpus scale: ANT + SaudiNewsNet ingested in several runs with the product
command, then 1,000 more articles, then `marsad report` of the whole store and of one story.

    .venv/bin/python bench/store.py --db /tmp/marsad60k.db [--runs 4] [--limit N] [--workers 2]

Prints, per run: articles, wall seconds, articles/s, peak RSS of the command, stories and
entities after it; then the time to ingest 1,000 more into the full store against the whole
build (target: under 1/20), and the report times. Keep the store for bench/serve.py.
Figures go to docs/benchmarks.md ("Living store").
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
CORPORA = (SHARED / "ant" / "ant-v2.1.jsonl.gz", SHARED / "saudinewsnet" / "saudinewsnet.jsonl.gz")
MARSAD = [sys.executable, "-m", "marsad.interfaces.cli"]


def records(limit: int | None) -> list[bytes]:
    """ANT (2018) then SaudiNewsNet (2015): later runs add other years and outlets."""
    lines: list[bytes] = []
    for path in CORPORA:
        with gzip.open(path, "rb") as fh:
            lines.extend(itertools.islice(fh, limit // len(CORPORA) if limit else None))
    return lines


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stderr of a command run under /usr/bin/time -v."""
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0,):
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return wall, (int(rss.group(1)) / 1024 if rss else float("nan")), proc.stderr


def counts(db: str) -> tuple[int, int, int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("articles", "stories", "entities"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=4, help="the corpus less 1,000 articles in this many runs")
    ap.add_argument("--limit", type=int, help="records in all (default: both corpora whole)")
    ap.add_argument("--more", type=int, default=1000)
    ap.add_argument("--workers", type=int)
    args = ap.parse_args()
    if not all(p.exists() for p in CORPORA):
        print("skipped: ../shared/corpus (ANT, SaudiNewsNet) is absent")
        return 0
    if os.path.exists(args.db):
        raise SystemExit(f"{args.db} exists: give a new path")
    extra = ["--workers", str(args.workers)] if args.workers else []
    lines = records(args.limit)
    base, more = lines[: len(lines) - args.more], lines[len(lines) - args.more:]
    tmp = Path(tempfile.mkdtemp(prefix="marsad-store-bench-"))
    size = -(-len(base) // args.runs)
    build = 0.0
    print(f"{len(lines)} records: {len(base)} in {args.runs} runs, then {len(more)} more", flush=True)
    for n in range(args.runs):
        part = tmp / f"run{n}.jsonl"
        part.write_bytes(b"".join(base[n * size:(n + 1) * size]))
        wall, rss, _ = timed([*MARSAD, "ingest", str(part), "--db", args.db, "-q", *extra])
        build += wall
        a, s, e = counts(args.db)
        print(f"run {n + 1}: {min(size, len(base) - n * size)} records in {wall:.1f} s "
              f"({min(size, len(base) - n * size) / wall:.1f}/s), peak RSS {rss:.0f} MB; "
              f"store: {a} articles, {s} stories, {e} entities", flush=True)
    part = tmp / "more.jsonl"
    part.write_bytes(b"".join(more))
    wall, rss, _ = timed([*MARSAD, "ingest", str(part), "--db", args.db, "-q", *extra])
    a, s, e = counts(args.db)
    print(f"{len(more)} more into the {a - len(more)}-article store: {wall:.1f} s, peak RSS {rss:.0f} MB "
          f"({wall / build:.3f} of the whole build's {build:.1f} s; target < 0.05)", flush=True)
    wall, rss, _ = timed([*MARSAD, "report", "--db", args.db, "--out", str(tmp / "all.json"), "-q"])
    print(f"report of the whole store: {wall:.1f} s, peak RSS {rss:.0f} MB, "
          f"{(tmp / 'all.json').stat().st_size / 1e6:.0f} MB of JSON", flush=True)
    with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as conn:
        story = conn.execute("SELECT id, size FROM stories ORDER BY size DESC LIMIT 1").fetchone()
    wall, rss, _ = timed([*MARSAD, "report", "--db", args.db, "--out", str(tmp / "one.json"), "--story", story[0], "-q"])
    print(f"report of one story ({story[1]} articles): {wall:.2f} s, peak RSS {rss:.0f} MB", flush=True)
    print(f"store file: {os.path.getsize(args.db) / 1e6:.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
