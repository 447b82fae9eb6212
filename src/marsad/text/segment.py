"""Paragraph and sentence segmentation with exact character offsets.

Sentences end at . ؟ ? ! … or a line break; not inside «…», “…” or "…" quotations, not after
an abbreviation (data file ``abbreviations.txt``: د. ، م. ، ص. …) and not inside a number (3.5).
The comma ، and semicolon ؛ are clause marks, not sentence ends: :func:`clauses` splits on them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from marsad.resources import word_set

_PARA = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_END = set(".؟?!…")
_OPEN_CLOSE = {"«": "»", "“": "”", "‘": "’"}
_MAX_QUOTE = 600  # a quotation mark left open longer than this is treated as stray
# The only characters the sentence loop acts on; it jumps from one to the next.
_MARK = re.compile("[\n" + re.escape("".join(_END) + "".join(_OPEN_CLOSE)) + '"]')


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


def paragraphs(text: str) -> list[Segment]:
    """Blocks separated by one or more blank lines, trimmed."""
    out: list[Segment] = []
    for m in _PARA.finditer(text):
        _append(out, text, m.start(), m.end())
    return out


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return frozenset(word_set("abbreviations.txt"))


def _closing_quote(text: str, i: int, limit: int) -> int:
    """Index just past the quotation that opens at ``i``, or -1 when it does not close soon."""
    c = text[i]
    close = _OPEN_CLOSE.get(c, '"' if c == '"' else None)
    if close is None:
        return -1
    j = text.find(close, i + 1, min(limit, i + _MAX_QUOTE))
    return j + 1 if j >= 0 else -1


def _is_abbreviation(text: str, dot: int) -> bool:
    m = re.search(r"(\S+)$", text[max(0, dot - 12):dot])
    if not m:
        return False
    word = m.group(1).lstrip("(«\"“")
    return word + "." in _abbreviations() or (len(word) == 1 and word.isalpha())


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Sentences of ``text[start:end]`` with offsets into ``text``; leading/trailing spaces trimmed."""
    end = len(text) if end is None else end
    out: list[Segment] = []
    s = start
    i = start
    while i < end:
        m = _MARK.search(text, i, end)
        if m is None:
            break
        i = m.start()
        c = text[i]
        if c in _OPEN_CLOSE or c == '"':
            j = _closing_quote(text, i, end)
            if j > 0 and "\n" not in text[i:j]:
                i = j
                continue
        boundary = None
        if c == "\n":
            boundary = i
        elif c in _END:
            k = i + 1
            while k < end and (text[k] in _END or text[k] in "»”’\")"):
                k += 1
            follows = text[k] if k < end else " "
            if c == "." and (
                (i > 0 and text[i - 1].isdigit() and follows.isdigit()) or _is_abbreviation(text, i)
            ):
                boundary = None
            elif follows.isspace():
                boundary = k
            i = k - 1  # skip the run of end marks and closing quotes
        if boundary is not None:
            _append(out, text, s, boundary)
            s = boundary
        i += 1
    _append(out, text, s, end)
    return out


def _append(out: list[Segment], text: str, s: int, e: int) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append(Segment(s, e, text[s:e]))


def clauses(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Split a span on the Arabic comma and semicolon (، ؛) and their Latin forms."""
    end = len(text) if end is None else end
    out: list[Segment] = []
    s = start
    for m in re.finditer(r"[،؛;,]", text[start:end]):
        _append(out, text, s, start + m.start())
        s = start + m.end()
    _append(out, text, s, end)
    return out
