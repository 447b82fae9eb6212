"""Tokens, shingles and sketch units for text-reuse matching.

Words are found on the article's own ``text`` (so every token keeps its exact character
span) and each word is then reduced to its matching key with :func:`marsad.text.normalize.normalize`
(no diacritics or tatweel, one alef, ya for alef maqsura, ha for ta marbuta, ASCII digits):
"بنّاءة" and "بناءة", "الأميركي" and "الاميركي" get the same key. Keys are hashed to stable
32-bit integers (crc32, not Python's salted ``hash``) so that a pickled index stays valid in
a later process.

Units are the pieces that get their own MinHash besides the whole document: sentence-like
stretches of the token stream cut at sentence punctuation or line breaks. Cut points depend
only on the local text, so a paragraph copied into another article is cut the same way there,
whatever comes before it.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from marsad.text.normalize import normalize

_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
# A number (with its decimal or thousands separators) is one token, a run of letters (with
# their diacritics and tatweel) another: "و3.5" is "و" + "3.5".
_TOKEN = re.compile(rf"\d+(?:[.,٫٬]\d+)*|[^\W\d_](?:[^\W\d_]|[{_MARKS}])*")
# Where a sketch unit may end: sentence punctuation or a line break between two tokens.
_UNIT_END = re.compile(r"[.!?؟…\n]")

# Odd 64-bit multipliers for rolling k-gram hashes (wrap-around arithmetic is intended).
_KGRAM_MULT = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9],
    dtype=np.uint64,
)


@dataclass
class TokenStream:
    """The normalised words of one text: ``hashes[i]`` is the key hash of the word at
    ``text[starts[i]:ends[i]]``."""

    hashes: np.ndarray  # uint32
    starts: np.ndarray  # int64 character offsets into the original text
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.hashes)


_HASHES: dict[str, int] = {}
_MAX_CACHED = 1 << 19


def token_hash(word: str) -> int:
    """Stable 32-bit hash of a word's matching key; 0 when the key is empty."""
    h = _HASHES.get(word)
    if h is None:
        key = normalize(word)
        h = zlib.crc32(key.encode("utf-8")) if key else 0
        if len(_HASHES) >= _MAX_CACHED:
            _HASHES.clear()
        _HASHES[word] = h
    return h


def tokenize(text: str) -> TokenStream:
    matches = list(_TOKEN.finditer(text))
    get = _HASHES.get
    hashes = [get(w) for w in map(re.Match.group, matches)]
    hashes = [h if h is not None else token_hash(m.group()) for h, m in zip(hashes, matches)]
    starts = np.fromiter(map(re.Match.start, matches), dtype=np.int64, count=len(matches))
    ends = np.fromiter(map(re.Match.end, matches), dtype=np.int64, count=len(matches))
    hashes = np.array(hashes, dtype=np.uint32)
    keep = hashes != 0
    if not keep.all():
        hashes, starts, ends = hashes[keep], starts[keep], ends[keep]
    return TokenStream(hashes, starts, ends)


def kgram_hashes(hashes: np.ndarray, k: int) -> np.ndarray:
    """64-bit hash of every run of ``k`` consecutive tokens (empty when fewer tokens)."""
    n = len(hashes) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = hashes.astype(np.uint64)
    out = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        out += h[j:j + n] * _KGRAM_MULT[j]
    return out


def fold32(values: np.ndarray) -> np.ndarray:
    """64-bit hashes folded to 32 bits (the input width of a 32-bit MinHash)."""
    v = values.astype(np.uint64)
    return ((v >> np.uint64(32)) ^ v).astype(np.uint32)


def unit_spans(text: str, tokens: TokenStream, min_tokens: int, max_tokens: int, chunk: int) -> list[tuple[int, int]]:
    """Token ranges ``[i, j)`` of the sketch units of a text.

    A unit ends where sentence punctuation or a line break falls between two tokens. Units
    shorter than ``min_tokens`` are dropped (headings, datelines, stock phrases); units longer
    than ``max_tokens`` are cut into pieces of ``chunk`` tokens counted from the unit start, the
    last piece absorbing a short remainder.
    """
    n = len(tokens)
    if n == 0:
        return []
    ends_at = np.array([m.start() for m in _UNIT_END.finditer(text)], dtype=np.int64)
    # token i closes a unit when a cut mark lies between its end and the next token's start
    nxt = np.searchsorted(ends_at, tokens.ends[:-1], side="left")
    has_mark = nxt < len(ends_at)
    cut = np.zeros(n, dtype=bool)
    cut[-1] = True
    if len(ends_at):
        pos = np.where(has_mark, ends_at[np.minimum(nxt, len(ends_at) - 1)], np.iinfo(np.int64).max)
        cut[:-1] = pos < tokens.starts[1:]
    spans = []
    start = 0
    for i in np.nonzero(cut)[0].tolist():
        end = i + 1
        length = end - start
        if length >= min_tokens:
            if length <= max_tokens:
                spans.append((start, end))
            else:
                s = start
                while end - s > chunk + min_tokens:
                    spans.append((s, s + chunk))
                    s += chunk
                spans.append((s, end))
        start = end
    return spans
