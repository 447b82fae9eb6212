"""Benchmark: the per-article stages, one process, CPU seconds per stage on the first N ANT articles.

    .venv/bin/python bench/stages.py                  # 500 articles
    .venv/bin/python bench/stages.py --limit 1000 --profile

Times :func:`marsad.ingest.build.build_article` and each component of
:data:`marsad.pipeline.ARTICLE_COMPONENTS` separately (CPU time of this process, which a busy
machine disturbs less than wall time), after one warm-up article that loads the models.
It prints a digest of every article produced (its JSON): an optimisation must leave it
unchanged. ``--profile`` runs the same under cProfile and prints the top functions instead.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pipeline import ANT, head  # noqa: E402  (bench/pipeline.py)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--limit", type=int, default=500)
    p.add_argument("--profile", action="store_true", help="cProfile instead of timings")
    args = p.parse_args(argv)

    from marsad.ingest.build import build_article
    from marsad.ingest.read import read_path
    from marsad.pipeline import article_components
    from marsad.runtime import limit_threads

    limit_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "head.jsonl")
        head(ANT, args.limit, path)
        raws = list(read_path(path))
    components = article_components()
    warm = build_article(raws[0])
    for c in components:
        warm = c(warm)

    cpu = {"build": 0.0, **{type(c).__name__: 0.0 for c in components}}
    digest = hashlib.sha256()

    def run() -> None:
        for raw in raws:
            t = time.process_time()
            item = build_article(raw)
            cpu["build"] += time.process_time() - t
            if not hasattr(item, "text"):
                digest.update(str(item).encode())
                continue
            for c in components:
                t = time.process_time()
                item = c(item)
                cpu[type(c).__name__] += time.process_time() - t
            digest.update(json.dumps(item.to_dict(), ensure_ascii=False, sort_keys=True).encode())

    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(run)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    else:
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        wall, total = time.perf_counter() - t0, time.process_time() - c0
        print(f"{len(raws)} documents: {wall:.1f} s wall, {total:.1f} s CPU ({len(raws) / total:.1f} articles "
              f"per CPU second), load average {os.getloadavg()[0]:.2f}")
        for stage, s in cpu.items():
            print(f"  {stage:16s} {s:7.2f} s CPU  {1000 * s / len(raws):6.1f} ms an article")
    print("digest", digest.hexdigest())


if __name__ == "__main__":
    main()
