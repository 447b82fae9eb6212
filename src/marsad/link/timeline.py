"""Story-level dates: publication dates inferred from the story, and the story timeline.

An undated article whose text says "اليوم الأربعاء" belongs to a story whose dated members were
published on a Wednesday: it gets that date (``published_source = "story"``) and its relative
dates are re-resolved against it (``resolved_from = "story"``). Never a date its own text
contradicts: every "today <weekday>" in it must fall on the inferred day.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from marsad.doc import Article
from marsad.extract.dates import DateExtractor, find_mentions, resolve
from marsad.text.normalize import normalize
from marsad.text.segment import Segment, sentences

MAX_EVENTS_PER_DAY = 4
SAME_EVENT_OVERLAP = 0.25  # word-set Jaccard above which two dated sentences tell one event


def _today_mentions(text: str):
    return [m for m in find_mentions(text) if m.family == "weekday" and m.fields.get("rel") == "اليوم"]


def infer_published(members: list[Article]) -> dict[str, str]:
    """Article id -> inferred ISO date for the undated members of one story."""
    candidates = sorted({a.published for a in members if a.published})
    out = {}
    for a in members:
        if a.published or not candidates:
            continue
        todays = _today_mentions(a.text)
        if not todays:
            continue  # nothing in the text ties it to a day: no guess
        for iso in candidates:
            day = dt.date.fromisoformat(iso)
            if all((r := resolve(m, day)) is not None and r["date"] == iso for m in todays):
                out[a.id] = iso
                break
    return out


def apply_story_dates(members: list[Article]) -> None:
    """Give undated members their story's date and re-resolve their relative dates (in place)."""
    for article_id, iso in infer_published(members).items():
        a = next(m for m in members if m.id == article_id)
        a.published, a.published_source = iso, "story"
        DateExtractor.reresolve(a, dt.date.fromisoformat(iso), resolved_from="story")


def _words(s: str) -> set[str]:
    return set(re.findall(r"\w{3,}", normalize(s)))


def _sentence_days(a: Article) -> list[tuple[str, Segment]]:
    """(day, sentence) of each dated sentence of an article, each sentence once: under the first
    day-precise date it gives (the event it reports; a later date in it is a plan or background:
    "أعلن الثلاثاء أن القمة ستعقد الخميس" happened on Tuesday)."""
    sents = sentences(a.text)
    out, seen = [], set()
    for item in sorted(a.dates, key=lambda d: d["start"]):
        if item.get("granularity", "day") != "day" or not item.get("date"):
            continue
        sent = next((s for s in sents if s.start <= item["start"] < s.end), None)
        if sent is None or sent.start in seen:
            continue
        seen.add(sent.start)
        out.append((item["date"], sent))
    return out


def timeline(members: list[Article]) -> list[dict]:
    """Dated events of a story, one line each in an article's words, with the articles that
    report them, ordered by day (and within a day by how many articles report the event).
    Each event also gives ``sentences``: where each article says it ({article, start, end}).

    A sentence is listed under one day only: within an article under its first date, and a
    sentence that several articles carry (wire copy) but date differently (a relative "أمس"
    read against two publication dates) under the day most of them give, the earliest on a tie."""
    reports: dict[frozenset, dict] = {}  # the same wording (word set) across articles: one event
    for a in members:
        for day, sent in _sentence_days(a):
            words = _words(sent.text)
            key = frozenset(words) if words else frozenset([sent.text])
            ev = reports.setdefault(key, {"text": sent.text, "words": words, "days": {}, "articles": {}})
            ev["articles"].setdefault(a.id, {"article": a.id, "start": sent.start, "end": sent.end})
            ev["days"][day] = ev["days"].get(day, 0) + 1
    by_day: dict[str, list[dict]] = defaultdict(list)
    for ev in reports.values():
        day = min(ev["days"], key=lambda d: (-ev["days"][d], d))
        events = by_day[day]
        for other in events:  # close wording on the same day: one event
            if len(ev["words"] & other["words"]) >= SAME_EVENT_OVERLAP * len(ev["words"] | other["words"]):
                for aid, where in ev["articles"].items():
                    other["articles"].setdefault(aid, where)
                break
        else:
            events.append({"text": ev["text"], "words": ev["words"], "articles": dict(ev["articles"])})
    out = []
    for day in sorted(by_day):
        events = sorted(by_day[day], key=lambda ev: -len(ev["articles"]))[:MAX_EVENTS_PER_DAY]
        out.extend({"date": day, "text": ev["text"], "articles": list(ev["articles"]),
                    "sentences": list(ev["articles"].values())} for ev in events)
    return out
