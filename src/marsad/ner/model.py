"""Load and run the shipped CRF (``marsad/data/ner/model.crfsuite``) with python-crfsuite."""
from __future__ import annotations

import threading

from marsad.ner.features import DOC_SIZE, document_features, sentence_features
from marsad.resources import data_path

MODEL_NAME = "ner/model.crfsuite"
_local = threading.local()


def default_model_path() -> str:
    return str(data_path(MODEL_NAME))




def _tagger(path: str):
    """One pycrfsuite.Tagger per thread and model path (a Tagger is not thread-safe)."""
    import pycrfsuite

    cache = getattr(_local, "taggers", None)
    if cache is None:
        cache = _local.taggers = {}
    tagger = cache.get(path)
    if tagger is None:
        tagger = pycrfsuite.Tagger()
        tagger.open(path)
        cache[path] = tagger
    return tagger


def tag(tokens: list[str], model_path: str | None = None, features: list[list[str]] | None = None) -> list[str]:
    """BIO tags (ANERcorp labels: PERS, LOC, ORG, MISC) for one sentence of tokens.

    ``features`` (from :func:`marsad.ner.features.document_features`) gives the sentence its
    document context; without it the sentence is tagged on its own."""
    if not tokens:
        return []
    tagger = _tagger(model_path or default_model_path())
    return tagger.tag(features if features is not None else sentence_features(tokens))


def tag_sentences(sentences: list[list[str]], model_path: str | None = None, doc_size: int = DOC_SIZE) -> list[list[str]]:
    """Tags for consecutive sentences, in pseudo-documents of ``doc_size`` sentences (as in
    training)."""
    out = []
    for i in range(0, len(sentences), doc_size):
        doc = sentences[i:i + doc_size]
        out.extend(tag(t, model_path, f) for t, f in zip(doc, document_features(doc)))
    return out


class PersonProbs:
    """Per-token probability that a token is part of a person's name (B-PERS + I-PERS
    marginals), computed on demand: valid until the same tagger tags another sentence."""

    def __init__(self, tagger, n: int):
        self._tagger = tagger
        self._n = n
        self._cache: dict[int, float] = {}
        labels = set(tagger.labels())
        self._labels = [y for y in ("B-PERS", "I-PERS") if y in labels]

    def __len__(self) -> int:
        return self._n

    def __bool__(self) -> bool:
        return self._n > 0

    def __getitem__(self, i: int) -> float:
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        if i not in self._cache:
            self._cache[i] = sum(self._tagger.marginal(y, i) for y in self._labels)
        return self._cache[i]


def tag_with_person_probs(
    tokens: list[str], model_path: str | None = None, features: list[list[str]] | None = None
) -> tuple[list[str], PersonProbs | list]:
    """Tags plus the model's probability, per token, that it is part of a person's name: the
    trigger rules accept a name after a title on weaker evidence than the best path. Use the
    probabilities before tagging the next sentence."""
    if not tokens:
        return [], []
    tagger = _tagger(model_path or default_model_path())
    tags = tagger.tag(features if features is not None else sentence_features(tokens))
    return tags, PersonProbs(tagger, len(tokens))
