"""Benchmark: the Spark engine against the local engine on ANT, end to end through the CLI.

    .venv/bin/python bench/spark.py --limit 4000                  # local, then spark local[2]
    .venv/bin/python bench/spark.py --limit 1000 --masters 'local[1]' 'local[2]'
    .venv/bin/python bench/spark.py                               # all of ANT (hours here)

Each run is `marsad analyze ... --timings` in its own process tree (the Spark run includes the
JVM and its Python workers); peak memory is the largest sum of RSS over that tree, sampled
every 0.2 s. A floor measured in the same run (reading and cleaning the same input in one
process, no annotation) lets timings from a loaded machine be compared as ratios. Then the
outputs are compared: same articles, same entities, same reuse pairs, story agreement (ARI).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANT = ROOT.parent / "shared" / "corpus" / "ant" / "ant-v2.1.jsonl.gz"


def head(path: Path, limit: int | None, workdir: str) -> str:
    if not limit:
        return str(path)
    out = os.path.join(workdir, f"ant-head{limit}.jsonl")
    with gzip.open(path, "rt", encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for _, line in zip(range(limit), src):
            dst.write(line)
    return out


def tree_rss(pid: int) -> int:
    """Sum of RSS (bytes) of ``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, ()))
    return total


def run(cmd: list[str], env: dict) -> dict:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    stages = {}
    for line in err.splitlines():
        if line.startswith("marsad: time: "):
            name, seconds = line[len("marsad: time: "):].rsplit(" ", 2)[:2]
            stages[name] = float(seconds)
    return {"wall_s": round(wall, 1), "peak_mb": round(peak[0] / 2**20), "stages": stages}


def floor(path: str) -> float:
    """Seconds to read and clean the input in one process (no annotation, no links)."""
    code = ("import sys,time; from marsad.ingest.build import build_articles; t=time.perf_counter(); "
            "n=sum(1 for _ in build_articles([sys.argv[1]])); print(time.perf_counter()-t)")
    return float(subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True,
                                check=True).stdout.split()[-1])


def compare(local: dict, other: dict) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from marsad.link.stories.agreement import adjusted_rand_index

    pair = lambda p: (p["a"], p["b"], p["kind"])  # noqa: E731
    lp, op = {pair(p) for p in local["reuse"]}, {pair(p) for p in other["reuse"]}
    entity = lambda e: json.dumps(e, sort_keys=True, ensure_ascii=False)  # noqa: E731
    le, oe = set(map(entity, local["entities"])), set(map(entity, other["entities"]))
    stories = lambda r: {a: s["id"] for s in r["stories"] for a in s["articles"]}  # noqa: E731
    return {
        "same_articles": [a["id"] for a in local["articles"]] == [a["id"] for a in other["articles"]],
        "reuse_pairs": [len(lp), len(op), len(lp & op)],
        "entities_same": le == oe, "entities": [len(le), len(oe), len(le & oe)],
        "stories": [len(local["stories"]), len(other["stories"])],
        "story_ari": round(adjusted_rand_index(stories(local), stories(other)), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, help="first N ANT records (default: all)")
    ap.add_argument("--masters", nargs="+", default=["local[2]"])
    ap.add_argument("--no-local", action="store_true", help="skip the local engine run")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--workdir", help="keep inputs and reports here")
    args = ap.parse_args()
    if not ANT.exists():
        sys.exit(f"corpus not found: {ANT}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src")] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    cli = [sys.executable, "-m", "marsad.interfaces.cli", "analyze"]
    workdir = args.workdir or tempfile.mkdtemp(prefix="marsad-bench-spark-")
    os.makedirs(workdir, exist_ok=True)
    path = head(ANT, args.limit, workdir)
    results = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
               "load_before": os.getloadavg()[0], "articles": args.limit or "all", "runs": {}}
    results["floor_s"] = round(floor(path), 1)
    print(f"floor (read + clean): {results['floor_s']} s", flush=True)
    reports = {}
    todo = [(m, ["--engine", "spark", "--master", m]) for m in args.masters] + ([] if args.no_local else [("local", [])])
    for name, extra in todo:
        out = os.path.join(workdir, f"report-{name.replace('[', '').replace(']', '')}.json")
        db = os.path.join(workdir, f"store-{name.replace('[', '').replace(']', '')}.db")
        for f in (db, db + "-wal", db + "-shm"):
            if os.path.exists(f):
                os.remove(f)
        r = run(cli + [path, "--out", out, "--db", db, "-q", "--timings"] + extra, env)
        r["ratio_to_floor"] = round(r["wall_s"] / results["floor_s"], 1)
        results["runs"][name] = r
        print(name, json.dumps(r), flush=True)
        with open(out, encoding="utf-8") as fh:
            reports[name] = json.load(fh)
    if "local" in reports:
        for name in args.masters:
            results["runs"][name]["vs_local"] = compare(reports["local"], reports[name])
            print(name, "vs local:", json.dumps(results["runs"][name]["vs_local"]), flush=True)
    results["load_after"] = os.getloadavg()[0]
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
