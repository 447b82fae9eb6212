"""A story's quotes, each said once, grouped by who said it.

Outlets that re-post the same agency copy carry the same quotation, and a list of quotes would
show it once per outlet. Here a quotation is keyed by its words (normalised: hamza, ya,
diacritics, punctuation do not count), and copies whose words agree closely (Jaccard at least
:data:`SAME_QUOTE`: an outlet trimmed or edited a word; looked for among the quotes that share
the copy's longest word) are one quote, listed once with every
article that carries it. The quote takes the speaker most of its copies were given (an outlet
that cut the attribution does not make it a new, unattributed quote). Groups are speakers, the
most quoted first; work is bounded by :data:`MAX_QUOTES` per call.
"""
from __future__ import annotations

import re
from functools import lru_cache

from marsad.text.normalize import normalize

SAME_QUOTE = 0.8  # word-set Jaccard at which two quotations are copies of one
MAX_QUOTES = 2000  # quotes grouped per call (a story's first ones, in story order)
_WORD = re.compile(r"\w+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalize(text or "")))


@lru_cache(maxsize=8192)
def _name_key(text: str) -> str:
    return " ".join(_words(text))


def _speaker_key(q: dict) -> str | None:
    if q.get("speaker"):
        return "e:" + q["speaker"]
    name = _name_key(q.get("speaker_text") or "")
    return "t:" + name if name else None


def dedupe(quotes: list[dict]) -> list[dict]:
    """One item per distinct quotation, in first-seen order: the first copy's fields plus
    ``copies`` (every copy: article, start, end, in order) and ``speaker_key``."""
    items: list[dict] = []
    exact: dict[tuple, dict] = {}
    by_probe: dict[str, list[dict]] = {}  # near copies are looked for among items sharing the longest word
    raw: dict[str, dict] = {}  # the same characters (a verbatim wire copy): no key to compute
    for q in quotes[:MAX_QUOTES]:
        text = q.get("text") or ""
        item = raw.get(text)
        words = () if item is not None else _words(text)
        key = words or (text,)
        if item is None:
            item = exact.get(key)
        probe = max(words, key=len) if words else ""
        if item is None and len(words) >= 4:
            wset = set(words)
            for other in by_probe.get(probe, ()):
                if len(wset & other["_set"]) >= SAME_QUOTE * len(wset | other["_set"]):
                    item = other
                    break
        if item is None:
            item = {**q, "copies": [], "_speakers": {}, "_speaker_of": {}, "_set": set(words)}
            items.append(item)
            by_probe.setdefault(probe, []).append(item)
        exact.setdefault(key, item)
        raw.setdefault(text, item)
        item["copies"].append({"article": q["article"], "start": q["start"], "end": q["end"]})
        sk = _speaker_key(q)
        if sk:
            item["_speakers"][sk] = item["_speakers"].get(sk, 0) + 1
            item["_speaker_of"].setdefault(sk, q)
    out = []
    for item in items:
        speakers, named = item.pop("_speakers"), item.pop("_speaker_of")
        del item["_set"]
        if speakers:
            best = max(speakers, key=lambda k: (speakers[k], k.startswith("e:")))
            src = named[best]
            item.update(speaker=src.get("speaker"), speaker_text=src.get("speaker_text"),
                        speaker_name=src.get("speaker_name"))
        item["speaker_key"] = _speaker_key(item)
        out.append(item)
    return out


def group_quotes(quotes: list[dict]) -> list[dict]:
    """Quotes (dicts with article, start, end, text, direct, speaker, speaker_text and optionally
    speaker_name) grouped by speaker: ``[{"speaker", "name", "quotes": [...]}]``, each quote once
    with its ``copies``; speakers with more distinct quotes first, the unattributed last."""
    groups: dict[str | None, dict] = {}
    for item in dedupe(quotes):
        key = item.pop("speaker_key")
        g = groups.setdefault(key, {"speaker": item.get("speaker"),
                                    "name": item.get("speaker_name") or item.get("speaker_text"), "quotes": []})
        g["quotes"].append(item)
    return sorted(groups.values(), key=lambda g: (g["name"] is None, -len(g["quotes"]),
                                                  -sum(len(q["copies"]) for q in g["quotes"])))
