"""Full-text search keys: what the store writes into the FTS5 table ``search_articles``."""
from __future__ import annotations

from marsad.text.normalize import normalize

#: The FTS5 columns, in the order of :func:`search_columns`'s values.
COLUMNS = ("title", "body")


def search_columns(title: str | None, text: str) -> tuple[str, ...]:
    """Arabic matching keys of an article's title and body (one spelling finds the others)."""
    return normalize(title or ""), normalize(text)
