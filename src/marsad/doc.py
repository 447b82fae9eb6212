"""The article document: clean text plus annotation layers that index into it.

Like a spaCy ``Doc``: one object per article, ``text`` never changes once built, and each
per-article component adds one layer of character-offset spans (``text[start:end]``).
Layers are plain dicts so that an article serialises to JSON (store) and pickles across
executors (Spark) without custom code.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

#: Annotation layers a component may add; each item has at least ``start`` and ``end``.
LAYERS = ("mentions", "quotes", "numbers", "dates")


@dataclass
class Article:
    id: str
    source: str
    text: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD
    published_source: str | None = None  # metadata | text | story
    removed: list[str] = field(default_factory=list)
    language: str = "ar"
    wire: list[str] = field(default_factory=list)
    url: str | None = None
    source_id: str | None = None  # the user's own record id (a JSONL record's "id")
    # Annotation layers (see LAYERS); each list item is a dict with start/end into `text`.
    mentions: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[dict[str, Any]] = field(default_factory=list)
    dates: list[dict[str, Any]] = field(default_factory=list)
    # Problems found while building it that did not stop it (a metadata date dropped, ...):
    # IngestError values with warning=True, reported to the user, never stored.
    warnings: list[Any] = field(default_factory=list, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def span(self, start: int, end: int) -> str:
        return self.text[start:end]


def article_id(title: str | None, text: str) -> str:
    """Stable id from content: the same article gives the same id on every run and path."""
    digest = hashlib.sha1(((title or "") + "\n" + text).encode("utf-8")).hexdigest()
    return "a" + digest[:15]


def check_spans(article: Article) -> list[str]:
    """Every layer item's `text` (when present) must equal `article.text[start:end]`.

    Returns a list of violations (empty when all spans index exactly); used by tests and
    as a guard in the pipeline.
    """
    problems = []
    n = len(article.text)
    for layer in LAYERS:
        for item in getattr(article, layer):
            s, e = item["start"], item["end"]
            if not (0 <= s <= e <= n):
                problems.append(f"{layer}: span {s}:{e} outside text of length {n}")
            elif "text" in item and item["text"] != article.text[s:e]:
                problems.append(f"{layer}: {item['text']!r} != text[{s}:{e}] {article.text[s:e]!r}")
    return problems
