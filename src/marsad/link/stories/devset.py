"""The hand-labelled story set (``bench/data/stories_dev.tsv``, ``stories_negatives.tsv``): record
ids of ANT and SaudiNewsNet with the event each reports, hard-negative event pairs, and the
scores (B³, hard negatives kept apart). Texts come from ../shared/corpus; nothing here copies
them. Used by ``bench/story_events.py`` (scores) and ``train --refine`` (the dev part only).
"""
from __future__ import annotations

import gzip
import hashlib
import json
from collections import defaultdict
from pathlib import Path

from marsad.doc import Article

ROOT = Path(__file__).resolve().parents[4]
LABELS = ROOT / "bench" / "data" / "stories_dev.tsv"
NEGATIVES = ROOT / "bench" / "data" / "stories_negatives.tsv"
CONDITIONS = ("as-is", "text-only")


def read_labels(path: Path = LABELS) -> list[tuple[str, str, str | None, str]]:
    """(corpus, record id, event or None for a distractor, split)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        corpus, record, event, split = line.split("\t")
        out.append((corpus, record, None if event == "-" else event, split))
    return out


def read_negatives(path: Path = NEGATIVES) -> list[tuple[str, str]]:
    return [tuple(line.split("\t")[:2]) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def load_articles(wanted: dict[str, set[str]]) -> dict[str, dict[str, Article]]:
    """{condition: {record id: Article}} built by the ingest code from the shared corpora; the
    text-only condition drops the title, the publication date and the URL before building (the
    text's own date lines still count, as they would for a user's file)."""
    from marsad.ingest.build import build_article
    from marsad.ingest.read import META_FIELDS, RawDoc
    from marsad.link.stories.train import CORPORA

    files = {"ant": CORPORA["ant"], "snn": CORPORA["saudinewsnet"]}
    out: dict[str, dict[str, Article]] = {c: {} for c in CONDITIONS}
    for corpus, ids in wanted.items():
        with gzip.open(files[corpus], "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                rec = json.loads(line)
                if str(rec.get("id")) not in ids:
                    continue
                meta = {k: rec[k] for k in META_FIELDS if isinstance(rec.get(k), str) and rec[k].strip()}
                if "published" not in meta and rec.get("extracted_at"):
                    meta["published"] = rec["extracted_at"][:10]
                bare = {k: v for k, v in meta.items() if k not in ("title", "published", "url")}
                for cond, m in (("as-is", meta), ("text-only", bare)):
                    a = build_article(RawDoc(f"{corpus}#{n}", "text", rec["text"], m, n))
                    if isinstance(a, Article):
                        out[cond][str(rec["id"])] = a
    return out


def split_articles(split: str) -> tuple[dict[str, str | None], dict[str, dict[str, Article]]]:
    """({record: event or None}, {condition: {record: Article with the production layers}})."""
    from marsad.link.stories.train import with_layers
    from marsad.pipeline import ARTICLE_COMPONENTS

    labels = [row for row in read_labels() if row[3] == split]
    wanted: dict[str, set[str]] = defaultdict(set)
    for corpus, record, _, _ in labels:
        wanted[corpus].add(record)
    built = load_articles(wanted)
    events = {r: e for _, r, e, _ in labels}
    out = {}
    for cond, arts in built.items():
        # every layer production computes before stories, quotes included (slots.py leaves a
        # quoted source out of the first sentence's persons)
        out[cond] = dict(with_layers(f"story_events-{cond}", [(r, arts[r]) for r in events if r in arts],
                                     components=ARTICLE_COMPONENTS))
    return events, out


def stream_order(records: list[str], articles: dict[str, Article]) -> list[str]:
    """Publication order; ties and undated articles in an order fixed by a hash of the record id
    (the file's order would feed each event's articles together)."""
    return sorted(records, key=lambda r: (articles[r].published or "9999", hashed(r)))


def hashed(record: str) -> str:
    return hashlib.sha1(record.encode("utf-8")).hexdigest()


def b_cubed(gold: dict[str, str], pred: dict[str, str]) -> tuple[float, float, float]:
    """B³ precision, recall, F1 (Bagga & Baldwin 1998), averaged over the items of ``gold``."""
    by_gold, by_pred = defaultdict(set), defaultdict(set)
    for r, g in gold.items():
        by_gold[g].add(r)
        by_pred[pred[r]].add(r)
    p = sum(len(by_gold[gold[r]] & by_pred[pred[r]]) / len(by_pred[pred[r]]) for r in gold) / len(gold)
    rc = sum(len(by_gold[gold[r]] & by_pred[pred[r]]) / len(by_gold[gold[r]]) for r in gold) / len(gold)
    return p, rc, 2 * p * rc / (p + rc) if p + rc else 0.0


def negatives_apart(gold: dict[str, str], pred: dict[str, str], pairs: list[tuple[str, str]]) -> tuple[int, int, list]:
    """(pairs kept apart, pairs judged, the joined pairs): a pair is apart when no predicted
    story holds articles of both events."""
    stories_of = defaultdict(set)
    for r, g in gold.items():
        stories_of[g].add(pred[r])
    judged = [(a, b) for a, b in pairs if a in stories_of and b in stories_of]
    joined = [(a, b) for a, b in judged if stories_of[a] & stories_of[b]]
    return len(judged) - len(joined), len(judged), joined


class E5Cache:
    """e5 vectors by text on disk under the stories cache (bench and training re-run often;
    production computes them as needed)."""

    def __init__(self, name: str = "story_events-e5"):
        import numpy as np

        from marsad.link.stories.train import CACHE

        self.path = CACHE / f"{name}.npz"
        self.vectors: dict[bytes, "np.ndarray"] = {}
        self.misses = 0
        if self.path.exists():
            z = np.load(self.path)
            self.vectors = {bytes(k).ljust(12, b"\0"): v for k, v in zip(z["keys"], z["vecs"])}

    def __call__(self, texts: list[str]):
        import numpy as np

        from marsad.link.stories.e5 import e5_vectors
        from marsad.link.stories.train import text_key

        keys = [text_key(t) for t in texts]
        todo = [i for i, k in enumerate(keys) if k not in self.vectors]
        if todo:
            self.misses += len(todo)
            for i, v in zip(todo, e5_vectors([texts[i] for i in todo])):
                self.vectors[keys[i]] = v.astype(np.float16)
        return np.stack([self.vectors[k].astype(np.float32) for k in keys])

    def save(self) -> None:
        import numpy as np

        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():  # another run may have added vectors since this one loaded
            z = np.load(self.path)
            for k, v in zip(z["keys"], z["vecs"]):
                self.vectors.setdefault(bytes(k).ljust(12, b"\0"), v)
        keys = list(self.vectors)
        np.savez(self.path, keys=np.array(keys, dtype="S12"),
                 vecs=np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 384), np.float16))
