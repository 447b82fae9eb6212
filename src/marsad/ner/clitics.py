"""Arabic proclitics: the conjunctions و ف, the prepositions ب ل ك and the article ال.

Two uses: :func:`split` gives a normalised stem for features ("وبالكرملين" → "كرملين"), and
:func:`mention_skip` decides how many leading characters of a name token are clitics to leave
out of a mention ("لبوتين" → "بوتين", "والكرملين" → "الكرملين", but "لندن" and "واشنطن" stay).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Collection

from marsad.ner.lexicon import norm, words, zipf

_CONJ = "وف"
_PREP = "بلك"
_MIN_STEM = 2


@lru_cache(maxsize=100_000)  # called for every token by several NER rules: cache per word type
def split(key: str) -> tuple[str, str]:
    """(proclitics, stem) of a normalised word; the stem keeps at least two letters."""
    i = 0
    if len(key) - i > _MIN_STEM + 1 and key[i] in _CONJ:
        i += 1
    if len(key) - i > _MIN_STEM + 1 and key[i] in _PREP:
        if key[i] == "ل" and key.startswith("ل", i + 1) and len(key) - i > _MIN_STEM + 2:
            return key[:i] + "لل", key[i + 2:]  # لل = ل + ال with the alef dropped
        i += 1
    if key.startswith("ال", i) and len(key) - i > _MIN_STEM + 2:
        return key[: i + 2], key[i + 2:]
    return key[:i], key[i:]


def _known(key: str) -> bool:
    # The curated lists only: ANERGazet has fragments such as "بروسيا" (from بروسيا دورتموند).
    return any(key in words(n) for n in ("first_names", "places", "org_names"))


def mention_skip(token: str, known: Collection[str] = ()) -> int:
    """Number of leading characters of ``token`` that are conjunction/preposition clitics.

    Before the article they are always clitics ("والكرملين" → "الكرملين"; "للكرملين", where
    the article's alef is not written, → "كرملين"). Before a bare word they are clitics only
    when the rest is a known name or a clearly commoner word than the whole ("لبوتين" →
    "بوتين", but "لندن", "واشنطن", "فلاديمير" stay whole). ``known`` (normalised words, e.g.
    the rest of the article) is more evidence: a rest found there when the whole is not
    ("وزابوريجيا" next to "زابوريجيا") is split off too.
    """
    return _mention_skip(token, known) if known else _mention_skip_alone(token)


def _mention_skip(token: str, known: Collection[str] = ()) -> int:
    key = norm(token)
    if len(key) < 4 or key[0] not in _CONJ + _PREP or _known(key):
        return 0
    conj = 1 if key[0] in _CONJ else 0
    prep = 1 if len(key) > conj and key[conj] in _PREP else 0
    if prep and key.startswith("لل", conj) and len(key) - conj - 2 >= 3:
        return _raw_prefix_len(token, conj + 2)
    for skip in sorted({conj + prep, conj, prep if not conj else 0} - {0}, reverse=True):
        if key.startswith("ال", skip) and len(key) - skip >= 4:
            return _raw_prefix_len(token, skip)
    best, best_zipf = 0, zipf(key) + 0.5
    for skip in sorted({conj + prep, conj, 1} - {0}, reverse=True):
        rest = key[skip:]
        # Two clitic letters leave a short rest that is often a different word: "فكتور" is
        # not ف + ك + "تور".
        if len(rest) < (4 if skip >= 2 else 3) or rest.startswith("ال"):  # article forms were handled above
            continue
        if _known(rest) and zipf(rest) >= zipf(key) - 0.5 and zipf(key) < 3.5:
            return _raw_prefix_len(token, skip)  # "لموسكو"; not "ورقة" (و + الرقة)
        if zipf(rest) >= best_zipf:
            best, best_zipf = skip, zipf(rest)
        elif known and not best and rest in known and key not in known:
            best = skip
    return _raw_prefix_len(token, best) if best else 0


@lru_cache(maxsize=100_000)
def _mention_skip_alone(token: str) -> int:
    """:func:`mention_skip` without ``known`` (most calls), cached per word type."""
    return _mention_skip(token)


def _raw_prefix_len(token: str, letters: int) -> int:
    """Characters of the raw token covering its first ``letters`` letters (diacritics after a
    letter belong to it)."""
    seen = 0
    for i, c in enumerate(token):
        if norm(c):
            if seen == letters:
                return i
            seen += 1
    return len(token)
