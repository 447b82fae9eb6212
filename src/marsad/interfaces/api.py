"""The Python API; the CLI and the REST API are thin layers over it.

    import marsad
    report = marsad.analyze(["../shared/corpus/seeds"])
    report.write("report.json")
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from marsad.doc import Article
from marsad.engines.local import LocalExecutor
from marsad.ingest.read import IngestError
from marsad.link.corpus import fresh_index, link_batch, link_unlinked, refresh
from marsad.report import Report, Selection, build_report
from marsad.runtime import Stopwatch, limit_threads
from marsad.store.sqlite import SQLiteStore


@dataclass
class IngestResult:
    ids: list[str] = field(default_factory=list)  # every article read, new or already stored
    new: int = 0
    errors: list[IngestError] = field(default_factory=list)
    warnings: list[IngestError] = field(default_factory=list)  # read, with a value dropped
    derived: dict = field(default_factory=dict)  # what the run recomputed: entities, stories

    @property
    def ok(self) -> bool:
        """False only when nothing at all could be ingested."""
        return bool(self.ids)


def ingest(
    paths: Iterable[str],
    store: SQLiteStore,
    on_error: Callable[[IngestError], None] | None = None,
    progress: bool = False,
    batch: int = 500,
    engine: str = "local",
    workers: int | None = None,
    threads: int | None = None,
    master: str | None = None,
) -> IngestResult:
    """Read, clean and annotate ``paths`` into ``store`` and link them to the corpus.

    Each batch of articles is stored together with its links (reuse pairs, stories, entities)
    in one transaction, so a killed run loses at most the batch in flight and the next run
    goes on from there. Bad inputs are reported and skipped. Then what the run touched is
    derived again (entity rows, the views of the stories that grew).

    ``workers``: processes for the per-article stages (local engine; default: one per CPU);
    ``threads``: threads each numeric library may use per process (given: this one too);
    ``master``: the Spark master (spark engine)."""
    import time

    from tqdm import tqdm

    if threads is not None:
        limit_threads(threads)
    if engine == "spark" and store.count() == 0:
        # a bulk build: every stage on the cluster (on a store that holds articles already,
        # the per-article stages run there and the new articles are linked here, incrementally)
        from marsad.engines.spark import spark_session
        from marsad.engines.spark_links import ingest_bulk

        result = IngestResult()
        ingest_bulk(list(paths), store, spark_session(master), result, on_error, batch)
        return result
    clock = Stopwatch()
    linking = 0.0

    result = IngestResult()
    seen: set[str] = set()
    pending: list[Article] = []
    index = link_unlinked(store)  # a run stopped early left articles without links

    flushing = False

    def flush() -> None:
        nonlocal index, linking, flushing
        if not pending:
            return
        flushing = True  # stopped inside, the batch is rolled back whole (not retried)
        with store.transaction():
            index = fresh_index(store, index)  # another process may have linked articles since
            result.new += store.add_many(pending)
            started = time.perf_counter()
            link_batch(store, index, pending)
            linking += time.perf_counter() - started
        pending.clear()
        flushing = False

    # the workers go on with the next batch while this process links one
    items = executor(engine, workers=workers, threads=threads, ahead=batch, master=master).run(list(paths))
    try:
        for item in tqdm(items, desc="ingest", unit=" doc", disable=not progress or None, leave=False):
            problems = [item] if isinstance(item, IngestError) else item.warnings
            for problem in problems:
                (result.warnings if problem.warning else result.errors).append(problem)
                if on_error:
                    on_error(problem)
            if isinstance(item, IngestError):
                continue
            if item.id not in seen:
                seen.add(item.id)
                result.ids.append(item.id)
                pending.append(item)
            if len(pending) >= batch:
                flush()
    except BaseException:  # stopped (Ctrl-C) or failed while reading: what was read is stored
        if not flushing:
            flush()
        raise
    flush()
    with store.transaction():
        index = fresh_index(store, index)
        index.save(store, final=True)  # the document frequencies' snapshot
    index.compact(store)
    clock.lap("articles", minus=linking)  # read, per-article stages, store
    clock.report("link", linking)  # reuse pairs, story vectors and assignment, entities (per batch)
    result.derived = refresh(store, workers=workers, threads=threads or 1)
    clock.lap("derive")  # entity rows, views of the stories the run touched
    return result


def executor(engine: str, workers: int | None = None, threads: int | None = None, ahead: int = 0,
             master: str | None = None):
    """The executor that runs the per-article stages: "local" (a process pool of ``workers``,
    default one per CPU; 1: this process) or "spark" (on ``master``)."""
    if engine == "spark":
        from marsad.engines.spark import SparkExecutor

        return SparkExecutor(master=master)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (local or spark)")
    return LocalExecutor(workers=workers, threads=threads, ahead=ahead, prepare_links=True)


def update_links(store: SQLiteStore) -> None:
    """Link the articles a stopped run left unlinked and derive what is stale (a no-op on an
    up-to-date store)."""
    if store.readonly:
        return
    stale = store.db.execute(
        "SELECT 1 FROM articles WHERE linked=0 UNION ALL SELECT 1 FROM stories WHERE dirty=1 "
        "UNION ALL SELECT 1 FROM entities WHERE dirty=1 LIMIT 1").fetchone()
    if stale:
        link_unlinked(store)
        refresh(store)


def report_for(store: SQLiteStore, ids: list[str] | None = None, selection: Selection | None = None) -> Report:
    """The report of the stored articles (all, only ``ids``, or a ``selection``), read from
    the store's tables."""
    update_links(store)
    sel = selection or Selection()
    if ids is not None:
        sel.ids = ids
    return build_report(store.db, sel)


def analyze(paths: Iterable[str], db: str = ":memory:", **ingest_options) -> Report:
    """Ingest ``paths`` into the store ``db`` (in memory by default) and report on them."""
    with SQLiteStore(db) as store:
        result = ingest(paths, store, **ingest_options)
        report = report_for(store, result.ids)
    report.errors = result.errors  # not part of the JSON; for callers that want them
    return report
