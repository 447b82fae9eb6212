"""Word lists and patterns shipped as data files under ``marsad/data``.

Rules and lexicons live in data, not code (as trafilatura does): one entry a line, ``#``
starts a comment, blank lines are ignored.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


def data_path(name: str):
    return resources.files("marsad") / "data" / name


@lru_cache(maxsize=None)
def lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of a data file, stripped."""
    text = data_path(name).read_text(encoding="utf-8")
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return tuple(out)


def word_set(name: str) -> frozenset[str]:
    return frozenset(lines(name))
