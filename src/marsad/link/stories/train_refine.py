"""Fit the second stage of the story decision (:mod:`.refine`) on the hand-labelled set.

    .venv/bin/python -m marsad.link.stories.train --refine            # writes data/stories/refine.json
    .venv/bin/python -m marsad.link.stories.train --refine --dry-run

Only the *dev* part of ``bench/data/stories_dev.tsv`` is read: the held-out events never reach
the fit. Each condition (as the corpus is; titles and dates removed) is streamed in the bench's
order into *oracle* stories (each article joins its labelled event; distractors stay alone),
and every candidate the real retrieval and first stage find, with a first-stage probability of
at least ``refine_from``, gives a row labelled "same event" or not. A fifth of the rows are
repeated with the e5 similarity missing (a member whose text is no longer in memory), so the
model also decides without it. Logistic regression as in :mod:`.train` (Newton, L2).
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from marsad.link.stories.decide import Model
from marsad.link.stories.refine import REFINE_FEATURES
from marsad.resources import data_path

#: rows are taken from a lower first-stage probability than the index uses, so the fit also
#: sees the hard cases just below the band
REFINE_FROM = 0.01


def refine_samples(split: str = "dev", seed: int = 5) -> tuple[np.ndarray, np.ndarray, list[str]]:
    from marsad.link.reuse import ReuseIndex
    from marsad.link.stories import StoryIndex
    from marsad.link.stories.devset import CONDITIONS, E5Cache, split_articles, stream_order
    from marsad.link.stories.embed import USEEmbedder, embed_text
    from marsad.link.stories.features import article_features
    from marsad.link.stories.index import Story
    from marsad.link.stories.train import EmbeddingCache

    events, by_cond = split_articles(split)
    e5 = E5Cache()
    xs, ys, conds = [], [], []
    for cond in CONDITIONS:
        arts = by_cond[cond]
        records = [r for r in events if r in arts]
        gold = {r: events[r] or "single:" + r for r in records}
        cache = EmbeddingCache("story_events")
        cache.fill([embed_text(a) for a in arts.values()], USEEmbedder(threads=1), progress=False)
        index = StoryIndex(embedder=cache, refiner=False, e5=e5)
        params = {**index._params(), "refine_from": REFINE_FROM, "veto": False}  # rows as fitted: no veto before
        index.params = params
        order = stream_order(records, arts)
        vectors = index.embed([arts[r] for r in order])
        reuse, oracle, record_of = ReuseIndex(), {}, []
        for r, v in zip(order, vectors):
            a = arts[r]
            pairs = reuse.add(a) if a.id not in reuse else []
            f = article_features(a, params.get("find_names", True))
            vec = index._vector(a, v)
            text = embed_text(a)
            scored = index._score(a.id, f, vec, pairs, text)
            shortlist, probs = [s for s, _, _ in scored], [p for _, p, _ in scored]
            first = np.array([x for _, _, x in scored]) if scored else np.zeros((0, 8))
            for s, x in zip(shortlist, index.refine_rows(shortlist, probs, f, text, params, first)):
                if x is not None:
                    majority = Counter(gold[record_of[m]] for m in s.rows).most_common(1)[0][0]
                    xs.append(x)
                    ys.append(float(majority == gold[r]))
                    conds.append(cond)
            story = oracle.get(gold[r])
            if story is None:
                story = oracle[gold[r]] = Story(len(index._stories), "s" + a.id)
                index._stories.append(story)
            row = index._rows.add(f, vec, story.number, params)
            story.add(row, f.day)
            record_of.append(r)
            index._remember(row, text)
            if index._pending_e5 is not None:
                index._e5[row] = index._pending_e5.astype(np.float16)
    e5.save()
    x, y = np.array(xs), np.array(ys)
    rng = np.random.default_rng(seed)
    extra = rng.random(len(x)) < 0.2
    missing = x[extra].copy()
    missing[:, REFINE_FEATURES.index("e5")] = 0.0
    missing[:, REFINE_FEATURES.index("e5_missing")] = 1.0
    return np.vstack([x, missing]), np.concatenate([y, y[extra]]), conds + [c + "/no-e5" for c, e in zip(conds, extra) if e]


def main(argv: list[str]) -> int:
    from marsad.link.stories.train import fit_logistic

    dry = "--dry-run" in argv
    l2 = float(next((a.split("=", 1)[1] for a in argv if a.startswith("--l2=")), 1.0))
    threshold = float(next((a.split("=", 1)[1] for a in argv if a.startswith("--threshold=")), 0.5))
    t0 = time.perf_counter()
    x, y, conds = refine_samples()
    print(f"{len(y)} rows ({int(y.sum())} same event), {time.perf_counter() - t0:.0f}s", flush=True)
    # each condition weighs as much as the other and, within it, "same" as much as "different":
    # undated articles give three times as many negative rows, which would bury their positives
    weight = np.ones(len(y))
    for c in set(conds):
        k = np.array([cc == c for cc in conds])
        for lab in (0.0, 1.0):
            kk = k & (y == lab)
            if kk.any():
                weight[kk] = len(y) / (2 * len(set(conds)) * kk.sum())
    w, b, mean, scale = fit_logistic(x, y, l2, weight)
    model = Model(w, b, threshold, mean, scale)
    p = model.probability(x)
    for c in sorted(set(conds)):
        k = np.array([cc == c for cc in conds])
        acc = ((p[k] >= threshold) == (y[k] == 1)).mean()
        print(f"  {c:18s} rows {k.sum():5d} accuracy {acc:.3f} (training rows)")
    print("weights (standardised):", dict(zip(REFINE_FEATURES, np.round(w, 3))), "bias", round(b, 3))
    if not dry:
        out = data_path("stories/refine.json")
        Path(str(out)).write_text(model.to_json(
            REFINE_FEATURES,
            trained_on="the dev part of bench/data/stories_dev.tsv (hand labels; held-out events never read)",
            rows={"all": int(len(y)), "same": int(y.sum())},
            command="python -m marsad.link.stories.train --refine " + " ".join(a for a in argv if a != "--refine"),
        ), encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
