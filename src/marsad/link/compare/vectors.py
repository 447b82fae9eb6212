"""Sentence vectors for comparison, computed once per article and kept for reuse.

Comparing a story embeds, for each of its articles, the units (sentences), the clauses of those
units that are compared on their own, and the title. An article's text is fixed for its id (ids
derive from the content), so a vector is keyed by the article id and the span's offsets in
``article.text``; the title has the span :data:`TITLE`. A story that grows by one article then
embeds only the new article's sentences, and a caller can keep the vectors between runs as
plain arrays:

    vectors = SentenceVectors(embedder)
    results = compare_stories(stories, vectors=vectors)
    ids, offsets, matrix = vectors.export(article_ids)      # str (n,), int32 (n, 2), float16 (n, d)
    ...
    vectors = SentenceVectors.load(ids, offsets, matrix, embedder)

A vector belongs to the embedder that made it: a cache must not be reused with another model.
Vectors are kept in memory as the embedder returned them (the comparison sees exactly what a
direct call would); :meth:`SentenceVectors.export` rounds them to float16 unless told otherwise, so
comparisons run on loaded vectors may differ from fresh ones where a score sits on a threshold.
A cache made with ``precision=np.float16`` rounds fresh vectors the same way as they are
embedded: then a comparison sees the same numbers whether a vector was just computed or read
back from a store (the store keeps float16; ``marsad.store.vectors``), so a story derived in
one run or grown over several gives the same views.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from marsad.link.compare.embed import Embedder, default_embedder

TITLE = (-1, -1)  # the span that stands for an article's title
Span = tuple[int, int]


class SentenceVectors:
    """Vectors keyed by ``(article id, (start, end))``; texts missing are embedded in one call."""

    def __init__(self, embedder: Embedder | None = None, precision=None):
        self._embedder = embedder
        self._rows: dict[str, dict[Span, np.ndarray]] = {}
        self.precision = precision  # e.g. np.float16: fresh vectors rounded as a store keeps them
        self.embedded = 0  # texts sent to the embedder by this cache
        self.grown: dict[str, None] = {}  # articles that gained vectors here (to persist), in order

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._rows

    def __len__(self) -> int:
        return sum(len(r) for r in self._rows.values())

    def article_ids(self) -> list[str]:
        return list(self._rows)

    def ensure(self, items: Iterable[tuple[str, Span, str]]) -> int:
        """Embed the ``(article id, span, text)`` items not cached yet, in one embedder call
        (a text shared by several items, such as wire copy, is embedded once); returns the
        number of texts embedded."""
        missing: dict[str, list[tuple[str, Span]]] = {}
        for article_id, span, text in items:
            if span not in self._rows.get(article_id, ()):
                missing.setdefault(text, []).append((article_id, span))
        if not missing:
            return 0
        texts = list(missing)
        matrix = self._embed(texts, missing)
        if self.precision is not None:
            matrix = matrix.astype(self.precision).astype(np.float32)
        for text, row in zip(texts, matrix):
            for article_id, span in missing[text]:
                self._rows.setdefault(article_id, {})[span] = row
                self.grown.setdefault(article_id)
        self.embedded += len(texts)
        return len(texts)

    def _embed(self, texts: list[str], keys: dict[str, list[tuple[str, Span]]]) -> np.ndarray:
        """Vectors of ``texts``. With an embedder that pools parts of texts (``encode_parts``),
        a text whose span lies inside another text's span of the same article (a clause in its
        sentence) is pooled from that text's tokens rather than encoded again."""
        encode_parts = getattr(self.embedder, "encode_parts", None)
        if encode_parts is None:
            return np.asarray(self.embedder(texts))
        spans: dict[str, list[tuple[Span, str]]] = {}
        for text in texts:
            article_id, span = keys[text][0]
            if span != TITLE:
                spans.setdefault(article_id, []).append((span, text))
        container: dict[str, tuple[str, int]] = {}  # part text -> (text it lies in, offset there)
        for found in spans.values():
            top: tuple[Span, str] | None = None
            for (start, end), text in sorted(found, key=lambda st: (st[0][0], -st[0][1])):
                if top is not None and top[0][0] <= start and end <= top[0][1] and (start, end) != top[0]:
                    offset = start - top[0][0]
                    if top[1][offset:offset + len(text)] == text and text not in container:
                        container[text] = (top[1], offset)
                        continue
                top = ((start, end), text)
        whole = [t for t in texts if t not in container]
        at = {t: i for i, t in enumerate(whole)}
        parts = [t for t in texts if t in container]
        whole_vecs, part_vecs = encode_parts(
            whole, [(at[container[t][0]], container[t][1], container[t][1] + len(t)) for t in parts])
        row = {t: v for t, v in zip(whole, whole_vecs)}
        row.update(zip(parts, part_vecs))
        return np.vstack([row[t] for t in texts]) if texts else np.zeros((0, whole_vecs.shape[1]), np.float32)

    def rows(self, keys: Sequence[tuple[str, Span]]) -> np.ndarray:
        """The vectors of ``keys`` (all cached) as one (len(keys), d) float32 matrix."""
        return np.vstack([self._rows[a][s] for a, s in keys])

    def drop(self, article_ids: Iterable[str]) -> None:
        for a in article_ids:
            self._rows.pop(a, None)
            self.grown.pop(a, None)

    def export(self, article_ids: Iterable[str] | None = None, dtype=np.float16
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The cached vectors of ``article_ids`` (all when None) as plain arrays: article ids
        (n,) str, offsets (n, 2) int32 (``TITLE`` for a title) and vectors (n, d) ``dtype``."""
        ids, offsets, vecs = [], [], []
        for a in (self._rows if article_ids is None else article_ids):
            for span, v in self._rows.get(a, {}).items():
                ids.append(a)
                offsets.append(span)
                vecs.append(v)
        dim = len(vecs[0]) if vecs else 0
        return (np.array(ids, dtype=str),
                np.array(offsets, dtype=np.int32).reshape(len(offsets), 2),
                np.array(vecs, dtype=dtype).reshape(len(vecs), dim))

    def add(self, ids: Sequence[str], offsets: np.ndarray, vectors: np.ndarray) -> None:
        """Take in arrays as :meth:`export` gives them (vectors read back as float32)."""
        if not (len(ids) == len(offsets) == len(vectors)):
            raise ValueError("ids, offsets and vectors must have one row each per span")
        vectors = np.asarray(vectors, dtype=np.float32)
        for a, (s, e), v in zip(ids, np.asarray(offsets).tolist(), vectors):
            self._rows.setdefault(str(a), {})[(s, e)] = v

    @classmethod
    def load(cls, ids: Sequence[str], offsets: np.ndarray, vectors: np.ndarray,
             embedder: Embedder | None = None, precision=None) -> "SentenceVectors":
        out = cls(embedder, precision)
        out.add(ids, offsets, vectors)
        return out
