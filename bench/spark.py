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


TICK = os.sysconf("SC_CLK_TCK")


def tree_usage(pid: int) -> tuple[int, dict[int, tuple[str, float]]]:
    """Sum of RSS (bytes) of ``pid`` and its descendants, and each one's CPU seconds (user +
    system) by role: ``driver`` (``pid`` itself: the marsad process), ``jvm`` (Spark's JVM:
    scheduling, shuffles, the block store) or ``workers`` (everything else: Spark's Python
    workers, or the local engine's pool)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, tuple[str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                head, tail = fh.read().rsplit(")", 1)
            fields = tail.split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            name = head.split("(", 1)[1]
            cpu[int(entry)] = ("jvm" if name == "java" else "workers", (int(fields[11]) + int(fields[12])) / TICK)
        except (OSError, IndexError, ValueError):
            continue
    total, todo, mine = 0, [pid], {}
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        if p in cpu:
            mine[p] = ("driver", cpu[p][1]) if p == pid else cpu[p]
        todo.extend(children.get(p, ()))
    return total, mine


def run(cmd: list[str], env: dict, log=None) -> dict:
    """Run ``cmd``; its stderr goes to ``log`` (a text file) line by line as it comes, with the
    tree's RSS every minute, so a run of hours shows how far it got even if it dies."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    seen: dict[int, tuple[str, float]] = {}  # every process of the tree: its role, its last CPU seconds
    marks: list[tuple[str, dict[str, float]]] = []  # (stage, CPU seconds by role when it ended)

    def cpu_by_role() -> dict[str, float]:
        out = {"driver": 0.0, "jvm": 0.0, "workers": 0.0}
        for role, seconds in list(seen.values()):
            out[role] += seconds
        return out

    def note(line: str) -> None:
        if log:
            log.write(f"{time.perf_counter() - started:8.1f} s  {line}\n")
            log.flush()

    def sample():
        last = 0.0
        while proc.poll() is None:
            rss, cpu = tree_usage(proc.pid)
            seen.update(cpu)  # a process that ended keeps its last reading (0.2 s old at most)
            peak[0] = max(peak[0], rss)
            if time.perf_counter() - last >= 60:
                last = time.perf_counter()
                note(f"rss {rss / 2**20:.0f} MB (peak {peak[0] / 2**20:.0f} MB), load {os.getloadavg()[0]:.1f}")
            time.sleep(0.2)

    lines: list[str] = []

    def drain():  # stderr read as it comes (not at the end), so the log shows progress
        for line in proc.stderr:
            lines.append(line)
            note(line.rstrip())
            if line.startswith("marsad: time: "):
                marks.append((line[len("marsad: time: "):].rsplit(" ", 2)[0], cpu_by_role(), time.perf_counter()))

    sampler = threading.Thread(target=sample, daemon=True)
    reader = threading.Thread(target=drain, daemon=True)
    sampler.start(), reader.start()
    out = proc.stdout.read()
    proc.wait()
    reader.join()
    wall = time.perf_counter() - started
    sampler.join()
    err = "".join(lines)
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    stages = {}
    for line in err.splitlines():
        if line.startswith("marsad: time: "):
            name, seconds = line[len("marsad: time: "):].rsplit(" ", 2)[:2]
            stages[name] = float(seconds)
    # CPU seconds by role spent in each stage: between the line that ends it and the one before.
    # Stages reported together (one timed inside another: the local engine's link stage, the
    # Spark engine's entity linking) share one entry, "a + b": their CPU cannot be told apart here
    zero = {"driver": 0.0, "jvm": 0.0, "workers": 0.0}
    cpu_stages, start, before, prev, prev_when = {}, zero, zero, None, None
    for stage, at, when in marks:
        if prev is not None and when - prev_when < 0.5:
            del cpu_stages[prev]
            stage = f"{prev} + {stage}"
        else:
            start = before  # this stage began where the last one ended
        cpu_stages[stage] = {role: round(at[role] - start[role], 1) for role in at}
        before, prev, prev_when = at, stage, when
    total = cpu_by_role()
    return {"wall_s": round(wall, 1), "peak_mb": round(peak[0] / 2**20), "stages": stages,
            "cpu_s": {role: round(v, 1) for role, v in total.items()}, "cpu_by_stage": cpu_stages}


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
    ap.add_argument("--parquet", action="store_true", help="spark runs also write the tables as Parquet (timed)")
    ap.add_argument("--log", help="append each run's stderr and its memory every minute here, as it runs")
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
    log = open(args.log, "a", encoding="utf-8") if args.log else None
    todo = [(m, ["--engine", "spark", "--master", m]
             + (["--parquet", os.path.join(workdir, f"parquet-{m.replace('[', '').replace(']', '')}")] if args.parquet else []))
            for m in args.masters] + ([] if args.no_local else [("local", [])])
    for name, extra in todo:
        out = os.path.join(workdir, f"report-{name.replace('[', '').replace(']', '')}.json")
        db = os.path.join(workdir, f"store-{name.replace('[', '').replace(']', '')}.db")
        for f in (db, db + "-wal", db + "-shm"):
            if os.path.exists(f):
                os.remove(f)
        r = run(cli + [path, "--out", out, "--db", db, "-q", "--timings"] + extra, env, log)
        r["ratio_to_floor"] = round(r["wall_s"] / results["floor_s"], 1)
        results["runs"][name] = r
        print(name, json.dumps(r), flush=True)
        if log:
            log.write(f"{name}: {json.dumps(r)}\n")
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
