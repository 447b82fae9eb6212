"""Boilerplate removal for scraped page text.

A page is read line by line. Furniture lines (JavaScript warnings, image credits, counters,
related-content headers, comment forms) match patterns in ``data/boilerplate/line_patterns.txt``;
an end-of-page block (author box, comment form) starts at a line from ``tail_markers.txt``;
header lines (headline, ``- masthead``, date, byline) and a trailing site signature are taken
out of the body and kept as metadata candidates; paragraphs the page repeats are dropped once.
Everything dropped is listed in ``removed``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from marsad.resources import lines
from marsad.text.normalize import normalize

_SENTENCE_END = tuple(".!?؟…»”\"'):")
_BULLET = re.compile(r"^[-–—•·*]\s*")
_BYLINE = re.compile(r"^(?:بقلم|كتب|كتبت|كتبه|إعداد|اعداد|تقرير|by)\s*:?\s*(?P<name>[^\d:]{3,60})$", re.I)
_LONG = 100  # a line this long is body text, whatever it ends with
MAX_SIGNATURE_LINES = 3


@dataclass
class CleanPage:
    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)
    title: str | None = None
    header: list[str] = field(default_factory=list)  # masthead/date/byline lines above the body
    signature: list[str] = field(default_factory=list)  # short trailing lines (site signature, credits)
    author: str | None = None  # from an author box or a byline


@lru_cache(maxsize=1)
def _furniture() -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in lines("boilerplate/line_patterns.txt")), re.I)


@lru_cache(maxsize=1)
def _tail_markers() -> dict[str, str]:
    out = {}
    for line in lines("boilerplate/tail_markers.txt"):
        marker, kind = line.split("\t")
        out[marker.lower()] = kind
    return out


def is_furniture(line: str) -> bool:
    return _furniture().fullmatch(line) is not None


def _is_body(line: str) -> bool:
    return len(line) >= _LONG or line.endswith(_SENTENCE_END)


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return 3 <= len(words) <= 30 and len(line) <= 220 and not line.endswith((".", "،", ":")) and not _BULLET.match(line)


def _shingles(paragraph: str, n: int = 3) -> set[tuple[str, ...]]:
    toks = re.findall(r"\w+", normalize(paragraph))
    return {tuple(toks[i:i + n]) for i in range(max(0, len(toks) - n + 1))}


def drop_repeats(paragraphs: list[str], removed: list[str], min_words: int = 8) -> list[str]:
    """Drop a paragraph whose word trigrams mostly (>= 80% of the smaller) repeat an earlier one."""
    kept: list[str] = []
    seen: list[set] = []
    for p in paragraphs:
        sh = _shingles(p) if len(p.split()) >= min_words else set()
        if sh and any(len(sh & s) >= 0.8 * min(len(sh), len(s)) for s in seen):
            removed.append(p)
            continue
        if sh:
            seen.append(sh)
        kept.append(p)
    return kept


def clean_page(raw: str, known_title: str | None = None) -> CleanPage:
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u00a0", " ").replace("\ufeff", "")
    page = [ln.strip() for ln in text.split("\n")]
    page = [re.sub(r"[ \t\u200b\u200e\u200f]+", " ", ln).strip() for ln in page]
    page = [ln for ln in page if ln]  # a line of only direction marks is empty too (found by fuzzing)
    out = CleanPage(paragraphs=[])
    removed = out.removed

    body: list[str] = []
    for ln in page:
        if is_furniture(ln):
            removed.append(ln)
        else:
            body.append(ln)

    _cut_tail_block(body, out)
    _take_header(body, out, known_title)
    _take_signature(body, out)
    out.paragraphs = drop_repeats(body, removed)
    return out


def _cut_tail_block(body: list[str], out: CleanPage) -> None:
    """An author box or comment form ends the article: drop it and everything after it.
    Only in the second half of the page and after some body text, so a label near the top
    never wipes the article."""
    markers = _tail_markers()
    for i, ln in enumerate(body):
        kind = markers.get(ln.lower().rstrip(":"))
        if kind and i >= len(body) / 2 and any(_is_body(b) for b in body[:i]):
            tail = body[i:]
            del body[i:]
            name = _BULLET.sub("", tail[1]) if len(tail) > 1 else ""
            if kind == "author" and name and len(name.split()) <= 5 and not _is_body(name):
                out.author = name
            out.removed.extend(tail)
            # A site signature can still close the page below the author box.
            last = tail[-1]
            if len(tail) > 2 and len(last) <= 60 and last != out.author and not _is_body(last):
                out.signature.append(last)
            return


def _take_header(body: list[str], out: CleanPage, known_title: str | None) -> None:
    if not body:
        return
    if known_title:
        if normalize(body[0]) == normalize(known_title):
            del body[0]  # the page repeats its own headline as the first line
    elif len(body) > 1 and _looks_like_title(body[0]):
        out.title = body.pop(0)
    # Masthead, date and byline lines: short, bulleted or date-like, before the body starts.
    while body and not _is_body(body[0]) and len(body[0]) <= 80 and (
        _BULLET.match(body[0]) or _BYLINE.match(body[0]) or _is_date_line(body[0])
    ):
        ln = body.pop(0)
        out.header.append(ln)
        out.removed.append(ln)
        m = _BYLINE.match(_BULLET.sub("", ln))
        if m and not out.author:
            out.author = m.group("name").strip()


def _is_date_line(line: str) -> bool:
    from marsad.ingest.meta import parse_date_line

    return parse_date_line(_BULLET.sub("", line)) is not None


def _take_signature(body: list[str], out: CleanPage) -> None:
    """Short lines after the last body line are a site signature or credit line."""
    last_body = max((i for i, ln in enumerate(body) if _is_body(ln)), default=-1)
    if last_body < 0:
        return
    tail = body[last_body + 1:]
    # A signature is a line or three; a longer run, or bullet points, is a closing list.
    if tail and len(tail) <= MAX_SIGNATURE_LINES and all(len(ln) <= 80 and not _BULLET.match(ln) for ln in tail):
        del body[last_body + 1:]
        out.signature.extend(tail)
        out.removed.extend(tail)
