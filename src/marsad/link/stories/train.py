"""Fit the new-story decision (:mod:`.decide`) on ANT without hand labelling, then check it.

    .venv/bin/python -m marsad.link.stories.train            # writes marsad/data/stories/model.json
    .venv/bin/python -m marsad.link.stories.train --dry-run  # report only
    .venv/bin/python -m marsad.link.stories.train --refine   # the second stage (train_refine.py)

Labels come from what ANT itself tells us:

* positives — an article and the story of another outlet's article published the same or the
  next day whose headline is nearly the same (character similarity of the normalised titles,
  a signal the model never sees): the same event retold; these pairs are joined into
  pseudo-stories (union-find);
* negatives — candidate stories that share the article's rare names or words but whose members
  are all at least ``far_days`` away (same actors, another event), and candidates 3–14 days
  away whose headlines have little in common with the article's (same topic, another day's event).

The stream is replayed in date order with the real candidate retrieval; each labelled
(article, candidate story) gives a feature row, once as observed and once with the dates
hidden, so the content features must carry the decision when dates are unknown (as for most
seeds). Other candidates (not clearly the same, not clearly different) are left out.
A hand-labelled check set (``data/stories/check_pairs.tsv``, ANT ids) sets the threshold when
present and is reported separately.

Logistic regression is fitted by Newton's method with an L2 penalty on standardised features:
deterministic, no dependency beyond numpy.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from marsad.doc import Article
from marsad.link.stories.decide import FEATURES, Model
from marsad.link.stories.embed import embed_text
from marsad.link.stories.features import UNKNOWN_DAY, article_features
from marsad.link.stories.index import Rows, Story, candidate_rows, default_params, story_features
from marsad.resources import data_path
from marsad.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[4]
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared")) / "corpus"
CORPORA = {
    "ant": SHARED / "ant" / "ant-v2.1.jsonl.gz",
    "saudinewsnet": SHARED / "saudinewsnet" / "saudinewsnet.jsonl.gz",
}
CACHE = Path(os.environ.get("MARSAD_STORIES_CACHE", "/tmp/marsad_stories_cache"))
CHUNK = 500


# ---- corpus and embedding cache (shared with bench/stories.py) ---------------------------

def load_corpus(name: str, limit: int | None = None, ids: set[str] | None = None) -> Iterator[tuple[str, Article]]:
    """(record id, cleaned article) of one corpus, in file order, through the ingest cleaner
    (only the records in ``ids`` when given). SaudiNewsNet has no publication date: its
    ``extracted_at`` day stands in."""
    from marsad.ingest.build import build_article
    from marsad.ingest.read import META_FIELDS, RawDoc

    path = CORPORA[name]
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        count = 0
        for n, line in enumerate(fh, 1):
            rec = json.loads(line)
            if ids is not None and str(rec.get("id") or n) not in ids:
                continue
            meta = {k: rec[k] for k in META_FIELDS if isinstance(rec.get(k), str) and rec[k].strip()}
            if "published" not in meta and rec.get("extracted_at"):
                meta["published"] = rec["extracted_at"][:10]
            if not isinstance(rec.get("text"), str) or not rec["text"].strip():
                continue
            item = build_article(RawDoc(meta.get("url") or f"{path}#{n}", "text", rec["text"], meta, n))
            if isinstance(item, Article):
                yield str(rec.get("id") or n), item
                count += 1
                if limit and count >= limit:
                    return


def cached_corpus(name: str, limit: int | None = None) -> list[tuple[str, Article]]:
    """:func:`load_corpus`, pickled under the cache folder (cleaning 30k articles takes minutes)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}-{limit or 'all'}.articles.pkl"
    if path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    items = list(load_corpus(name, limit))
    with open(path, "wb") as fh:
        pickle.dump(items, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return items


LAYER_COMPONENTS = ("marsad.extract.entities:EntityTagger", "marsad.extract.dates:DateExtractor",
                    "marsad.extract.numbers:NumberExtractor")


def with_layers(name: str, items: list[tuple[str, Article]], save_every: int = 500,
                components: tuple[str, ...] = LAYER_COMPONENTS) -> list[tuple[str, Article]]:
    """The articles with the annotation layers production gives the story index (mentions,
    dates, numbers; quotes too when ``components`` include them), computed once and cached by article id (NER costs 30–300 ms an article
    on a busy machine, so the cache is saved as it grows)."""
    from marsad.pipeline import article_components

    CACHE.mkdir(parents=True, exist_ok=True)
    tag = "" if components == LAYER_COMPONENTS else "-" + "-".join(c.rsplit(":", 1)[1] for c in components)
    path = CACHE / f"{name}{tag}.layers.pkl"
    layers: dict[str, tuple] = {}
    if path.exists():
        with open(path, "rb") as fh:
            layers = pickle.load(fh)
    todo = [a for _, a in items if a.id not in layers]
    if todo:
        taggers = article_components(components)
        for k, a in enumerate(todo, 1):
            b = Article(**{**a.__dict__})
            for c in taggers:
                b = c(b)
            layers[a.id] = (b.mentions, b.dates, b.numbers, b.quotes)
            if k % save_every == 0 or k == len(todo):
                with open(path, "wb") as fh:
                    pickle.dump(layers, fh, protocol=pickle.HIGHEST_PROTOCOL)
                print(f"  layers: {k}/{len(todo)}", file=sys.stderr, flush=True)
    out = []
    for rid, a in items:
        m, d, n, *q = layers[a.id]  # caches written before quotes were kept hold three layers
        out.append((rid, Article(**{**a.__dict__, "mentions": m, "dates": d, "numbers": n, "quotes": q[0] if q else []})))
    return out


def text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()[:12]


class EmbeddingCache:
    """Title+lead embeddings on disk, in chunk files of (key, float16 vector, seconds spent)."""

    def __init__(self, name: str):
        self.dir = CACHE / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.vectors: dict[bytes, np.ndarray] = {}
        self.seconds = 0.0
        self.embedded = 0
        files = sorted(self.dir.glob("chunk-*.npz"))
        for f in files:
            z = np.load(f)
            for k, v in zip(z["keys"], z["vecs"]):
                self.vectors[bytes(k).ljust(12, b"\0")] = v  # numpy drops trailing NUL bytes of S12
            self.seconds += float(z["seconds"])
            self.embedded += len(z["keys"])
        self._next = len(files)

    def fill(self, texts: list[str], embedder, progress: bool = True) -> int:
        todo = sorted({text_key(t): t for t in texts if text_key(t) not in self.vectors}.items())
        for i in range(0, len(todo), CHUNK):
            part = todo[i:i + CHUNK]
            t0 = time.perf_counter()
            vecs = embedder([t for _, t in part]).astype(np.float16)
            dt = time.perf_counter() - t0
            keys = np.array([k for k, _ in part], dtype="S12")
            np.savez(self.dir / f"chunk-{self._next:05d}.npz", keys=keys, vecs=vecs, seconds=dt)
            self._next += 1
            for (k, _), v in zip(part, vecs):
                self.vectors[k] = v
            self.seconds += dt
            self.embedded += len(part)
            if progress:
                print(f"  embedded {i + len(part)}/{len(todo)} ({len(part) / dt:.1f}/s)", file=sys.stderr, flush=True)
        return len(todo)

    def __call__(self, texts: list[str]) -> np.ndarray:
        """Embedder answering from the cache (a miss is a KeyError: fill first)."""
        return np.stack([self.vectors[text_key(t)].astype(np.float32) for t in texts])


# ---- labels ------------------------------------------------------------------------------

def title_key(article: Article) -> str:
    return " ".join(normalize(article.title or "").split())


def pseudo_stories(items: list[Article], days: np.ndarray, min_ratio: float) -> np.ndarray:
    """Union-find label per article: headlines of different outlets nearly equal within a day."""
    from rapidfuzz import fuzz, process

    parent = np.arange(len(items))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    titles = [title_key(a) for a in items]
    outlets = [a.outlet for a in items]
    by_day: dict[int, list[int]] = {}
    for i, d in enumerate(days.tolist()):
        if d != UNKNOWN_DAY and titles[i]:
            by_day.setdefault(d, []).append(i)
    for d in sorted(by_day):
        left = by_day[d]
        right = by_day[d] + by_day.get(d + 1, [])
        scores = process.cdist([titles[i] for i in left], [titles[j] for j in right],
                               scorer=fuzz.token_sort_ratio, workers=1)
        for a, b in zip(*np.nonzero(scores >= min_ratio)):
            i, j = left[a], right[b]
            if i < j and outlets[i] != outlets[j]:
                parent[find(i)] = find(j)
    return np.array([find(i) for i in range(len(items))])


@dataclass
class Sample:
    x: np.ndarray
    y: int
    kind: str  # "same" | "far" | "near"
    masked: bool
    article: int
    story_first: int


def reuse_stream(items: list[Article], tag: str) -> list[list[dict]]:
    """For each article in stream order, its reuse pairs with the earlier ones (the project's
    incremental :class:`~marsad.link.reuse.ReuseIndex`, as in production); cached."""
    from marsad.link.reuse import ReuseIndex

    path = CACHE / f"reuse-{tag}.pkl"
    if path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    index = ReuseIndex()
    out = [[{k: p[k] for k in ("a", "b", "kind")} for p in index.add(a)] for a in items]
    with open(path, "wb") as fh:
        pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def replay(items: list[Article], vectors: np.ndarray, gold: np.ndarray, params: dict, far_days: int,
           title_floor: float, per_article: int = 3, seed: int = 7, reuse: list[list[dict]] | None = None) -> list[Sample]:
    """Stream the articles in date order into oracle stories (the pseudo-stories; everything
    else alone) and label the candidates the real retrieval finds:

    * ``same`` — the candidate is the article's pseudo-story;
    * ``far`` — every member is ``far_days`` or more away (same names, another event);
    * ``near`` — within two weeks, no compared member's headline even loosely like the
      article's (token-sort ratio below ``title_floor``) and no copy shared across outlets:
      another event of the same topic. Some are in truth the same event under a different
      headline; this label noise errs towards splitting stories, which the hand-checked
      threshold then corrects. (Candidates sharing agency copy are left out of this label: read
      by hand, most of them were the same event retold, and keeping them taught the model that
      shared copy is evidence *against* a story);

    at most ``per_article`` of each negative kind per article (seeded). ``reuse``: each
    article's reuse pairs with earlier ones (:func:`reuse_stream`).
    """
    import random

    from rapidfuzz import fuzz

    from marsad.link.stories import _partner_rows

    rng = random.Random(seed)
    params = {**params, "key_window_days": 100_000}  # far candidates must be seen to be learnt from
    rows = Rows()
    stories: list[Story] = []
    story_of_gold: dict[int, int] = {}
    titles = [title_key(a) for a in items]
    samples: list[Sample] = []
    for i, a in enumerate(items):
        f = article_features(a)
        vec = vectors[i]
        pairs = reuse[i] if reuse is not None else []
        partners = _partner_rows(a.id, pairs, rows.row_of, f.outlet, lambda r: rows.feats[r].outlet)
        cands = candidate_rows(rows, f, vec, sorted(partners), params)
        labelled: dict[str, list[tuple[int, int]]] = {"same": [], "far": [], "near": []}
        for s in sorted({int(rows.story[r]) for r in cands.tolist()}):
            story = stories[s]
            if gold[story.rows[0]] == gold[i]:
                labelled["same"].append((s, 1))
                continue
            if f.day == UNKNOWN_DAY or story.hi == UNKNOWN_DAY:
                continue
            gap = max(0, story.lo - f.day, f.day - story.hi)
            if gap >= far_days:
                labelled["far"].append((s, 0))
            elif gap <= 14 and max(fuzz.token_sort_ratio(titles[i], titles[r]) for r in story.rows[-8:]) < title_floor \
                    and not any(partners.get(r, 0.0) >= 0.5 for r in story.rows):
                labelled["near"].append((s, 0))
        for kind, todo in labelled.items():
            if kind != "same" and len(todo) > per_article:
                todo = rng.sample(todo, per_article)
            for s, y in todo:
                story = stories[s]
                x = story_features(rows, story, f, vec, partners, params)
                samples.append(Sample(x, y, kind, False, i, story.rows[0]))
                xm = x.copy()
                xm[FEATURES.index("span")] = 0.0
                xm[FEATURES.index("day_unknown")] = 1.0
                samples.append(Sample(xm, y, kind, True, i, story.rows[0]))
        g = int(gold[i])
        if g in story_of_gold:
            story = stories[story_of_gold[g]]
        else:
            story = Story(len(stories), "s" + a.id)
            stories.append(story)
            story_of_gold[g] = story.number
        row = rows.add(f, vec, story.number, params)
        story.add(row, f.day)
    return samples


def check_ids() -> set[str]:
    out = set()
    for line in data_path("stories/check_pairs.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.update(line.split("\t")[:2])
    return out


def check_pairs(ids: list[str], arts: list[Article], vectors: np.ndarray, params: dict) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Feature rows (article A against a one-article story of B, dates shown) and labels of the
    hand-labelled check pairs."""
    at = {rid: i for i, rid in enumerate(ids)}
    xs, ys, notes = [], [], []
    for line in (data_path("stories/check_pairs.tsv").read_text(encoding="utf-8").splitlines()):
        if not line.strip() or line.startswith("#"):
            continue
        a_id, b_id, _cos, label, note = line.split("\t")
        if a_id not in at or b_id not in at:
            continue
        i, j = at[a_id], at[b_id]
        rows = Rows()
        story = Story(0, "s")
        fb = article_features(arts[j])
        story.add(rows.add(fb, vectors[j], 0, params), fb.day)
        xs.append(story_features(rows, story, article_features(arts[i]), vectors[i], {}, params))
        ys.append(int(label))
        notes.append(note)
    return np.array(xs), np.array(ys), notes


def hidden_dates(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    x[:, FEATURES.index("span")] = 0.0
    x[:, FEATURES.index("day_unknown")] = 1.0
    return x


def pr(p: np.ndarray, y: np.ndarray, t: float) -> tuple[float, float, float]:
    pred = p >= t
    tp = int((pred & (y == 1)).sum())
    prec = tp / max(1, int(pred.sum()))
    rec = tp / max(1, int((y == 1).sum()))
    return prec, rec, float((pred == (y == 1)).mean())


# ---- logistic regression -----------------------------------------------------------------

def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, weight: np.ndarray | None = None,
                 iters: int = 50) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Weights, bias, mean, scale of an L2-penalised logistic regression (Newton's method)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    z1 = np.hstack([z, np.ones((len(z), 1))])
    w = np.zeros(z1.shape[1])
    sw = np.ones(len(y)) if weight is None else weight
    pen = np.full(z1.shape[1], l2)
    pen[-1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(z1 @ w)))
        grad = z1.T @ (sw * (p - y)) + pen * w
        hess = (z1 * (sw * p * (1 - p))[:, None]).T @ z1 + np.diag(pen)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1]), mean, scale


def balanced_weights(y: np.ndarray) -> np.ndarray:
    pos = max(1, int(y.sum()))
    neg = max(1, int(len(y) - y.sum()))
    return np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))


# ---- main --------------------------------------------------------------------------------

def ant_stream(limit: int | None = None):
    """ANT in date order, with the production annotation layers: (record ids, articles,
    embeddings, days)."""
    items = cached_corpus("ant")
    order = sorted(range(len(items)), key=lambda i: (items[i][1].published or "9999-99-99", i))
    items = [items[i] for i in order]
    if limit:  # the first ``limit`` articles in date order, plus those of the check pairs
        wanted = check_ids()
        items = items[:limit] + [it for it in items[limit:] if it[0] in wanted]
    items = with_layers("ant", items)
    cache = EmbeddingCache("ant")
    arts = [a for _, a in items]
    cache.fill([embed_text(a) for a in arts], _real_embedder())
    vectors = cache([embed_text(a) for a in arts])
    days = np.array([article_features_day(a) for a in arts], dtype=np.int64)
    return [r for r, _ in items], arts, vectors, days


def article_features_day(a: Article) -> int:
    from marsad.link.stories.features import _day

    return _day(a.published)


def _real_embedder():
    from marsad.link.stories.embed import USEEmbedder

    return USEEmbedder(threads=1)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--refine" in argv:  # the second stage, on hand labels (train_refine.py)
        from marsad.link.stories.train_refine import main as refine_main

        return refine_main(argv)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--title-ratio", type=float, default=72.0, help="pseudo-story headline similarity (0-100)")
    ap.add_argument("--title-floor", type=float, default=40.0, help="'near' negatives: headlines below this")
    ap.add_argument("--per-article", type=int, default=3, help="negatives of each kind per article")
    ap.add_argument("--far-days", type=int, default=30)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--fresh", action="store_true", help="recompute the training rows (else cached under /tmp)")
    args = ap.parse_args(argv)
    if not CORPORA["ant"].exists():
        print(f"ANT corpus not found at {CORPORA['ant']}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    ids, arts, vectors, days = ant_stream(args.limit)
    gold = pseudo_stories(arts, days, args.title_ratio)
    sizes = np.bincount(gold)
    print(f"{len(arts)} articles; pseudo-stories with >1 article: {(sizes > 1).sum()} "
          f"({sizes[sizes > 1].sum()} articles, largest {sizes.max()})", flush=True)
    version = hashlib.sha1(" ".join(FEATURES).encode()).hexdigest()[:6]
    tag = f"{args.limit or 'all'}-{args.title_ratio:g}-{args.title_floor:g}-{args.far_days}-{args.per_article}-{version}"
    cached = CACHE / f"samples-{tag}.pkl"
    if cached.exists() and not args.fresh:
        with open(cached, "rb") as fh:
            samples = pickle.load(fh)
    else:
        reuse = reuse_stream(arts, f"ant-{args.limit or 'all'}")
        samples = replay(arts, vectors, gold, default_params(), args.far_days, args.title_floor, args.per_article,
                         reuse=reuse)
        with open(cached, "wb") as fh:
            pickle.dump(samples, fh, protocol=pickle.HIGHEST_PROTOCOL)
    x = np.stack([s.x for s in samples])
    y = np.array([s.y for s in samples], dtype=np.float64)
    kinds = [s.kind for s in samples]
    print("samples:", {k: kinds.count(k) for k in sorted(set(kinds))}, flush=True)
    # hold out every fifth article (all its samples) to report accuracy honestly
    test = np.array([s.article % 5 == 0 for s in samples])
    w, b, mean, scale = fit_logistic(x[~test], y[~test], args.l2, balanced_weights(y[~test]))
    model = Model(w, b, 0.5, mean, scale)
    p = model.probability(x[test])
    for masked in (False, True):
        sel = np.array([s.masked == masked for s in samples])[test]
        for kind in ("same", "far", "near"):
            k = np.array([s.kind == kind for s in samples])[test] & sel
            if k.any():
                acc = ((p[k] >= 0.5) == (y[test][k] == 1)).mean()
                print(f"  held out, dates {'hidden' if masked else 'shown '}: {kind:9s} n={k.sum():6d} accuracy {acc:.3f}")
    w, b, mean, scale = fit_logistic(x, y, args.l2, balanced_weights(y))
    model = Model(w, b, 0.5, mean, scale)
    print("weights (standardised):", dict(zip(FEATURES, np.round(w, 3))), "bias", round(b, 3))
    cx, cy, _ = check_pairs(ids, arts, vectors, default_params())
    threshold = 0.5
    if len(cy):
        pc, ph = model.probability(cx), model.probability(hidden_dates(cx))
        grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
        # the threshold that classifies the hand-checked pairs best, dates shown and hidden alike
        acc = [pr(pc, cy, t)[2] + pr(ph, cy, t)[2] for t in grid]
        threshold = float(grid[int(np.argmax(acc))])
        for name, p in (("dates shown", pc), ("dates hidden", ph)):
            for t in sorted({0.5, threshold}):
                P, R, A = pr(p, cy, t)
                print(f"  check pairs ({len(cy)}, {name}), threshold {t:.2f}: precision {P:.3f} recall {R:.3f} accuracy {A:.3f}")
    model = Model(w, b, threshold, mean, scale)
    print(f"{time.perf_counter() - t0:.0f}s")
    if not args.dry_run:
        out = data_path("stories/model.json")
        Path(str(out)).write_text(model.to_json(
            trained_on=f"ANT v2.1, {len(arts)} articles; pseudo-labels (see marsad.link.stories.train)",
            samples={k: kinds.count(k) for k in sorted(set(kinds))},
            command="python -m marsad.link.stories.train " + " ".join(argv or sys.argv[1:]),
        ), encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
