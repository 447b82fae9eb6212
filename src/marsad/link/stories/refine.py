"""The second stage of the decision, for the candidates the first one is not sure of.

The first stage (:mod:`.decide`, fitted on ANT pseudo-labels) reads embedding, key and time
similarity. Measured on hand-labelled events (``bench/story_events.py``) it joins different
events of the same actors — successive audiences of a king, a death and its funeral, a strike
and the next one — and, when dates are missing, splits one event told in several wordings.
Every candidate it gives at least ``refine_from`` is scored again from:

| feature | what |
|---|---|
| ``base`` | the first stage's log-odds (clipped) |
| ``e5`` | multilingual-e5 cosine of the titles + leads, mean over the story's latest members |
| ``e5_missing`` | no e5 vector for the article or any compared member |
| ``weekday_clash`` | share of members whose lead names another weekday than the article's |
| ``kind_clash`` | share of members whose first event word is of another kind (death vs funeral) |
| ``gap`` | log(1 + days) between the article's event day and the members', mean (event days from the lead, :mod:`.event`) |
| ``gap_unknown`` | the article's or every member's event day is unknown (never "the same day") |
| ``day_unknown`` | the first stage saw no publication date on one side (its log-odds then run low) |
| ``lead_names`` | overlap (Jaccard) of the names in the first sentences, mean over members: the same host with another guest is another audience |
| ``lead_names_missing`` | no names in the article's or any member's first sentences |

A logistic regression (``data/stories/refine.json``, fitted by ``python -m
marsad.link.stories.train --refine`` on the *dev* part of the hand-labelled set only) gives a
second probability; the index uses the mean of the two (``refine_weight``) against
``refine_threshold``, and rejects a candidate outright when :func:`contradicted` holds.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache

import numpy as np

from marsad.link.stories.decide import Model
from marsad.link.stories.event import UNKNOWN
from marsad.resources import data_path

REFINE_FEATURES = ("base", "e5", "e5_missing", "weekday_clash", "kind_clash", "gap", "gap_unknown", "day_unknown",
                   "lead_names", "lead_names_missing")
E5_MEMBERS = 8  # members compared with e5: the latest ones (each may cost one e5 embedding)
BASE_CLIP = 8.0
DAY_APART = math.log1p(1)  # the mean event-day gap (log1p days) of members a day apart


@lru_cache(maxsize=1)
def default_refiner() -> Model | None:
    path = data_path("stories/refine.json")
    if not path.exists():
        return None
    return Model.from_dict(json.loads(path.read_text(encoding="utf-8")), REFINE_FEATURES)


def base_logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return max(-BASE_CLIP, min(BASE_CLIP, math.log(p / (1 - p))))


def refine_features(base_p: float, f, members: list, e5_article: np.ndarray | None,
                    e5_members: list[np.ndarray | None], day_unknown: float) -> np.ndarray:
    """``f``: the article's ArticleFeatures; ``members``: the compared members' ArticleFeatures;
    ``e5_members``: e5 vectors of (some of) them, None where there is none."""
    sims = [float(v @ e5_article) for v in e5_members if v is not None] if e5_article is not None else []
    e5, e5_missing = (float(np.mean(sims)), 0.0) if sims else (0.0, 1.0)
    weekday_clash = _clash(f.lead_weekday, [m.lead_weekday for m in members])
    kind_clash = _clash(f.kind, [m.kind for m in members])
    days = [m.lead_day for m in members if m.lead_day != UNKNOWN]
    if f.lead_day == UNKNOWN or not days:
        gap, gap_unknown = 0.0, 1.0
    else:
        gap, gap_unknown = float(np.mean([math.log1p(abs(f.lead_day - d)) for d in days])), 0.0
    overlaps = [_jaccard(f.lead_names, m.lead_names) for m in members if len(m.lead_names)] if len(f.lead_names) else []
    names, names_missing = (float(np.mean(overlaps)), 0.0) if overlaps else (0.0, 1.0)
    return np.array([base_logit(base_p), e5, e5_missing, weekday_clash, kind_clash, gap, gap_unknown, day_unknown,
                     names, names_missing])


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def _clash(mine: int, theirs: list[int]) -> float:
    known = [t for t in theirs if t != UNKNOWN]
    if mine == UNKNOWN or not known:
        return 0.0
    return sum(t != mine for t in known) / len(known)


def contradicted(x: np.ndarray) -> bool:
    """The lead's own time and kind contradict the story outright: every compared member names
    another weekday, and either no event day settles it or every member tells another kind of
    event (a death and the next day's funeral, Wednesday's talks and Monday's). On the dev part
    of the labelled set such a complete weekday clash holds for 3–4 % of same-event candidates
    and 16–18 % of different-event ones; joined with an unknown day or a kind clash it is the
    case the learned weights, dominated by the similarities, let through."""
    weekday, kind, gap, gap_unknown = (x[REFINE_FEATURES.index(k)]
                                       for k in ("weekday_clash", "kind_clash", "gap", "gap_unknown"))
    # ... or every member tells another kind of event and the event days lie a day or more apart:
    # one actor's successive acts (a security meeting, a cabinet session two days later, a
    # condolence visit the day after)
    apart = gap_unknown == 0.0 and gap >= DAY_APART
    return (weekday == 1.0 and (gap_unknown == 1.0 or kind == 1.0)) or (kind == 1.0 and apart)
