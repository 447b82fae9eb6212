"""The sentences of a story's articles as comparison units, with their clauses.

A unit is a whole sentence of ``article.text`` (offsets exact), minus a leading section label
("الموقف الأمريكي: من جانبه، قال…" starts at "من جانبه") or dateline ("دبي، الإمارات العربية
المتحدة (CNN)-- …", patterns in ``data/compare/dateline_patterns.txt``). Subheads, captions and
links to other stories (a line of a few words without a final stop) are not units. Each unit keeps its clauses (split at ، ؛ and
before لكن) for finer matching of sentences that state several facts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from marsad.doc import Article
from marsad.link.compare.lexical import Bag, bag
from marsad.resources import lines
from marsad.text.normalize import normalize
from marsad.text.segment import Segment, clauses, paragraphs, sentences

MIN_WORDS = 5  # shorter sentences are subheads, datelines or fragments
HEADING_WORDS = 12  # a line this short without a final stop is a subhead or a link
FINAL = ".؟?!…»”\")'"
MIN_CLAUSE_WORDS = 4
MAX_UNITS = 40  # sentences kept per article: later ones are background, and cost grows as n²
LABEL = re.compile(r"^([^\W\d_][^:：\n]{1,40}?)\s*:\s+")
QUOTE_OPENERS = "«“\"'‘"
_BUT = re.compile(r"\s(?=(?:و?لكن(?:ه|ها|هم)?|بينما)\s)")


@dataclass
class Unit:
    article: str  # article id
    index: int  # position of the sentence in its article (0 = lead)
    start: int
    end: int
    text: str
    paragraph: int
    clauses: list[Segment] = field(default_factory=list)
    bag: Bag | None = None
    clause_bags: list[Bag] = field(default_factory=list)

    @property
    def words(self) -> int:
        return len(self.text.split())


@lru_cache(maxsize=1)
def _datelines() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in lines("compare/dateline_patterns.txt"))


def _trim_dateline(text: str, seg: Segment) -> Segment:
    for pattern in _datelines():
        m = pattern.match(seg.text)
        if m and len(seg.text[m.end():].split()) >= MIN_WORDS:
            start = seg.start + m.end()
            return Segment(start, seg.end, text[start:seg.end])
    return seg


@lru_cache(maxsize=1)
def _related_markers() -> tuple[str, ...]:
    return tuple(normalize(m) for m in lines("compare/related_markers.txt"))


def _is_heading(seg: Segment) -> bool:
    """A subhead, caption or link: short without a final stop, or opening with "للمزيد:"."""
    if len(seg.text.split()) < HEADING_WORDS and seg.text.rstrip()[-1:] not in FINAL:
        return True
    head = normalize(seg.text[:40])
    return any(head.startswith(m) and head[len(m):len(m) + 1] in (":", " ", "-", "") for m in _related_markers())


def _trim_label(text: str, seg: Segment) -> Segment:
    """Drop a short section label before a colon, unless a quotation follows it."""
    m = LABEL.match(seg.text)
    if not m or len(m.group(1).split()) > 4:
        return seg
    rest = seg.text[m.end():]
    if not rest or rest[0] in QUOTE_OPENERS or len(rest.split()) < MIN_WORDS:
        return seg
    start = seg.start + m.end()
    return Segment(start, seg.end, text[start:seg.end])


def _clauses(text: str, seg: Segment) -> list[Segment]:
    out: list[Segment] = []
    for c in clauses(text, seg.start, seg.end):
        cuts = [c.start] + [c.start + m.end() for m in _BUT.finditer(c.text)] + [c.end]
        for s, e in zip(cuts, cuts[1:]):
            piece = text[s:e].strip()
            if piece:
                s2 = text.index(piece, s)
                out.append(Segment(s2, s2 + len(piece), piece))
    # a fragment too short to state anything joins the clause after it
    merged: list[Segment] = []
    pending: Segment | None = None
    for c in out:
        if pending is not None:
            c = Segment(pending.start, c.end, text[pending.start:c.end])
            pending = None
        if len(c.text.split()) < MIN_CLAUSE_WORDS:
            pending = c
        else:
            merged.append(c)
    if pending is not None:
        if merged:
            last = merged.pop()
            merged.append(Segment(last.start, pending.end, text[last.start:pending.end]))
        else:
            merged.append(pending)
    return merged


def article_units(article: Article) -> list[Unit]:
    text = article.text
    units: list[Unit] = []
    for p_index, para in enumerate(paragraphs(text)):
        for seg in sentences(text, para.start, para.end):
            if _is_heading(seg):
                continue
            seg = _trim_dateline(text, _trim_label(text, seg))
            if len(seg.text.split()) < MIN_WORDS:
                continue
            if len(units) >= MAX_UNITS:
                return units
            cl = _clauses(text, seg)
            units.append(Unit(article.id, len(units), seg.start, seg.end, seg.text, p_index, cl,
                              bag(seg.text), [bag(c.text) for c in cl]))
    return units


def story_units(articles: list[Article]) -> list[Unit]:
    out: list[Unit] = []
    for a in articles:
        out.extend(article_units(a))
    return out
