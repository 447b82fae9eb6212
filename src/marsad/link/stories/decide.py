"""The new-story decision: does an article report the same event as a candidate story?

As in Miranda et al. (2018), "Multilingual clustering of streaming news", an article is compared
with each candidate story through a handful of similarity features (embedding, rare keys,
numbers, shared copy, time), and a logistic regression learned from data — not a fixed
similarity threshold — scores each candidate; the best one takes the article when its score
passes the model's threshold, otherwise the article starts a new story.

The weights live in ``marsad/data/stories/model.json`` (written by
:mod:`marsad.link.stories.train`), so the decision is reproducible and inspectable.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from marsad.resources import data_path

#: One row per (article, candidate story); order matters (model.json names them).
FEATURES = (
    "cos",          # title+lead embedding: mean cosine with the story's (latest) members
    "words",        # rare content words: mean weighted key cosine with the members
    "names",        # names of the NER mentions, likewise
    "numbers",      # specific figures/dates shared with the story (0, 1/3, 2/3, 1)
    "conflicts",    # units where both give figures and none agree: 3 vs 5 hours of talks (0 … 1)
    "reuse",        # shares copy with a member: 1 duplicate, 0.5 agency copy across outlets
    "span",         # log(1 + days the story would span with the article); 0 when a date is unknown
    "day_unknown",  # 1 when the article's or the story's date is unknown
)


@dataclass(frozen=True)
class Model:
    weights: np.ndarray
    bias: float
    threshold: float
    mean: np.ndarray  # features are standardised with the training mean/scale
    scale: np.ndarray

    def probability(self, x: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self, features: tuple[str, ...] = FEATURES, **extra) -> str:
        data = {
            "features": list(features),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(float(self.bias), 6),
            "threshold": round(float(self.threshold), 4),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            **extra,
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: dict, features: tuple[str, ...] = FEATURES) -> "Model":
        if list(data["features"]) != list(features):
            raise ValueError(f"model features {data['features']} do not match {features}")
        return cls(np.array(data["weights"], dtype=np.float64), float(data["bias"]),
                   float(data["threshold"]), np.array(data["mean"], dtype=np.float64),
                   np.array(data["scale"], dtype=np.float64))


@lru_cache(maxsize=1)
def default_model() -> Model:
    return Model.from_dict(json.loads(data_path("stories/model.json").read_text(encoding="utf-8")))
