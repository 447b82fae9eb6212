"""The Python API; the CLI and the REST API are thin layers over it.

    import marsad
    report = marsad.analyze(["../shared/corpus/seeds"])
    report.write("report.json")
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable, Iterable

from marsad.doc import Article
from marsad.engines.local import LocalExecutor
from marsad.ingest.read import IngestError
from marsad.link.corpus import STATE_KEY, CorpusState, link_corpus
from marsad.report import Report, build_report
from marsad.runtime import Stopwatch, limit_threads
from marsad.store.sqlite import SQLiteStore


@dataclass
class IngestResult:
    ids: list[str] = field(default_factory=list)  # every article read, new or already stored
    new: int = 0
    errors: list[IngestError] = field(default_factory=list)
    state: CorpusState | None = None  # the corpus links after this run, for report_for

    @property
    def ok(self) -> bool:
        """False only when nothing at all could be ingested."""
        return bool(self.ids)


def ingest(
    paths: Iterable[str],
    store: SQLiteStore,
    on_error: Callable[[IngestError], None] | None = None,
    progress: bool = False,
    batch: int = 200,
    engine: str = "local",
    workers: int | None = None,
    threads: int | None = None,
) -> IngestResult:
    """Read, clean and annotate ``paths`` into ``store``; bad inputs are reported and skipped.
    ``workers``: processes for the per-article stages (local engine; default: one per CPU);
    ``threads``: threads each numeric library may use per process (given: this one too)."""
    from tqdm import tqdm

    if threads is not None:
        limit_threads(threads)
    clock = Stopwatch()

    result = IngestResult()
    seen: set[str] = set()
    pending: list[Article] = []

    def flush() -> None:
        result.new += store.add_many(pending)
        pending.clear()

    items = executor(engine, workers=workers, threads=threads).run(list(paths))
    for item in tqdm(items, desc="ingest", unit=" doc", disable=not progress or None, leave=False):
        if isinstance(item, IngestError):
            result.errors.append(item)
            if on_error:
                on_error(item)
            continue
        if item.id not in seen:
            seen.add(item.id)
            result.ids.append(item.id)
            pending.append(item)
        if len(pending) >= batch:
            flush()
    flush()
    clock.lap("articles")  # read, per-article stages, store
    result.state = update_corpus(store)
    clock.lap("link")  # reuse, embeddings, stories
    return result


def load_state(store: SQLiteStore) -> CorpusState:
    """The stored corpus links. They are derived data: a state written by another version of
    Marsad (a changed index format) is dropped with a warning, and ``update_corpus`` rebuilds
    it from the stored articles, which are never touched."""
    blob = store.get_state(STATE_KEY)
    if not blob:
        return CorpusState()
    try:
        return CorpusState.from_bytes(blob)
    except Exception as exc:  # any unpickling or format error: the links can be recomputed
        print(f"marsad: warning: {store.path}: stored corpus links are unreadable ({type(exc).__name__}: {exc}); "
              f"rebuilding them from the {store.count()} stored articles", file=sys.stderr)
        return CorpusState()


def update_corpus(store: SQLiteStore) -> CorpusState:
    """Link every stored article not yet in the corpus state (reuse pairs, story), then save.
    Runs after the articles are stored, so an interrupted run loses no article: the next run
    links what this one did not."""
    state = load_state(store)
    missing = [i for i in store.ids() if i not in state.reuse]
    if missing:
        state.add(list(store.articles(missing)))
        store.put_state(STATE_KEY, state.to_bytes())
    return state


def executor(engine: str, workers: int | None = None, threads: int | None = None):
    """The executor that runs the per-article stages: "local" (a process pool of ``workers``,
    default one per CPU; 1: this process) or "spark"."""
    if engine == "spark":
        from marsad.engines.spark import SparkExecutor

        return SparkExecutor()
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (local or spark)")
    return LocalExecutor(workers=workers, threads=threads)


def report_for(store: SQLiteStore, ids: list[str] | None = None, state: CorpusState | None = None) -> Report:
    """The report of the stored articles (all, or only ``ids``). ``state``: the corpus links
    an ``ingest`` just returned; without it, any stored article not yet linked is linked first
    (a no-op when the store is up to date)."""
    articles = list(store.articles(ids))
    return build_report(articles, link_corpus(articles, state or update_corpus(store)))


def analyze(paths: Iterable[str], db: str = ":memory:", **ingest_options) -> Report:
    """Ingest ``paths`` into the store ``db`` (in memory by default) and report on them."""
    with SQLiteStore(db) as store:
        result = ingest(paths, store, **ingest_options)
        report = report_for(store, result.ids, result.state)
    report.errors = result.errors  # not part of the JSON; for callers that want them
    return report
