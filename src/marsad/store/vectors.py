"""Per-article sentence vectors for story comparison, kept in the store (``article_vectors``).

Deriving a story's views embeds every sentence, compared clause and title of its articles
(:mod:`marsad.link.compare.vectors`). An article's text never changes for its id, so its
vectors are computed once, when it is first compared, and read back whenever its story grows:
a story that gains one article embeds only that article.

A row holds one article's spans and vectors as raw little-endian bytes — spans int32 (n, 2)
(``(-1, -1)`` is the title), vectors float16 (n, dim) — read with ``np.frombuffer``: nothing is
unpickled. ``embedder`` names the model that made them (vectors of another model are never
used); ``format`` is this layout's number (a row of another format is ignored and rewritten the
next time its article is compared).
"""
from __future__ import annotations

import sqlite3
from typing import Iterable, Sequence

import numpy as np

FORMAT = 1
SPAN_DTYPE = np.dtype("<i4")
VECTOR_DTYPE = np.dtype("<f2")
_CHUNK = 500  # ids per statement


def load_vectors(db: sqlite3.Connection, article_ids: Iterable[str], embedder: str
                 ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The stored vectors of ``article_ids`` made by ``embedder``, as
    :meth:`SentenceVectors.add` takes them: ids (one per span), offsets (n, 2), vectors (n, d)."""
    ids: list[str] = []
    offsets: list[np.ndarray] = []
    vectors: list[np.ndarray] = []
    wanted = sorted(set(article_ids))
    for i in range(0, len(wanted), _CHUNK):
        part = wanted[i:i + _CHUNK]
        for article, dim, spans, vecs in db.execute(
                f"SELECT article, dim, spans, vectors FROM article_vectors WHERE embedder=? AND format=? "
                f"AND article IN ({','.join('?' * len(part))})", [embedder, FORMAT, *part]):
            try:
                s = np.frombuffer(spans, dtype=SPAN_DTYPE).reshape(-1, 2)
                v = np.frombuffer(vecs, dtype=VECTOR_DTYPE).reshape(-1, dim)
            except (ValueError, TypeError):
                s = v = None
            if s is None or len(s) != len(v) or (vectors and v.shape[1] != vectors[0].shape[1]):
                continue  # a damaged row: the article is embedded again (and the row rewritten)
            ids += [article] * len(s)
            offsets.append(s)
            vectors.append(v)
    dim = vectors[0].shape[1] if vectors else 0
    return (ids, np.concatenate(offsets) if offsets else np.zeros((0, 2), SPAN_DTYPE),
            np.concatenate(vectors) if vectors else np.zeros((0, dim), VECTOR_DTYPE))


def save_vectors(db: sqlite3.Connection, embedder: str, ids: Sequence[str], offsets: np.ndarray,
                 vectors: np.ndarray) -> int:
    """Store (replace) the vectors of each article in ``ids`` (arrays as
    :meth:`SentenceVectors.export` gives them, an article's rows together); returns how many
    articles were written."""
    offsets = np.asarray(offsets, dtype=SPAN_DTYPE).reshape(-1, 2)
    vectors = np.asarray(vectors, dtype=VECTOR_DTYPE)
    rows, start = [], 0
    for k in range(1, len(ids) + 1):
        if k == len(ids) or ids[k] != ids[start]:
            rows.append((str(ids[start]), embedder, FORMAT, vectors.shape[1],
                         offsets[start:k].tobytes(), vectors[start:k].tobytes()))
            start = k
    db.executemany("INSERT OR REPLACE INTO article_vectors (article, embedder, format, dim, spans, vectors) "
                   "VALUES (?,?,?,?,?,?)", rows)
    return len(rows)
