"""Benchmark: the product command, `marsad analyze`, end to end on the first N ANT articles.

    .venv/bin/python bench/pipeline.py                          # 500 articles, 1 and 2 workers
    .venv/bin/python bench/pipeline.py --sizes 500,2000 --workers 2
    .venv/bin/python bench/pipeline.py --sizes all --workers 2

For each size the first N records of the corpus are written to a temporary JSONL file; then
`marsad analyze FILE --out … --workers W --timings` runs as a child process (this checkout's
``src`` first on its path) and the script prints, per run: wall time, articles/s, the per-stage
split the CLI prints (read + per-article stages + store, link, derive, report), the peak RSS of the main
process and of its largest worker. In the same run it times a floor program on the same file
(read the JSONL, NFKC, split into words): the ratio to it is comparable across runs on a noisy,
shared machine where the seconds are not.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANT = ROOT.parent / "shared" / "corpus" / "ant" / "ant-v2.1.jsonl.gz"
_TIME_LINE = re.compile(r"^marsad: time: (\S+) ([\d.]+) s$", re.M)


def head(corpus: Path, n: int | None, out: str) -> int:
    """The first ``n`` records (all when None) of a .jsonl[.gz] into ``out``; how many."""
    opener = gzip.open if corpus.suffix == ".gz" else open
    count = 0
    with opener(corpus, "rt", encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            if n is not None and count >= n:
                break
            dst.write(line)
            count += 1
    return count


def floor(path: str) -> float:
    """Seconds for the least any reader of the corpus does: parse each line, NFKC its text,
    split it into words. The fastest of repeated runs (at least 1 s of them): the floor must
    not be noisier than what it is compared with."""
    best, spent = float("inf"), 0.0
    while spent < 1.0 or best == float("inf"):
        t0 = time.perf_counter()
        words = 0
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                words += len(unicodedata.normalize("NFKC", rec.get("text") or rec.get("html") or "").split())
        took = time.perf_counter() - t0
        best, spent = min(best, took), spent + took
    return best


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _peak_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def analyze(path: str, workers: int, threads: int, out: str) -> dict:
    """Run `marsad analyze` once: wall seconds, per-stage seconds, peak RSS (MB) of the main
    process (its own rusage) and of the largest descendant (a worker; sampled from /proc)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "marsad.interfaces.cli", "analyze", path, "--out", out, "--quiet",
           "--workers", str(workers), "--threads", str(threads), "--timings"]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        worker_kb: dict[int, int] = {}
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)  # this child's own rusage
            if pid:
                break
            for d in _descendants(child.pid):  # the workers' peaks, read while they live
                worker_kb[d] = max(worker_kb.get(d, 0), _peak_kb(d))
            time.sleep(0.25)
        wall = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    if child.returncode != 0:
        raise SystemExit(f"marsad analyze failed ({child.returncode}):\n{stderr}")
    return {
        "wall": wall,
        "stages": {name: float(sec) for name, sec in _TIME_LINE.findall(stderr)},
        "main_mb": usage.ru_maxrss / 1024,
        "worker_mb": max(worker_kb.values(), default=0) / 1024,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=ANT, help=f"JSONL(.gz) corpus (default: {ANT})")
    p.add_argument("--sizes", default="500", help="comma-separated article counts, or 'all' (default: 500)")
    p.add_argument("--workers", default="1,2", help="comma-separated --workers values (default: 1,2)")
    p.add_argument("--threads", type=int, default=1, help="--threads for marsad (default: 1)")
    args = p.parse_args(argv)
    if not args.corpus.is_file():
        raise SystemExit(f"no corpus at {args.corpus}")
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f} at start; {args.corpus.name}")
    print("| articles | workers | wall s | articles/s | floor s | × floor | articles s | × floor | link s | derive s "
          "| report s | peak RSS main MB | peak RSS worker MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            path = os.path.join(tmp, f"head{size}.jsonl")
            n = head(args.corpus, None if size == "all" else int(size), path)
            for w in (int(x) for x in args.workers.split(",")):
                floor_s = floor(path)  # right before each run: the ratio compares like with like
                print(f"# {n:,} articles: floor (read JSONL + NFKC + word split) {floor_s:.3f} s, "
                      f"{n / floor_s:,.0f} articles/s", flush=True)
                r = analyze(path, w, args.threads, os.path.join(tmp, "report.json"))
                st = r["stages"]
                print(f"| {n:,} | {w} | {r['wall']:.1f} | {n / r['wall']:.1f} | {floor_s:.2f} | "
                      f"{r['wall'] / floor_s:.0f} | {st.get('articles', 0):.1f} | {st.get('articles', 0) / floor_s:.0f} | "
                      f"{st.get('link', 0):.1f} | {st.get('derive', 0):.1f} | "
                      f"{st.get('report', 0):.1f} | {r['main_mb']:.0f} | {r['worker_mb'] or float('nan'):.0f} |",
                      flush=True)
    print(f"# load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
