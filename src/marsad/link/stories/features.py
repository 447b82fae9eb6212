"""Compact per-article signals for story clustering (no full text is kept).

* content keys: the article's rarest words, weighted by rarity in general Arabic (wordfreq
  Zipf; a name the list has never seen counts as rarest) and square-rooted term frequency, top
  :data:`MAX_KEYS`, L2-normalised; the names of the NER layer's mentions (when present) are
  kept apart, as a second key vector (who is involved, not what happened);
* specific numbers (two digits or more, years excluded) and explicit event dates, hashed; and
  the (unit, value) figures of the numbers layer, to notice two reports that disagree on a
  detail ("three hours of talks" against "five hours");
* publication day, and the event days the dates layer found;
* the headline (or the first sentence of the lead when there is none), for story titles.
* the slots template news fills (:mod:`.slots`): the ordinals of the headline and first
  sentence, the persons the first sentence names, every person the first paragraphs name.

Keys are hashed to uint32 so a story index stores a few hundred bytes per article.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from marsad.doc import Article
from marsad.resources import lines
from marsad.text.normalize import ascii_digits, normalize, strip_diacritics
from marsad.text.segment import sentences

MAX_KEYS = 40  # content words
MAX_NAMES = 24  # names (when the NER layer is present)
BODY_CHARS = 2000  # the event is told in the first paragraphs; later ones are background
TITLE_TF = 2  # a headline word counts as two body occurrences
MAX_ZIPF = 6.0  # words at least this common (في، قال …) carry no weight
MIN_WEIGHT = 0.8  # drop keys commoner than Zipf 5.2 (روسيا، ساعات …)
MAX_NUMBERS = 24
LEAD_NAME_CHARS = 250  # names in the first sentences: the event's actors (the guest, the victim)
MAX_TITLE = 200
UNKNOWN_DAY = -1

_WORD = re.compile(r"[^\W\d_]{3,}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(slots=True)
class ArticleFeatures:
    id: str
    outlet: str | None
    day: int  # date ordinal of publication; UNKNOWN_DAY when unknown
    event_days: tuple[int, ...]
    keys: np.ndarray  # uint32 hashed content words, sorted
    weights: np.ndarray  # float32, aligned with keys, L2 norm 1
    name_keys: np.ndarray  # uint32 hashed names (NER mentions), sorted
    name_weights: np.ndarray
    numbers: np.ndarray  # uint32, sorted
    measures: np.ndarray  # uint64 (unit hash << 32 | value hash), sorted; event-specific figures
    title: str
    has_title: bool
    # what tells this event from others of the same actors (event.py): read by the second stage
    lead_day: int = UNKNOWN_DAY  # the event's day from the lead (or publication); unknown stays unknown
    lead_weekday: int = UNKNOWN_DAY  # the weekday the lead names (0 = Monday), even without a date
    kind: int = UNKNOWN_DAY  # event type index (data/stories/event_types.tsv)
    lead_names: np.ndarray = None  # uint32 hashed name words of the first sentences: who the event is about
    # required matches (slots.py): ordinals of the headline and first sentence; the person mentions
    # of the first sentence (words, 0 between mentions); every person word of the first paragraphs
    ordinals: np.ndarray = None
    lead_persons: np.ndarray = None
    persons: np.ndarray = None
    # who acts on whom in the first sentence and whether the act is refused (roles.py)
    roles: np.ndarray = None
    act: np.ndarray = None

    def __post_init__(self):
        for name, dtype in (("lead_names", np.uint32), ("ordinals", np.uint8), ("lead_persons", np.uint32),
                            ("persons", np.uint32), ("roles", np.int16), ("act", np.int16)):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(0, dtype))


def key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=4).digest(), "little")


@lru_cache(maxsize=1)
def _proclitics() -> tuple[tuple[str, ...], tuple[str, ...]]:
    article, bare = [], []
    for line in lines("stories/proclitics.txt"):
        kind, prefix = line.split("\t")
        (article if kind == "article" else bare).append(prefix)
    return tuple(sorted(article, key=len, reverse=True)), tuple(bare)


@lru_cache(maxsize=100_000)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "ar")


@lru_cache(maxsize=100_000)
def word_key(surface: str) -> tuple[str, float]:
    """(key, rarity weight) of a word as written (diacritics already removed).

    The article and its fused prepositions are always stripped; a lone conjunction or
    preposition only when what remains is a clearly commoner word ("لبوتين" → "بوتين"), so that
    names which merely begin with و/ب/ل keep their first letter. Rarity is read on the written
    form, since wordfreq knows Arabic spelled normally (ة, ى), not our matching keys.
    """
    article, bare = _proclitics()
    stem = surface
    for p in article:
        if stem.startswith(p) and len(stem) - len(p) >= 3:
            stem = stem[len(p):]
            break
    else:
        if stem[0] in bare and len(stem) >= 4:
            rest = stem[1:]
            if zipf(rest) >= zipf(stem) + 0.5:
                stem = rest
    z = max(zipf(surface), zipf(stem))
    weight = min(MAX_ZIPF, max(0.0, MAX_ZIPF - z))
    return normalize(stem), weight


def _day(value: str | None) -> int:
    if not value or len(value) < 10:
        return UNKNOWN_DAY
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return UNKNOWN_DAY


def _content_keys(article: Article, mentions: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(word keys, weights, name keys, weights). Names are the words of the NER mentions plus
    each whole mention ("جاريد كوشنر" as a unit). Names say who is involved, words what
    happened: the same actors at another event share names but few words."""
    name_keys: set[str] = set()
    tf: dict[str, float] = {}
    rarity: dict[str, float] = {}

    def add(key: str, w: float, count: float) -> None:
        tf[key] = tf.get(key, 0.0) + count
        rarity[key] = max(rarity.get(key, 0.0), w)

    for m in mentions:
        words = [word_key(w.group()) for w in _WORD.finditer(strip_diacritics(m.get("text") or ""))]
        words = [(k, w) for k, w in words if len(k) >= 3 and w >= MIN_WEIGHT]
        name_keys.update(k for k, _ in words)
        if words:
            add("E|" + " ".join(k for k, _ in words), max(w for _, w in words), 1.0)

    def add_text(text: str, count: float) -> None:
        for m in _WORD.finditer(strip_diacritics(text)):
            key, w = word_key(m.group())
            if w >= MIN_WEIGHT and len(key) >= 3:
                add(key, w, count)

    if article.title:
        add_text(article.title, TITLE_TF)
    add_text(article.text[:BODY_CHARS], 1.0)
    names = {k for k in tf if k.startswith("E|") or k in name_keys}
    return (*_top(tf, rarity, [k for k in tf if k not in names], MAX_KEYS),
            *_top(tf, rarity, list(names), MAX_NAMES))


def mentions_of(article: Article, find_names: bool = True) -> list[dict]:
    """The article's NER mentions in the part keys are read from (the first ``BODY_CHARS``);
    when the layer is empty (the pipeline did not run NER) the project's tagger is run on that
    part here, so names are told from words the same way either way. Without a usable tagger,
    no names: every key is then a word."""
    if article.mentions:
        return [m for m in article.mentions if m.get("start", 0) < BODY_CHARS]
    tagger = _tagger() if find_names else None
    if tagger is None:
        return []
    try:
        return tagger.mentions(article.text[:BODY_CHARS])
    except Exception:  # a tagger failure must not stop story assignment
        return []


_TAGGER: list = []


def _tagger():
    if not _TAGGER:
        try:
            from marsad.extract.entities import EntityTagger

            _TAGGER.append(EntityTagger())
        except Exception:
            _TAGGER.append(None)
    return _TAGGER[0]


def _top(tf: dict[str, float], rarity: dict[str, float], keys: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` keys of highest sqrt(tf) × rarity, hashed, sorted, L2-normalised weights."""
    if not keys:
        return np.zeros(0, np.uint32), np.zeros(0, np.float32)
    scored = sorted(((tf[key] ** 0.5) * rarity[key], key) for key in keys)[-k:]
    hashed: dict[int, float] = {}
    for score, key in scored:
        h = key_hash(key)
        hashed[h] = hashed.get(h, 0.0) + score
    out = np.array(sorted(hashed), dtype=np.uint32)
    weights = np.array([hashed[int(h)] for h in out], dtype=np.float32)
    return out, weights / max(float(np.linalg.norm(weights)), 1e-12)


def _number_keys(article: Article, event_days: tuple[int, ...]) -> np.ndarray:
    """Specific figures: 701 (km²), 5600 (drones), 28 (points), 5.2 (magnitude); not years, not
    one-digit counts."""
    found: set[str] = set()
    text = ascii_digits(((article.title or "") + "\n" + article.text[:BODY_CHARS * 2]))
    for m in _NUMBER.finditer(text):
        _add_number(found, m.group().replace(",", ""))
    for item in article.numbers or []:
        value = item.get("value")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            _add_number(found, f"{value:g}")
    for d in event_days:
        found.add("D|" + str(d))
    return np.array(sorted({key_hash("N|" + k) for k in found})[:MAX_NUMBERS], dtype=np.uint32)


def _measures(article: Article) -> np.ndarray:
    """(unit, value) of the numbers layer's figures in event-specific units ("5 ساعة",
    "701 كيلومتر مربع"); background units (years, percentages) are left out."""
    background = _background_units()
    out = set()
    for item in article.numbers or []:
        unit, value = item.get("unit"), item.get("value")
        if not unit or unit in background or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        out.add((key_hash("U|" + normalize(unit)) << 32) | key_hash(f"V|{float(value):.4g}"))
    return np.array(sorted(out)[:MAX_NUMBERS], dtype=np.uint64)


@lru_cache(maxsize=1)
def _background_units() -> frozenset[str]:
    return frozenset(lines("stories/background_units.txt"))


def _add_number(found: set[str], raw: str) -> None:
    try:
        value = float(raw)
    except ValueError:
        return
    whole = value == int(value)
    if (whole and value < 10) or (whole and 1900 <= value <= 2100):
        return  # one-digit counts are everywhere; years are dates, not figures
    found.add(f"{value:g}")


def _event_days(article: Article) -> tuple[int, ...]:
    days = set()
    for item in article.dates or []:
        d = _day(item.get("date") if isinstance(item.get("date"), str) else None)
        if d != UNKNOWN_DAY:
            days.add(d)
    return tuple(sorted(days))[:8]


def fallback_title(article: Article) -> str:
    """The first sentence of the lead, shortened at a word boundary."""
    for s in sentences(article.text):
        if len(s.text.split()) >= 4:
            text = s.text
            break
    else:
        text = article.text.strip()
    text = " ".join(text.split())
    if len(text) > MAX_TITLE:
        cut = text.rfind(" ", 0, MAX_TITLE)
        text = text[: cut if cut > 0 else MAX_TITLE] + "…"
    return text


def article_features(article: Article, find_names: bool = True) -> ArticleFeatures:
    """``find_names``: run the NER tagger when the article has no mentions layer."""
    from marsad.link.stories.event import event_signals
    from marsad.link.stories.roles import lead_act
    from marsad.link.stories.slots import article_ordinals, first_sentence, persons

    event_days = _event_days(article)
    signals = event_signals(article)
    mentions = mentions_of(article, find_names)  # once: without a layer this runs the tagger
    keys, weights, name_keys, name_weights = _content_keys(article, mentions)
    lead_persons, person_words = persons(article, mentions)
    has_title = bool(article.title and article.title.strip())
    roles, act = lead_act(first_sentence(article.text))
    return ArticleFeatures(
        id=article.id,
        outlet=article.outlet,
        day=_day(article.published),
        event_days=event_days,
        keys=keys,
        weights=weights,
        name_keys=name_keys,
        name_weights=name_weights,
        numbers=_number_keys(article, event_days),
        measures=_measures(article),
        title=" ".join(article.title.split()) if has_title else fallback_title(article),
        has_title=has_title,
        lead_day=signals.day,
        lead_weekday=signals.weekday,
        kind=signals.kind,
        lead_names=_lead_names(mentions),
        ordinals=article_ordinals(article),
        lead_persons=lead_persons,
        persons=person_words,
        roles=roles,
        act=act,
    )


def _lead_names(mentions: list[dict]) -> np.ndarray:
    """Hashed words of the NER names that start in the first ``LEAD_NAME_CHARS`` of the text."""
    out = set()
    for m in mentions:
        if m.get("start", 0) >= LEAD_NAME_CHARS:
            continue
        for w in _WORD.finditer(strip_diacritics(m.get("text") or "")):
            k, weight = word_key(w.group())
            if len(k) >= 3 and weight >= MIN_WEIGHT:
                out.add(key_hash(k))
    return np.array(sorted(out), dtype=np.uint32)
