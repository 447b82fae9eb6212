"""Hostile input and faults, end to end through the real CLI in subprocesses; the figures in
docs/reliability.md come from here.

    PYTHONPATH=src python bench/hostile.py [inputs] [kill] [concurrent] [load] [--records 100]

inputs      every kind of bad input in one `marsad ingest` run beside good files: each must be
            named (file[:line]: problem), the good ones stored, the run bounded in time/memory
kill        `kill -9` of an ingest at five points (reading, first commit, linking, later
            batches, the final refresh); after each: the store opens, passes integrity_check,
            and a rerun ends with every article (compared with one clean run)
concurrent  two ingests of disjoint halves into one store at once: the union, nothing lost
load        `marsad serve` on loopback under 8 client threads for 10 s: requests/s, errors, p99
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANT = ROOT.parent / "shared" / "corpus" / "ant" / "ant-v2.1.jsonl.gz"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
PY = sys.executable
BODY = ("افتتح رئيس البلدية صباح اليوم الأحد جسراً جديداً يربط ضفتي النهر بطول 800 متر، بعد عامين من الأشغال. "
        "وقال المهندس المسؤول عن المشروع إن الجسر سيخفف الازدحام في وسط المدينة بنسبة كبيرة.")


def cli(*args, timeout=900, **kw):
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([PY, "-m", "marsad.interfaces.cli", *args], capture_output=True, text=True, env=ENV,
                         timeout=timeout, **kw)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return out, time.perf_counter() - t, max(rss, before) / 1024


def count(db: str) -> tuple[int, str]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT COUNT(*) FROM articles").fetchone()[0], con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


# --- inputs --------------------------------------------------------------------------------

def make_inputs(d: Path) -> dict[str, str]:
    """Write every kind of bad input; returns {kind: what its message must contain}."""
    good = "افتتاح جسر جديد فوق النهر\n\n" + BODY + "\n"
    (d / "good1.txt").write_text(good, encoding="utf-8")
    (d / "good2.txt").write_text(good.replace("النهر", "الوادي"), encoding="utf-8")
    expect = {}

    def jsonl(name, *lines):
        (d / name).write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode("utf-8") for x in lines) + b"\n")

    (d / "empty.txt").write_bytes(b""); expect["empty file"] = "empty.txt: empty file"
    (d / "blank.txt").write_bytes(b" \n\t\n"); expect["whitespace only"] = "blank.txt: empty file"
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8); expect["binary (PNG)"] = "binary.txt: binary file"
    (d / "garbled.txt").write_bytes("نص عربي ".encode() * 30 + b"\xff\xfe\xfa\xc3"); expect["undecodable bytes"] = "garbled.txt: undecodable"
    (d / "menu.html").write_text("<html><body><nav>الرئيسية</nav></body></html>", encoding="utf-8")
    expect["HTML without an article"] = "menu.html: no article text"
    (d / "short.txt").write_text("خبر قصير جدا", encoding="utf-8"); expect["too few words"] = "short.txt: no article text"
    jsonl("malformed.jsonl", "{not json"); expect["malformed JSON line"] = "malformed.jsonl:1: malformed JSON"
    jsonl("notext.jsonl", json.dumps({"id": 1})); expect["record without text/html"] = "notext.jsonl:1: record has no"
    jsonl("array.jsonl", "[1, 2]"); expect["line not an object"] = "array.jsonl:1: JSONL line is not an object"
    jsonl("deep.jsonl", "[" * 990 + "]" * 990); expect["nested ~990 levels"] = "deep.jsonl:1: JSON nested too deeply"
    jsonl("deep100.jsonl", '{"text": "x", "a": ' + "[" * 100 + "]" * 100 + "}"); expect["nested 100 levels (limit 64)"] = "deep100.jsonl:1: JSON nested too deeply"
    with open(d / "hugeline.jsonl", "wb") as fh:  # one 50 MB line, then a good record
        fh.write(b'{"text": "' + ("كلمة " * 6_000_000).encode()[:50_000_000] + b'"}\n')
        fh.write(json.dumps({"text": BODY + " سطر تال"}, ensure_ascii=False).encode() + b"\n")
    expect["50 MB JSONL line"] = "hugeline.jsonl:1: line too large"
    (d / "hugepara.txt").write_text("عنوان\n\n" + ("كلمة عربية أخرى " * 1_300_000)[:20_000_000], encoding="utf-8")
    expect["20 MB paragraph"] = "hugepara.txt: text too large"
    (d / "trunc.txt.gz").write_bytes(gzip.compress(good.encode())[:-12]); expect["truncated .gz"] = "trunc.txt.gz: cannot read"
    (d / "notgz.txt.gz").write_bytes(b"plain text, not gzip"); expect["not gzip"] = "notgz.txt.gz: cannot read"
    (d / "locked.txt").write_text(good, encoding="utf-8"); os.chmod(d / "locked.txt", 0)
    expect["unreadable file"] = "locked.txt: cannot read" if os.geteuid() != 0 else ""  # root reads it
    (d / "lockeddir").mkdir(); (d / "lockeddir" / "a.txt").write_text(good, encoding="utf-8"); os.chmod(d / "lockeddir", 0)
    expect["unreadable folder"] = "lockeddir: cannot read folder" if os.geteuid() != 0 else ""
    (d / "emptydir").mkdir(); expect["empty folder (given)"] = "emptydir: folder holds no readable input"
    (d / "docsdir").mkdir(); (d / "docsdir" / "notes.md").write_text("x"); expect["folder without inputs (given)"] = "docsdir: folder holds no readable input"
    os.symlink(d / "nowhere.txt", d / "broken.txt"); expect["broken symlink"] = "broken.txt: cannot read"
    jsonl("controls.jsonl", json.dumps({"title": "عنوان\x1b[2J\x07\u202eمقلوب", "text": "\x00" + BODY + "\x1b[31m"},
                                       ensure_ascii=False))
    expect["NUL, ESC, BEL, RLO in record"] = ""  # stored cleaned, printed escaped: checked below
    (d / "evil\x1b[31m\u202etxt.txt").write_bytes(b""); expect["controls in a file name"] = "evil\\x1b[31m\\u202etxt.txt: empty file"
    jsonl("future.jsonl", json.dumps({"text": BODY + " أ", "published": "9999-12-31"}, ensure_ascii=False))
    expect["published 9999-12-31"] = "future.jsonl:1: publication date '9999-12-31' is in the future"
    jsonl("old.jsonl", json.dumps({"text": BODY + " ب", "published": "1850-01-01"}, ensure_ascii=False))
    expect["published 1850-01-01"] = "old.jsonl:1: publication date '1850-01-01' is before 1900"
    jsonl("baddate.jsonl", json.dumps({"text": BODY + " ت", "published": "2025-13-45"}, ensure_ascii=False))
    expect["malformed date"] = "baddate.jsonl:1: publication date '2025-13-45' is not a date"
    jsonl("numdate.jsonl", json.dumps({"text": BODY + " ث", "published": 1733200000}, ensure_ascii=False))
    expect["numeric date"] = "numdate.jsonl:1: publication date '1733200000' is not a date"
    jsonl("surrogate.jsonl", '{"text": "' + BODY + ' ج \\ud800"}'); expect["lone surrogate escape"] = ""
    jsonl("url.jsonl", json.dumps({"url": "https://e.example/a", "text": "قصير"}, ensure_ascii=False))
    expect["JSONL error with a URL"] = "url.jsonl:1: no article text"
    (d / "utf16.jsonl").write_bytes(json.dumps({"text": BODY + " ح"}, ensure_ascii=False).encode("utf-16"))
    expect["UTF-16 JSONL"] = ""
    (d / "divs.html").write_text("<html><body>" + "<div>" * 5000 + f"<p>{BODY}</p>" + "</div>" * 5000 + "</body></html>",
                                 encoding="utf-8")
    expect["5,000 nested divs"] = "divs.html: no article text"  # lxml stops at 256 levels: named, not stored
    (d / "ldjson.html").write_text('<html><head><script type="application/ld+json">' + "[" * 5000 + "]" * 5000
                                   + f"</script></head><body><article><p>{BODY} د</p></article></body></html>",
                                   encoding="utf-8"); expect["JSON-LD nested 5,000 levels"] = ""
    (d / "longtitle.jsonl").write_text(json.dumps({"title": "عنوان " * 20000, "text": BODY + " ذ"}, ensure_ascii=False) + "\n",
                                       encoding="utf-8"); expect["100 KB title"] = ""
    (d / "onemb.txt").write_text("عنوان الخبر\n\n" + (BODY + " ") * (1_000_000 // (len(BODY) + 1) - 5), encoding="utf-8")
    expect["1 MB of text (under the limit: processed)"] = ""
    return expect


def run_inputs() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "in"
        d.mkdir()
        expect = make_inputs(d)
        db = str(Path(tmp) / "s.db")
        # the two folders are also given on their own: a given folder without inputs is named
        out, secs, rss = cli("ingest", str(d), str(d / "emptydir"), str(d / "docsdir"), str(d / "missing.txt"),
                             "--db", db, "-q", timeout=1800)
        expect["missing path"] = "missing.txt: no such file or directory"
        os.chmod(d / "locked.txt", 0o644)
        os.chmod(d / "lockeddir", 0o755)
        err = out.stderr
        n, ok = count(db)
        print(f"exit {out.returncode}; {secs:.1f} s; peak RSS {rss:.0f} MB; {n} articles stored; integrity {ok}"
              + ("; running as root: permissions do not stop reads" if os.geteuid() == 0 else ""))
        print("\n| # | input | message |\n|---|---|---|")
        for k, (kind, needle) in enumerate(expect.items(), 1):
            line = next((ln for ln in err.splitlines() if needle and needle in ln), "")
            shown = line.replace(str(d) + "/", "").replace("marsad: ", "")[:110] if line else (
                "stored (no message)" if not needle else "**MISSING**")
            print(f"| {k} | {kind} | {shown} |")
        raw = "\x1b" in err or "\u202e" in err or "\x07" in err
        print(f"\nraw ESC/BEL/RLO in stderr: {raw}")
        con = sqlite3.connect(db)
        dirty = con.execute("SELECT COUNT(*) FROM articles WHERE instr(text, char(0)) OR instr(title, char(27)) "
                            "OR instr(text, char(27)) OR instr(title, char(8238))").fetchone()[0]
        print(f"stored articles with NUL/ESC/RLO: {dirty}")
        print("summary line:", err.strip().splitlines()[-1] if err.strip() else "")


# --- kill -9 -------------------------------------------------------------------------------

_DRIVER = """
import sys
from marsad.interfaces.api import ingest
from marsad.store.sqlite import SQLiteStore
with SQLiteStore(sys.argv[1]) as store:
    ingest([sys.argv[2]], store, batch=int(sys.argv[3]))
"""


def ant_records(path: Path, n: int, skip: int = 0) -> None:
    with gzip.open(ANT, "rt", encoding="utf-8") as fh, open(path, "w", encoding="utf-8") as out:
        for line in islice(fh, skip, skip + n):
            out.write(line)


def run_kill(records: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "ant.jsonl"
        ant_records(data, records)
        ref = str(Path(tmp) / "ref.db")
        t = time.perf_counter()
        p = subprocess.Popen([PY, "-c", _DRIVER, ref, str(data), "20"], env=ENV)
        stored_at = None  # when the last batch was committed; after it: the final refresh
        while p.poll() is None:
            time.sleep(0.5)
            if stored_at is None and os.path.exists(ref):
                try:
                    if count(ref)[0] >= records:
                        stored_at = time.perf_counter() - t
                except sqlite3.Error:
                    pass
        full = time.perf_counter() - t
        stored_at = stored_at or full
        ref_ids = {r[0] for r in sqlite3.connect(ref).execute("SELECT id FROM articles")}
        ref_stories = sqlite3.connect(ref).execute("SELECT COUNT(DISTINCT story) FROM story_members").fetchone()[0]
        print(f"clean run: {len(ref_ids)} articles, {ref_stories} stories, {full:.1f} s (batches of 20; "
              f"all batches committed after {stored_at:.1f} s, then the derived views)")
        print("\n| kill -9 at | stored when killed | integrity | after rerun | same ids | stories |\n|---|---|---|---|---|---|")
        points = [("model loading / first batch", stored_at * 0.15), ("batches", stored_at * 0.5),
                  ("batches", stored_at * 0.85), ("derived views", stored_at + (full - stored_at) * 0.3),
                  ("derived views", stored_at + (full - stored_at) * 0.8)]
        for k, (phase, at) in enumerate(points):
            db = str(Path(tmp) / f"k{k}.db")
            p = subprocess.Popen([PY, "-c", _DRIVER, db, str(data), "20"], env=ENV)
            time.sleep(at)
            p.send_signal(signal.SIGKILL)
            p.wait()
            n, ok = count(db) if os.path.exists(db) else (0, "no store yet")
            subprocess.run([PY, "-c", _DRIVER, db, str(data), "20"], env=ENV, check=True, timeout=1800)
            con = sqlite3.connect(db)
            ids = {r[0] for r in con.execute("SELECT id FROM articles")}
            stories = con.execute("SELECT COUNT(DISTINCT story) FROM story_members").fetchone()[0]
            unlinked = con.execute("SELECT COUNT(*) FROM articles WHERE linked=0").fetchone()[0]
            print(f"| {at:.1f} s ({phase}) | {n} | {ok} | {len(ids)} ({unlinked} unlinked) | "
                  f"{ids == ref_ids} | {stories} |")


def run_concurrent(records: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a.jsonl", Path(tmp) / "b.jsonl"
        ant_records(a, records // 2)
        ant_records(b, records // 2, skip=records // 2)
        db = str(Path(tmp) / "s.db")
        t = time.perf_counter()
        ps = [subprocess.Popen([PY, "-c", _DRIVER, db, str(x), "10"], env=ENV) for x in (a, b)]
        codes = [p.wait(timeout=1800) for p in ps]
        n, ok = count(db)
        print(f"two concurrent ingests of {records // 2} records each: exit {codes}, {n} articles stored, "
              f"integrity {ok}, {time.perf_counter() - t:.1f} s")


def run_load(records: int, seconds: float = 10, threads: int = 8) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "ant.jsonl"
        ant_records(data, records)
        db = str(Path(tmp) / "s.db")
        subprocess.run([PY, "-c", _DRIVER, db, str(data), "50"], env=ENV, check=True, timeout=1800)
        server = subprocess.Popen([PY, "-m", "marsad.interfaces.cli", "serve", "--db", db, "--port", "0", "-q"],
                                  env=ENV, stderr=subprocess.PIPE, text=True)
        line = server.stderr.readline()
        base = line.split(" on ")[1].split()[0].rstrip("/")
        announced, refused = time.perf_counter(), 0
        while True:  # the server may announce its address before it accepts connections
            try:
                urllib.request.urlopen(base + "/api/health", timeout=30).read()
                break
            except urllib.error.URLError:
                refused += 1
                time.sleep(0.05)
        ready_after = time.perf_counter() - announced
        paths = ["/api/health", "/api/stories", "/api/articles?limit=20", "/api/entities?type=PER", "/",
                 "/api/articles/nope", "/api/report"]
        lat, errors, lock = [], [], threading.Lock()
        stop = time.time() + seconds

        def client(k):
            i = k
            while time.time() < stop:
                url = base + paths[i % len(paths)]
                i += 1
                t = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=30) as r:
                        r.read()
                        code = r.status
                except urllib.error.HTTPError as e:
                    code = e.code
                except Exception as e:  # noqa: BLE001 - a refused or reset connection is the finding
                    code = f"{type(e).__name__} {getattr(e, 'reason', e)} on {url[len(base):]}"
                with lock:
                    lat.append(time.perf_counter() - t)
                    if code not in (200, 404):
                        errors.append(code)

        ts = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        lat.sort()
        print(f"first request answered {ready_after * 1000:.0f} ms after the address was printed "
              f"({refused} refused before)")
        print(f"loopback load: {threads} threads, {seconds:.0f} s, {len(lat)} requests ({len(lat) / seconds:.0f}/s), "
              f"{len(errors)} errors {sorted(set(map(str, errors)))[:6]}, p50 {lat[len(lat) // 2] * 1000:.0f} ms, "
              f"p99 {lat[int(len(lat) * 0.99)] * 1000:.0f} ms; server exit {server.returncode}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="*", default=["inputs", "kill", "concurrent", "load"])
    ap.add_argument("--records", type=int, default=100)
    args = ap.parse_args()
    for what in args.what:
        print(f"\n## {what}\n", flush=True)
        {"inputs": run_inputs, "kill": lambda: run_kill(args.records),
         "concurrent": lambda: run_concurrent(args.records), "load": lambda: run_load(args.records)}[what]()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
