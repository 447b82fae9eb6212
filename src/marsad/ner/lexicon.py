"""Word lists under ``marsad/data/ner`` as normalised lookups, plus word-frequency rarity.

Everything here is loaded lazily once per process (module-level caches), so components that
use it stay cheap to pickle.
"""
from __future__ import annotations

import math
from functools import lru_cache

from marsad.resources import lines
from marsad.text.normalize import normalize

MAX_PHRASE = 6  # longest gazetteer phrase, in tokens, that sequence matching tries


@lru_cache(maxsize=500_000)
def norm(token: str) -> str:
    """Normalised key of one token (alef/ya/ta-marbuta unified, no diacritics, lower-case)."""
    return normalize(token)


@lru_cache(maxsize=None)
def words(name: str) -> frozenset[str]:
    """Normalised single words and phrases of a data file ``ner/<name>.txt``."""
    return frozenset(norm(line) for line in lines(f"ner/{name}.txt"))


class Phrases(dict):
    """Phrases as token tuples (value: length), with ``starts``: for each first word, the
    lengths of the phrases that start with it, longest first — matching tries only those."""

    def __init__(self, table: dict[tuple[str, ...], int]):
        super().__init__(table)
        self.starts = phrase_starts(self)


def phrase_starts(table: dict[tuple[str, ...], int]) -> dict[str, tuple[int, ...]]:
    """First word → lengths (at most ``MAX_PHRASE``) of the phrases of ``table`` starting with it,
    longest first."""
    lengths: dict[str, set[int]] = {}
    for parts in table:
        if 1 <= len(parts) <= MAX_PHRASE:
            lengths.setdefault(parts[0], set()).add(len(parts))
    return {w: tuple(sorted(ns, reverse=True)) for w, ns in lengths.items()}


@lru_cache(maxsize=None)
def phrases(name: str) -> Phrases:
    """Multi-word entries of ``ner/<name>.txt`` as token tuples (value: length)."""
    out = {}
    for entry in words(name):
        parts = tuple(entry.split())
        if 1 <= len(parts) <= MAX_PHRASE:
            out[parts] = len(parts)
    return Phrases(out)


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("ar")


@lru_cache(maxsize=500_000)
def zipf(word: str) -> float:
    """Zipf frequency (0 when unknown, ~7 for the commonest words) of an exact word form."""
    f = _frequencies().get(word, 0.0)
    return round(math.log10(f) + 9, 2) if f > 0 else 0.0


def nationality_stem(key: str) -> str | None:
    """The nationality adjective in a normalised word (``الامريكيه`` → ``امريكي``), or None."""
    base = key
    for p in ("وال", "فال", "بال", "كال", "لل", "ال"):
        if base.startswith(p) and len(base) - len(p) >= 3:
            base = base[len(p):]
            break
    for suffix, repl in (("يات", "ي"), ("يون", "ي"), ("يين", "ي"), ("يه", "ي"), ("ين", ""), ("ون", "")):
        cand = base[: -len(suffix)] + repl if base.endswith(suffix) else None
        if cand and cand in words("nationalities"):
            return cand
    return base if base in words("nationalities") else None

