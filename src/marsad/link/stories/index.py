"""The incremental story index: compact article rows, candidate retrieval, story features.

Memory is bounded per article: a 512-d embedding (float16 values, kept as float32 in memory),
up to 40 hashed keys with weights, up to 24 hashed numbers, the date and the headline — never
the text.

Candidates for a new article are never all stories (sub-quadratic):

* time blocking + exact nearest neighbours: cosine with the embeddings of articles published
  within ``window_days`` (a day-bucket lookup, then one matrix product over a few thousand rows);
  an undated article is compared with the ``recent_rows`` last arrivals;
* an inverted index on each article's rarest keys (posting lists capped at ``posting_cap``
  most recent rows, so a common name costs no more than a rare one);
* the partners of the article's reuse pairs.

The stories of those rows (at most ``max_candidate_stories``, by best cosine) are scored by
:mod:`.decide`.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from marsad.link.stories.embed import DIM
from marsad.link.stories.features import UNKNOWN_DAY, ArticleFeatures
from marsad.resources import data_path


@lru_cache(maxsize=1)
def default_params() -> dict:
    data = json.loads(data_path("stories/params.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@dataclass(slots=True)
class Story:
    number: int
    id: str
    rows: list[int] = field(default_factory=list)
    lo: int = UNKNOWN_DAY  # earliest and latest known publication day of its members
    hi: int = UNKNOWN_DAY

    def add(self, row: int, day: int) -> None:
        self.rows.append(row)
        if day != UNKNOWN_DAY:
            self.lo = day if self.lo == UNKNOWN_DAY else min(self.lo, day)
            self.hi = day if self.hi == UNKNOWN_DAY else max(self.hi, day)


class Rows:
    """Per-article compact state, addressed by row number (arrival order)."""

    def __init__(self):
        self.n = 0
        # float16 values (as stored) held as float32: a query multiplies a few thousand rows
        # picked by date, and converting them on each query cost 4 of its 5 ms (at 4,000 rows)
        self.emb = np.zeros((0, DIM), np.float32)
        self.day = np.zeros(0, np.int32)
        self.story = np.zeros(0, np.int32)
        self.feats: list[ArticleFeatures] = []
        self.row_of: dict[str, int] = {}
        self.by_day: dict[int, list[int]] = {}
        self.undated: list[int] = []
        self.postings: dict[int, list[int]] = {}

    def _grow(self) -> None:
        cap = max(1024, 2 * len(self.day))
        self.emb = np.concatenate([self.emb, np.zeros((cap - len(self.emb), DIM), np.float32)])
        self.day = np.concatenate([self.day, np.zeros(cap - len(self.day), np.int32)])
        self.story = np.concatenate([self.story, np.zeros(cap - len(self.story), np.int32)])

    def add(self, f: ArticleFeatures, vec: np.ndarray, story: int, params: dict) -> int:
        if self.n == len(self.day):
            self._grow()
        row = self.n
        self.n += 1
        self.emb[row] = np.asarray(vec).astype(np.float16)  # rounded as the store keeps it
        self.day[row] = f.day
        self.story[row] = story
        self.feats.append(f)
        self.row_of[f.id] = row
        if f.day == UNKNOWN_DAY:
            self.undated.append(row)
        else:
            self.by_day.setdefault(f.day, []).append(row)
        cap = params["posting_cap"]
        for key in rarest_keys(f, params["index_keys"]):
            plist = self.postings.setdefault(key, [])
            plist.append(row)
            if len(plist) > cap:
                del plist[: len(plist) - cap]
        return row

    def window(self, day: int, params: dict) -> np.ndarray:
        """Rows close in time: published within ``window_days``, nearest days first, stopping
        once ``window_rows`` are gathered (a busy week of a big corpus — SaudiNewsNet runs
        1,400 articles a day — would otherwise make every query scan tens of thousands of rows),
        plus recent undated rows; for an undated article, the last ``recent_rows`` arrivals."""
        if day == UNKNOWN_DAY:
            return np.arange(max(0, self.n - params["recent_rows"]), self.n)
        rows: list[int] = []
        for offset in range(params["window_days"] + 1):
            for d in {day - offset, day + offset}:
                rows.extend(self.by_day.get(d, ()))
            if len(rows) >= params["window_rows"]:
                break
        rows.extend(self.undated[-params["undated_rows"]:])
        return np.array(rows, dtype=np.int64)


def rarest_keys(f: ArticleFeatures, k: int) -> list[int]:
    """The article's ``k`` strongest keys, words and names together (for the inverted index)."""
    keys = np.concatenate([f.keys, f.name_keys])
    if not len(keys):
        return []
    order = np.argsort(-np.concatenate([f.weights, f.name_weights]), kind="stable")[:k]
    return [int(x) for x in keys[order]]


def candidate_rows(rows: Rows, f: ArticleFeatures, vec: np.ndarray, partners: list[int], params: dict) -> np.ndarray:
    found: list[np.ndarray] = []
    win = rows.window(f.day, params)
    if len(win):
        cos = rows.emb[win] @ vec
        top = params["ann_top"]
        if len(win) > top:
            pick = np.argpartition(-cos, top)[:top]
        else:
            pick = np.arange(len(win))
        pick = pick[cos[pick] >= params["ann_min_cos"]]
        found.append(win[pick])
    scores: dict[int, int] = {}
    for key in rarest_keys(f, params["index_keys"]):
        for r in rows.postings.get(key, ()):
            scores[r] = scores.get(r, 0) + 1
    if scores:
        keyed = np.fromiter(scores, dtype=np.int64, count=len(scores))
        if f.day != UNKNOWN_DAY:
            d = rows.day[keyed]
            keyed = keyed[(d == UNKNOWN_DAY) | (np.abs(d - f.day) <= params["key_window_days"])]
        if len(keyed) > params["key_top"]:
            counts = np.array([scores[int(r)] for r in keyed])
            keyed = keyed[np.argsort(-counts, kind="stable")[: params["key_top"]]]
        found.append(keyed)
    if partners:
        found.append(np.array(partners, dtype=np.int64))
    if not found:
        return np.zeros(0, np.int64)
    return np.unique(np.concatenate(found))


def story_features(rows: Rows, story: Story, f: ArticleFeatures, vec: np.ndarray, partners: dict[int, float],
                   params: dict) -> np.ndarray:
    """The :data:`~marsad.link.stories.decide.FEATURES` of (article, story). The story is seen
    through its ``members_compared`` latest members and each similarity is the mean over them
    (average link). The best single member lets a topic chain day after day into one story of
    thousands (measured on ANT: a football "story" of 2,999 articles); the pooled centroid
    attracts every article of a busy topic week (the Turkish campaign, the Daraa talks)."""
    members = story.rows[-params["members_compared"]:]
    cos = float((rows.emb[members] @ vec).mean())
    feats = [rows.feats[r] for r in members]
    words = mean_key_similarity(f.keys, f.weights, [(m.keys, m.weights) for m in feats])
    names = mean_key_similarity(f.name_keys, f.name_weights, [(m.name_keys, m.name_weights) for m in feats])
    numbers = 0.0
    if len(f.numbers):
        pool = np.concatenate([m.numbers for m in feats])
        numbers = min(3, int(np.isin(f.numbers, pool).sum())) / 3
    conflicts = measure_conflicts(f.measures, [m.measures for m in feats])
    reuse = max((partners.get(r, 0.0) for r in story.rows), default=0.0) if partners else 0.0
    if f.day == UNKNOWN_DAY or story.lo == UNKNOWN_DAY:
        span, unknown = 0.0, 1.0
    else:
        span, unknown = math.log1p(max(f.day, story.hi) - min(f.day, story.lo)), 0.0
    return np.array([cos, words, names, numbers, conflicts, reuse, span, unknown], dtype=np.float64)


def measure_conflicts(mine: np.ndarray, theirs: list[np.ndarray]) -> float:
    """Units in which the article and the story both give figures and none agree (0, 1/3, 2/3, 1)."""
    if not len(mine):
        return 0.0
    pool = np.concatenate(theirs) if theirs else np.zeros(0, np.uint64)
    if not len(pool):
        return 0.0
    shift = np.uint64(32)
    my_units, their_units = mine >> shift, pool >> shift
    conflicts = 0
    for unit in np.unique(my_units):
        if unit in their_units and not np.isin(mine[my_units == unit], pool[their_units == unit]).any():
            conflicts += 1
    return min(3, conflicts) / 3


def mean_key_similarity(keys: np.ndarray, weights: np.ndarray, members: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Mean over the members of the weighted key cosine (vectors are L2-normalised); a member
    without keys counts as 0."""
    if not len(keys) or not members:
        return 0.0
    sizes = [len(k) for k, _ in members]
    if not sum(sizes):
        return 0.0
    their = np.concatenate([k for k, _ in members])
    their_w = np.concatenate([w for _, w in members]).astype(np.float64)
    pos = np.searchsorted(keys, their)
    pos[pos >= len(keys)] = 0
    return float(np.where(keys[pos] == their, their_w * weights[pos], 0.0).sum()) / len(members)
