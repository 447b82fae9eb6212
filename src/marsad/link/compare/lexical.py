"""Word-level matching keys and weights for comparing the wording of two sentences.

Arabic attaches conjunctions, prepositions and the article to words and inflects them with
prefixes and suffixes, so a word gives several keys (as written, without ال/و/ب/ل, without a
plural or feminine ending, without the imperfect prefix): "نتوصل" and "التوصل" share "توصل",
"لبوتين" and "بوتين" share "بوتين". Two words match when their key sets meet.

A word's weight is its rarity in general Arabic (wordfreq Zipf): names and specific words
decide a match, common verbs barely count; function words (``data/compare/stopwords.txt``)
are left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from marsad.resources import lines
from marsad.text.normalize import normalize, strip_diacritics

WORD = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*")
ARTICLE_PREFIXES = ("وبال", "وكال", "ولل", "فبال", "فلل", "وال", "فال", "بال", "كال", "لل", "ال")
BARE_PREFIXES = ("و", "ف", "ب", "ل", "ك")
SUFFIXES = ("هما", "كما", "ات", "ون", "ين", "ان", "ها", "هم", "كم", "نا", "وا", "ه", "ي", "ا")
IMPERFECT = ("ي", "ت", "ن", "ا")
MIN_KEY = 3
MAX_ZIPF = 6.0  # at least this common (قال، روسيا …): weight floor
MIN_WEIGHT = 0.15


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(normalize(w) for w in lines("compare/stopwords.txt"))


@lru_cache(maxsize=200_000)
def word_keys(word: str) -> frozenset[str]:
    """Matching keys of one normalised word ('' words and stopwords give none)."""
    if not word or word in stopwords():
        return frozenset()
    if word[0].isdigit():
        return frozenset({word})
    stems = {word}
    for p in ARTICLE_PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= MIN_KEY:
            stems.add(word[len(p):])
            break
    else:
        if word[0] in BARE_PREFIXES and len(word) - 1 >= MIN_KEY:
            stems.add(word[1:])
    for s in list(stems):
        for suf in SUFFIXES:
            if s.endswith(suf) and len(s) - len(suf) >= MIN_KEY:
                stems.add(s[: -len(suf)])
                break
    for s in list(stems):
        if len(s) >= 5 and s[0] in IMPERFECT:
            stems.add(s[1:])
    return frozenset(s for s in stems if len(s) >= MIN_KEY and s not in stopwords())


@lru_cache(maxsize=200_000)
def _zipf(surface: str) -> float:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # no frequency list: every word counts the same
        return 3.0
    return zipf_frequency(surface, "ar")


@lru_cache(maxsize=200_000)
def word_weight(surface: str) -> float:
    """Rarity in [MIN_WEIGHT, 1]: unknown names 1, everyday words near the floor."""
    z = _zipf(surface)
    for p in ARTICLE_PREFIXES + BARE_PREFIXES:
        if surface.startswith(p) and len(surface) - len(p) >= MIN_KEY:
            z = max(z, _zipf(surface[len(p):]))
            break
    return max(MIN_WEIGHT, min(1.0, (MAX_ZIPF - z) / 2.5))


@dataclass(frozen=True)
class Bag:
    """Content words of a text: one key set and one weight per word."""

    keys: tuple[frozenset[str], ...]
    weights: tuple[float, ...]

    @cached_property  # a sentence's bag is compared with many others: sum and merge once
    def total(self) -> float:
        return sum(self.weights)

    @cached_property
    def _all_keys(self) -> frozenset[str]:
        out: set[str] = set()
        for k in self.keys:
            out |= k
        return frozenset(out)

    def all_keys(self) -> frozenset[str]:
        return self._all_keys


@lru_cache(maxsize=200_000)
def _word(surface: str) -> tuple[frozenset[str], float]:
    """Keys and weight of one written word (no weight when it has no keys)."""
    k = word_keys(normalize(surface))
    return k, (word_weight(surface) if k else 0.0)


def bag(text: str) -> Bag:
    keys, weights = [], []
    for m in WORD.finditer(strip_diacritics(text)):
        k, w = _word(m.group())
        if k:
            keys.append(k)
            weights.append(w)
    return Bag(tuple(keys), tuple(weights))


def covered(a: Bag, b_keys: frozenset[str]) -> float:
    """Weight of ``a``'s words that ``b`` also has."""
    return sum(w for k, w in zip(a.keys, a.weights) if k & b_keys)


def overlap(a: Bag, b: Bag) -> float:
    """Weighted F1 of shared words: 1 for the same wording, 0 for nothing in common."""
    if not a.keys or not b.keys:
        return 0.0
    pa = covered(a, b.all_keys()) / a.total
    pb = covered(b, a.all_keys()) / b.total
    return 0.0 if pa + pb == 0 else 2 * pa * pb / (pa + pb)
