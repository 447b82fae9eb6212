"""The local executor: the per-article stages over a pool of worker processes on this machine
(one per CPU by default), or in this process (``workers=1``).

Like the Spark executor it maps :func:`marsad.pipeline.process` over raw documents and
re-implements no stage, so the results are the same whatever the number of workers (a test
compares them). The input is streamed: documents are read here lazily, sent in small chunks
with at most a few chunks per worker in flight, and results come back in input order, so
memory stays bounded on a corpus of any size. Bad inputs (``IngestError``) never leave this
process; they are yielded in their place in the order.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice
from typing import Any, Callable, Iterable, Iterator

from marsad.doc import Article
from marsad.ingest.read import IngestError, RawDoc, read_all
from marsad.pipeline import Component, article_components, process
from marsad.runtime import default_workers, limit_threads

CHUNK = 8  # documents per task: amortises the pickling round trip, small enough to balance load
IN_FLIGHT = 4  # chunks queued per worker: keeps every worker busy while bounding memory
#: With the default number of workers, an input of fewer documents runs in this process:
#: starting the workers (imports, models: ~2 s) costs more than two workers save on it
#: (~12 ms a document at ~25 ms each).
SMALL_INPUT = 200

Item = Article | IngestError


class LocalExecutor:
    """``workers``: processes for the per-article stages (default: one per CPU, see
    :func:`marsad.runtime.default_workers`; 1: this process). ``threads``: threads each numeric
    library may use in a worker (default 1). ``components``: instances to run instead of
    :data:`marsad.pipeline.ARTICLE_COMPONENTS` (they are pickled to the workers).
    ``start_method``: multiprocessing start method (default: forkserver where available, else
    spawn; both start workers without the parent's threads). ``ahead``: documents the workers
    may process ahead of the consumer (default: IN_FLIGHT chunks per worker); a consumer that
    stops to work on a batch (linking) sets it to the batch size, so the workers go on meanwhile.
    ``prepare_links``: also compute, a chunk at a time, what the story index needs from each
    article alone (features, story vector: :func:`marsad.link.stories.prepare`), so that the
    process that links (one core) does not; chunks are the same with one worker or several, so
    the results are too.
    As with any such pool, a script that runs the engine (``marsad.analyze`` on 200 documents or
    more) needs the ``if __name__ == "__main__":`` guard, since the workers import its main module."""

    def __init__(self, components: list[Component] | None = None, workers: int | None = None,
                 threads: int | None = None, start_method: str | None = None, ahead: int = 0,
                 prepare_links: bool = False):
        self._components = components
        self.workers = workers
        self.threads = threads or 1
        self.start_method = start_method
        self.ahead = ahead
        self.prepare_links = prepare_links

    @property
    def components(self) -> list[Component]:
        """The components as they run in this process (built on first use)."""
        if self._components is None:
            self._components = article_components()
        return self._components

    def run(self, paths: Iterable[str]) -> Iterator[Item]:
        items: Iterator[RawDoc | IngestError] = read_all(list(paths))
        workers = self.workers or default_workers()
        if workers > 1 and self.workers is None:
            head = list(islice(items, SMALL_INPUT))
            if len(head) < SMALL_INPUT:
                workers = 1
            items = chain(head, items)
        if workers <= 1:
            if not self.prepare_links:
                for raw in items:
                    yield raw if isinstance(raw, IngestError) else process(raw, self.components)
                return
            for chunk in iter(lambda: list(islice(items, CHUNK)), []):  # the chunks a pool gets
                results = _run_chunk([r for r in chunk if not isinstance(r, IngestError)], self.components, True)
                yield from _in_order(chunk, results)
            return
        yield from self._pooled(items, workers)

    def _pooled(self, items: Iterator[RawDoc | IngestError], workers: int) -> Iterator[Item]:
        chunks = iter(lambda: list(islice(items, CHUNK)), [])
        tasks = (([r for r in chunk if not isinstance(r, IngestError)], chunk) for chunk in chunks)
        done = ordered_map(_process_chunk, tasks, workers, initializer=_init_worker,
                           initargs=(self._components, self.threads, self.prepare_links),
                           start_method=self.start_method,
                           in_flight=max(IN_FLIGHT, -(-self.ahead // (CHUNK * workers))))
        for results, chunk in done:
            yield from _in_order(chunk, results)


def ordered_map(fn: Callable, tasks: Iterable[tuple[Any, Any]], workers: int, initializer: Callable | None = None,
                initargs: tuple = (), start_method: str | None = None,
                in_flight: int = IN_FLIGHT) -> Iterator[tuple[Any, Any]]:
    """``(fn(arg), tag)`` for each ``(arg, tag)`` of ``tasks``, in order, over ``workers``
    processes (an empty ``arg`` is not sent: its result is None). Tasks are drawn lazily, at
    most ``in_flight`` per worker queued, so memory stays bounded however many there are.
    ``initializer(*initargs)`` runs once in each worker (pin threads, load models)."""
    method = start_method or ("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=initializer, initargs=initargs)
    pending: deque[tuple[Future | None, Any]] = deque()

    def result(future: Future | None, tag: Any) -> tuple[Any, Any]:
        return (future.result() if future is not None else None), tag

    try:
        for arg, tag in tasks:
            pending.append((pool.submit(fn, arg) if arg else None, tag))
            if len(pending) >= workers * in_flight:
                yield result(*pending.popleft())
        while pending:
            yield result(*pending.popleft())
    except BrokenProcessPool as e:
        raise RuntimeError(
            "a worker process of the local engine died. If it did not start, the script that "
            "runs Marsad needs an `if __name__ == \"__main__\":` guard (the workers import the "
            "main module), or use workers=1 (--workers 1)") from e
    finally:  # also when the consumer stops early: drop what is queued, end the workers
        pool.shutdown(wait=True, cancel_futures=True)


def _in_order(chunk: list, results: list | None) -> Iterator[Item]:
    """The chunk's results, its input errors in their places."""
    done = iter(results or ())
    for item in chunk:
        yield item if isinstance(item, IngestError) else next(done)


# --- in each worker process ----------------------------------------------------------------

_worker_components: list[Component] | None = None
_worker_prepares = False


def _init_worker(components: list[Component] | None, threads: int, prepare_links: bool = False) -> None:
    """Pin the numeric libraries first, then build the components once for this process."""
    global _worker_components, _worker_prepares
    limit_threads(threads)
    _worker_components = article_components() if components is None else components
    _worker_prepares = prepare_links


def _process_chunk(raws: list[RawDoc]) -> list[Article | IngestError]:
    return _run_chunk(raws, _worker_components, _worker_prepares)


def _run_chunk(raws: list[RawDoc], components: list[Component], prepare_links: bool) -> list[Article | IngestError]:
    out = [process(raw, components) for raw in raws]
    if prepare_links:
        from marsad.link.stories import prepare

        try:
            prepare([a for a in out if isinstance(a, Article)])
        except Exception:  # no encoder here (or it failed): the linking process computes them
            pass
    return out
