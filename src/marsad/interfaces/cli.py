"""Command line: ``marsad analyze | ingest | report | serve``."""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections import Counter
from typing import TYPE_CHECKING

from marsad.ingest.read import IngestError
from marsad.runtime import TIMINGS_ENV, Stopwatch, default_workers, limit_threads
from marsad.store.sqlite import SQLiteStore
from marsad.text.hygiene import printable

if TYPE_CHECKING:
    from marsad.interfaces.api import IngestResult
# marsad.interfaces.api (the pipeline and linkers) is imported by the commands that use it, so
# `marsad serve` starts without loading them.


def _print_error(err: IngestError) -> None:
    # printable: a file name or a title must not carry terminal controls or bidi overrides
    print(f"marsad: {'warning' if err.warning else 'error'}: {printable(str(err))}", file=sys.stderr)


def _summary(result: IngestResult, quiet: bool) -> None:
    if quiet and not result.errors and not result.warnings:
        return
    seen = len(result.ids)
    print(
        f"marsad: {seen} article(s) read ({result.new} new, {seen - result.new} already stored), "
        f"{len(result.errors)} input(s) with errors" + (f", {len(result.warnings)} warning(s)" if result.warnings else ""),
        file=sys.stderr,
    )


def _ingest(args) -> tuple[SQLiteStore, IngestResult]:
    store = SQLiteStore(args.db)
    from marsad.interfaces.api import ingest

    result = ingest(args.paths, store, on_error=_print_error, progress=not args.quiet, engine=args.engine,
                    workers=args.workers, threads=args.threads, master=args.master)
    _summary(result, args.quiet)
    return store, result


def cmd_ingest(args) -> int:
    store, result = _ingest(args)
    with store:
        _export(args, store)
    return 0 if result.ok else 1


def _export(args, store: SQLiteStore) -> None:
    """``--parquet DIR``: the store's tables as Parquet (written by Spark)."""
    if not getattr(args, "parquet", None):
        return
    from marsad.engines.spark import spark_session
    from marsad.store.parquet import export_parquet

    written = export_parquet(store, args.parquet, spark_session(args.master))
    if not args.quiet:
        print(f"marsad: wrote {len(written)} tables to {args.parquet} ({written.get('articles', 0)} articles)",
              file=sys.stderr)


def cmd_load_parquet(args) -> int:
    """Load the Parquet tables of a build into a new SQLite store (for `marsad serve`)."""
    from marsad.engines.spark import spark_session
    from marsad.store.parquet import load_parquet

    if not os.path.isdir(os.path.join(args.dir, "articles")):
        print(f"marsad: error: {printable(args.dir)}: no Parquet tables (an articles/ folder) there", file=sys.stderr)
        return 1
    with SQLiteStore(args.db) as store:
        try:
            loaded = load_parquet(args.dir, store, spark_session(args.master))
        except ValueError as exc:
            print(f"marsad: error: {exc}", file=sys.stderr)
            return 1
    if not args.quiet:
        print(f"marsad: loaded {loaded.get('articles', 0)} articles, {loaded.get('stories', 0)} stories, "
              f"{loaded.get('entities', 0)} entities into {args.db}", file=sys.stderr)
    return 0


def cmd_analyze(args) -> int:
    store, result = _ingest(args)
    clock = Stopwatch()
    with store:
        if not result.ok:
            return 1
        if getattr(args, "parquet", None):
            _export(args, store)
            clock.lap("parquet")
        from marsad.interfaces.api import update_links
        from marsad.report import Selection, stream_report

        update_links(store)
        summary = _Summary()
        # streamed from the tables like `marsad report`: the report of a whole corpus is never
        # held in memory
        with open(args.out, "w", encoding="utf-8") as fh:
            for chunk in stream_report(store.db, Selection(ids=result.ids), observe=summary):
                fh.write(chunk)
    clock.lap("report")
    if not args.quiet:
        summary.show(args.out)
    return 0


def cmd_report(args) -> int:
    """Stream the report from the store's tables (nothing is recomputed or held in memory)."""
    from marsad.report import Selected, Selection, stream_report

    if not os.path.isfile(args.db):
        return _no_store(args.db)
    sel = Selection(story=args.story, since=args.since, until=args.until, outlet=args.outlet)
    with SQLiteStore(args.db) as store:
        from marsad.interfaces.api import update_links

        update_links(store)
        with open(args.out, "w", encoding="utf-8") as fh:
            for chunk in stream_report(store.db, sel):
                fh.write(chunk)
        if not args.quiet:
            chosen = Selected(store.db, sel)
            n, stories = store.db.execute(
                f"SELECT COUNT(*), COUNT(DISTINCT m.story) FROM {chosen.join()} LEFT JOIN story_members m "
                "ON m.article=s.id", chosen.args).fetchone()
            print(f"wrote {args.out}: {n} articles, {stories} stories")
    return 0


def cmd_migrate(args) -> int:
    """Move a store written by an older Marsad to the current schema."""
    from marsad.store.sqlite import SCHEMA_VERSION

    if not os.path.isfile(args.db):
        return _no_store(args.db)
    with SQLiteStore(args.db) as store:
        print(f"marsad: {args.db}: schema version {store.meta('schema_version')} (current: {SCHEMA_VERSION})",
              file=sys.stderr)
    return 0


def _no_store(db: str) -> int:
    print(f"marsad: error: no store at {db} (run `marsad ingest PATH --db {db}` first)", file=sys.stderr)
    return 1


def cmd_serve(args) -> int:
    """Serve the store read-only (uvicorn): REST API under /api/, Arabic web UI at /."""
    import signal
    import socket

    import uvicorn

    from marsad.interfaces.rest import SERVE_DB_ENV, SERVE_THREADS_ENV, StoreError, make_app

    if not os.path.isfile(args.db):
        return _no_store(args.db)
    try:
        app = make_app(args.db, request_threads=args.request_threads)
    except StoreError as err:
        print(f"marsad: error: {err}", file=sys.stderr)
        return 1
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))  # port 0: a free port, printed below
    except OSError as err:
        print(f"marsad: error: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr)
        return 1
    host, port = sock.getsockname()[:2]
    options = dict(log_level="warning" if args.quiet else "info", access_log=not args.quiet, lifespan="on")
    if args.workers > 1:
        # several processes on one listening socket: requests use every core (the GIL binds one
        # process to one); each worker opens the store read-only itself
        from uvicorn.supervisors import Multiprocess

        os.environ[SERVE_DB_ENV] = os.path.abspath(args.db)
        os.environ[SERVE_THREADS_ENV] = str(args.request_threads)
        config = uvicorn.Config("marsad.interfaces.rest:app_from_env", factory=True, workers=args.workers, **options)
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        print(f"marsad: serving {args.db} on http://{shown}:{port}/ with {args.workers} workers (Ctrl-C to stop)",
              file=sys.stderr, flush=True)
        try:
            Multiprocess(config, sockets=[sock]).run()
        finally:
            sock.close()
        return 0
    server = uvicorn.Server(uvicorn.Config(app, **options))
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"marsad: serving {args.db} on http://{shown}:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    # uvicorn stops gracefully on SIGINT/SIGTERM, then re-raises the signal to the handler it
    # found: with these, that ends the command normally (status 0).
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


DEFAULT_TRAIN_BIO = "../shared/data/ner/anercorp/train.bio"
DEFAULT_TEST_BIO = "../shared/data/ner/anercorp/test.bio"


def cmd_train(args) -> int:
    """Reproduce shipped model weights (today: the NER)."""
    from marsad.ner.train import main as train_ner

    train_ner([args.train_bio] + ([args.out] if args.out else [])
              + (["--no-corpus-labels"] if args.no_corpus_labels else [])
              + (["--indomain-corpora", args.indomain_corpora] if args.indomain_corpora else []))
    return 0


def cmd_eval(args) -> int:
    from marsad.ner.evaluate import main as eval_ner

    eval_ner([args.bio_file, "--model", args.ner_model, "--indomain", args.split]
             + (["--rules"] if args.rules else []))
    return 0


class _Summary:
    """What `marsad analyze` tells a person about the report it wrote, gathered while the report
    streams by; a bounded number of lines whatever the corpus size (controls and bidi overrides
    in the input shown as escapes)."""

    SHOWN = 20  # reuse pairs and stories listed

    def __init__(self):
        self.counts = Counter({k: 0 for k in ("articles", "entities", "quotes", "numbers", "dates", "reuse", "stories")})
        self.outlets, self.outlet_of = Counter(), {}
        self.people, self.lines = [], {"reuse": [], "stories": []}

    def __call__(self, section: str, item: dict) -> None:
        self.counts[section] += 1
        if section == "articles":
            self.outlet_of[item["id"]] = item["outlet"] or item["source"]
            self.outlets[item["outlet"] or "?"] += 1
        elif section == "entities" and item["type"] == "PER" and len(self.people) < 8:
            self.people.append(item["name"] + (f" ({item['latin']})" if item.get("latin") else ""))
        elif section == "reuse" and self.counts[section] <= self.SHOWN:
            agency = f" [{item['agency']}]" if item.get("agency") else ""
            self.lines[section].append(f"{item['kind']}{agency}: {self.outlet_of[item['a']]} <-> "
                                       f"{self.outlet_of[item['b']]}, {item['shared_chars']} shared chars")
        elif section == "stories" and self.counts[section] <= self.SHOWN:
            self.lines[section].append(
                f"story {item['id']}: {item['title']} — {len(item['articles'])} article(s), "
                f"{len(item['claims'])} claim(s), {len(item['disagreements'])} disagreement(s)")
            self.lines[section] += ["  disagreement: " + " | ".join(p["text"][:60] for p in d["positions"])
                                    for d in item["disagreements"]]

    def show(self, out: str) -> None:
        print = _print_safe
        print(f"wrote {out}: " + ", ".join(f"{v} {k}" for k, v in self.counts.items()))
        print("outlets: " + ", ".join(f"{o} ({n})" for o, n in self.outlets.most_common()))
        if self.people:
            print("people: " + "، ".join(self.people))
        for section, lines in self.lines.items():
            for line in lines:
                print(line)
            if self.counts[section] > self.SHOWN:
                print(f"… and {self.counts[section] - self.SHOWN} more {section} (in {out})")


def _print_safe(*parts) -> None:
    print(*(printable(str(p)) for p in parts))


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="marsad", description="Marsad (مرصد): an Arabic news observatory")
    sub = p.add_subparsers(dest="command", required=True)

    def engine(sp):
        sp.add_argument("--engine", choices=("local", "spark"), default="local",
                        help="where the stages run (spark needs pyspark and Java 17+; see docs/spark.md)")
        sp.add_argument("--master", metavar="URL",
                        help="spark engine: the Spark master (local[N], spark://HOST:PORT, yarn; "
                             "default: spark-submit's, else local[*])")
        sp.add_argument("--workers", type=int, metavar="N",
                        help=f"local engine: processes for the per-article stages (default: one per CPU, "
                             f"here {default_workers()}; 1: no pool)")
        sp.add_argument("--parquet", metavar="DIR",
                        help="also write the store's tables as Parquet to DIR (needs pyspark; "
                             "`marsad load-parquet` reads them back)")
        sp.add_argument("--timings", action="store_true",
                        help=f"print seconds per stage to stderr (or set {TIMINGS_ENV}=1)")

    def common(sp, db_default):
        sp.add_argument("--db", default=db_default, help=f"SQLite store (default: {db_default})")
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
        sp.add_argument("--threads", type=int, default=1, metavar="N",
                        help="threads each numeric library (BLAS) may use per process (default: 1)")

    a = sub.add_parser("analyze", help="ingest inputs and write the report on them")
    a.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (.txt, .html, .jsonl, .gz)")
    a.add_argument("--out", required=True, help="report JSON to write")
    common(a, ":memory:")
    engine(a)
    a.set_defaults(func=cmd_analyze)

    i = sub.add_parser("ingest", help="ingest inputs into the store")
    i.add_argument("paths", nargs="+", metavar="PATH")
    common(i, "marsad.db")
    engine(i)
    i.set_defaults(func=cmd_ingest)

    r = sub.add_parser("report", help="write the report of the store (or of a part of it)")
    r.add_argument("--out", required=True)
    r.add_argument("--story", help="only this story's articles")
    r.add_argument("--since", metavar="YYYY-MM-DD", type=_day, help="only articles published on or after")
    r.add_argument("--until", metavar="YYYY-MM-DD", type=_day, help="only articles published on or before")
    r.add_argument("--outlet", help="only this outlet's articles")
    common(r, "marsad.db")
    r.set_defaults(func=cmd_report)

    lp = sub.add_parser("load-parquet", help="load Parquet tables (from --parquet) into a new store")
    lp.add_argument("dir", metavar="DIR", help="the folder --parquet wrote")
    lp.add_argument("--master", metavar="URL", help="the Spark master that reads them (default: local[*])")
    common(lp, "marsad.db")
    lp.set_defaults(func=cmd_load_parquet)

    m = sub.add_parser("migrate", help="move a store written by an older Marsad to the current schema")
    common(m, "marsad.db")
    m.set_defaults(func=cmd_migrate)
    v = sub.add_parser("serve", help="browse the store: REST API and Arabic web UI")
    v.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    v.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    v.add_argument("--workers", type=int, default=1, metavar="N",
                   help="server processes (default: 1; one per core serves more requests at once)")
    v.add_argument("--request-threads", type=_positive, default=2, metavar="N",
                   help="request threads per server process (default: 2; more only interleave "
                        "requests on the process's one Python core, and every answer comes later)")
    common(v, "marsad.db")
    v.set_defaults(func=cmd_serve)

    t = sub.add_parser("train", help="reproduce the shipped model weights")
    t.add_argument("model", choices=("ner",))
    t.add_argument("train_bio", nargs="?", default=DEFAULT_TRAIN_BIO, help=f"BIO training file (default: {DEFAULT_TRAIN_BIO})")
    t.add_argument("--out", help="where to write the model (default: the shipped model's path)")
    t.add_argument("--no-corpus-labels", action="store_true",
                   help="the first-stage model, without the corpus label features "
                        "(python -m marsad.ner.build_corpus_labels tags ANT with it)")
    t.add_argument("--indomain-corpora", default=None, metavar="LIST",
                   help="corpora whose annotated articles are trained on (default: ant,snn; "
                        "ant leaves out the non-commercial SaudiNewsNet)")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("eval", help="score a model on a labelled file")
    e.add_argument("model", choices=("ner",))
    e.add_argument("bio_file", metavar="FILE.bio", nargs="?", default=DEFAULT_TEST_BIO,
                   help=f"BIO test file (default: {DEFAULT_TEST_BIO})")
    e.add_argument("--rules", action="store_true", help="score the full tagger (model + news rules)")
    e.add_argument("--split", default="test", choices=("train", "dev", "test"),
                   help="in-domain split scored after the BIO file (default: test)")
    e.add_argument("--model", dest="ner_model", choices=("crf", "neural"), default="crf",
                   help="crf (shipped) or neural (after `python -m marsad.ner.train_neural`)")
    e.set_defaults(func=cmd_eval)
    return p


def _day(value: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def main(argv: list[str] | None = None) -> int:
    from marsad.store.sqlite import StoreVersionError

    args = build_parser().parse_args(argv)
    if hasattr(args, "threads"):
        limit_threads(args.threads)  # before any model loads
    if getattr(args, "timings", False):
        os.environ[TIMINGS_ENV] = "1"
    try:
        return args.func(args)
    except StoreVersionError as exc:
        print(f"marsad: error: {exc}", file=sys.stderr)
        return 2
    except sqlite3.OperationalError as exc:
        if "full" not in str(exc) or not getattr(args, "db", None):
            raise
        print(f"marsad: error: {printable(args.db)}: the disk is full ({exc}); the batches stored before are kept: "
              "free some space and run the command again to go on", file=sys.stderr)
        return 2
    except (sqlite3.DatabaseError, UnicodeDecodeError, ValueError) as exc:
        # a damaged or hand-edited store: say which file and stop; nothing in it is executed
        damaged = isinstance(exc, (sqlite3.DatabaseError, UnicodeDecodeError, json.JSONDecodeError))
        if not getattr(args, "db", None) or not damaged:
            raise
        print(f"marsad: error: {args.db}: the store is damaged ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
