"""What tells one event from another of the same actors: when it happened and what kind of fact
it is, read from the article's own lead.

* **event day** — the first day-precise date of the lead ("الثلاثاء", "أمس", "5 مايو 2018",
  "17 شوال 1436 هـ"), resolved against whatever anchor exists: the publication date, or else an
  explicit date the lead itself gives. A lead date far before the anchor is background ("منذ
  مارس الماضي"), not the event. Without a lead date the publication day stands in; without
  any anchor the event day is *unknown* — never "the same day" as anything.
* **weekday** — the weekday the lead names, even when no anchor says which week: two reports
  of one event name the same day ("الأربعاء"), successive meetings of the same envoys rarely do.
* **kind** — the first event-type word of the headline and lead (``data/stories/event_types.tsv``):
  a death and its funeral, a phone call and a visit, a capture and a government's fall.

These feed the second stage of the decision (:mod:`.refine`), never the candidate retrieval.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from marsad.doc import Article
from marsad.extract.dates import anchor_of, find_mentions, resolve, weekday_of
from marsad.resources import lines
from marsad.text.normalize import strip_diacritics

UNKNOWN = -1
LEAD_CHARS = 400  # the event is dated and named in the first sentences
KIND_CHARS = 300
BACKGROUND_DAYS = 10  # a lead date further back than this from the anchor is background
AHEAD_DAYS = 1  # ... or further ahead (an announced future step is not the event)

_WORD = re.compile(r"[^\W\d_]{2,}")
# verb and noun endings tried off a word when the word itself is not listed ("سيطرت" -> "سيطر")
_SUFFIXES = ("ت", "وا", "ون", "ان", "ين", "ات", "ه")


@dataclass(frozen=True, slots=True)
class EventSignals:
    day: int = UNKNOWN  # date ordinal
    weekday: int = UNKNOWN  # 0 = Monday
    kind: int = UNKNOWN  # index into kinds()


@lru_cache(maxsize=1)
def kinds() -> tuple[tuple[str, ...], dict[str, int]]:
    """(type names, normalised word form -> type index); a form listed twice keeps its first type."""
    from marsad.link.stories.features import word_key

    names, forms = [], {}
    for line in lines("stories/event_types.tsv"):
        name, words = line.split("\t", 1)
        names.append(name)
        for w in words.split():
            forms.setdefault(word_key(strip_diacritics(w))[0], len(names) - 1)
    return tuple(names), forms


def event_kind(text: str) -> int:
    """Index of the first event-type word of ``text`` (UNKNOWN when none)."""
    from marsad.link.stories.features import word_key

    forms = kinds()[1]
    for m in _WORD.finditer(strip_diacritics(text)):
        key = word_key(m.group())[0]
        # a ta marbuta is a noun's ending, not the pronoun ه: "رحلة" (a journey) is not "رحل" (died)
        suffixes = _SUFFIXES[:-1] if m.group().endswith("ة") else _SUFFIXES
        for form in (key, *(key[: -len(s)] for s in suffixes if key.endswith(s) and len(key) - len(s) >= 3)):
            k = forms.get(form)
            if k is not None:
                return k
    return UNKNOWN


def _text_anchor(text: str) -> date | None:
    """The first explicit day-precise date of the text: the anchor of an undated article."""
    for m in find_mentions(text):
        if m.explicit:
            item = resolve(m, None)
            if item and item["granularity"] == "day":
                return date.fromisoformat(item["date"])
    return None


def event_signals(article: Article) -> EventSignals:
    lead = article.text[:LEAD_CHARS]
    published = anchor_of(article.published)
    anchor = published or _text_anchor(lead)  # a full date further down is mostly background
    day, weekday = None, UNKNOWN
    for m in find_mentions(lead):
        if weekday == UNKNOWN:
            wd = weekday_of(m)
            if wd is not None:
                weekday = wd
        if day is None and anchor is not None:
            item = resolve(m, anchor)
            if item and item["granularity"] == "day":
                d = date.fromisoformat(item["date"])
                if anchor - timedelta(days=BACKGROUND_DAYS) <= d <= anchor + timedelta(days=AHEAD_DAYS):
                    day = d
                    if weekday == UNKNOWN and m.explicit:
                        weekday = d.weekday()
    if day is None:
        day = published  # a report without a lead date tells the news of its day
    head = ((article.title or "") + "\n" + article.text[:KIND_CHARS])
    return EventSignals(day.toordinal() if day else UNKNOWN, weekday, event_kind(head))
