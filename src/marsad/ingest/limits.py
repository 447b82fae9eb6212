"""Limits on one input document, so that no single input can stop, hang or exhaust a run.

A document over a limit is reported (``file:line: ...``) and skipped; the run goes on.

==================  ==========================  =========================================
limit               environment variable        default
==================  ==========================  =========================================
``max_file_bytes``  ``MARSAD_MAX_FILE_BYTES``   64 MB: a .txt/.html file (after gunzip)
``max_line_bytes``  ``MARSAD_MAX_LINE_BYTES``   16 MB: one JSONL line
``max_text_chars``  ``MARSAD_MAX_TEXT_CHARS``   1,000,000: a document's text (a book-length
                                                article is ~300,000)
``max_depth``       ``MARSAD_MAX_DEPTH``        64: nesting of a JSONL record
``time_budget``     ``MARSAD_TIME_BUDGET``      120 s: build + annotate one document
==================  ==========================  =========================================

The limits in force are process-wide (:func:`current`); :func:`use` sets them for a block and
exports them to the environment, so worker processes started inside it follow them too (the
local engine's workers come from a forkserver that keeps the environment it started with: in
one Python session, set the limits before the first pooled run). ``0`` turns a limit off.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from dataclasses import dataclass, fields, replace
from typing import Iterator

_ENV = {
    "max_file_bytes": "MARSAD_MAX_FILE_BYTES",
    "max_line_bytes": "MARSAD_MAX_LINE_BYTES",
    "max_text_chars": "MARSAD_MAX_TEXT_CHARS",
    "max_depth": "MARSAD_MAX_DEPTH",
    "time_budget": "MARSAD_TIME_BUDGET",
}


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 64_000_000
    max_line_bytes: int = 16_000_000
    max_text_chars: int = 1_000_000
    max_depth: int = 64
    time_budget: float = 120.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Limits":
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(_ENV[f.name])
            if raw is None or not raw.strip():
                continue
            try:
                value = float(raw) if f.name == "time_budget" else int(float(raw))
            except ValueError:
                raise ValueError(f"{_ENV[f.name]}={raw!r} is not a number") from None
            if value < 0:
                raise ValueError(f"{_ENV[f.name]}={raw!r} must be 0 (no limit) or more")
            values[f.name] = value
        return cls(**values)

    def with_options(self, options: dict[str, str]) -> "Limits":
        """These limits with ``{"max_depth": "20", ...}`` (names as the fields) applied."""
        env = {_ENV[k]: v for k, v in options.items() if k in _ENV}
        unknown = set(options) - set(_ENV)
        if unknown:
            raise ValueError(f"unknown limit(s) {', '.join(sorted(unknown))} (known: {', '.join(_ENV)})")
        given = Limits.from_env(env)
        return replace(self, **{k: getattr(given, k) for k in options})

    def export(self) -> dict[str, str]:
        return {_ENV[f.name]: str(getattr(self, f.name)) for f in fields(self)}


_current: Limits | None = None


def current() -> Limits:
    """The limits in force in this process (from the environment unless :func:`use` set them)."""
    global _current
    if _current is None:
        _current = Limits.from_env()
    return _current


@contextlib.contextmanager
def use(limits: Limits) -> Iterator[Limits]:
    """Apply ``limits`` in this process and in worker processes started inside the block."""
    global _current
    saved_env = {k: os.environ.get(k) for k in _ENV.values()}
    saved = _current
    _current = limits
    os.environ.update(limits.export())
    try:
        yield limits
    finally:
        _current = saved
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class OverBudget(BaseException):
    """A document took longer than the per-document time budget (a BaseException, so that no
    `except Exception` inside a stage can swallow it)."""


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`OverBudget` in this block once ``seconds`` have passed.

    Uses a real-time interval timer, so it applies only in a process's main thread on a POSIX
    system (the local engine's workers, the CLI, Spark's Python workers); elsewhere the block
    runs unbounded and only the size limits hold. Nested budgets are not supported: an outer
    timer in force is left alone."""
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise OverBudget(f"took longer than the time budget ({seconds:g} s)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
