"""A readable title for an article that has none: the first words of its lead.

An untitled article (a scraped page that lost its headline, a JSONL record without ``title``)
would show its hex id; the UI shows ``title_fallback`` instead, set by
:func:`with_fallback_titles` on the API's article rows. The stored title stays empty: this is
presentation, not a fact about the article.
"""
from __future__ import annotations

import re
import sqlite3

LEAD_CHARS = 160
_SPACE = re.compile(r"\s+")


def fallback_title(text: str | None, words: int = 12) -> str | None:
    """A readable title for an untitled article: its lead's first words (up to the first
    sentence end), with an ellipsis when cut."""
    lead = _SPACE.sub(" ", (text or "")[:LEAD_CHARS * 2]).strip()
    if not lead:
        return None
    stop = min([i for i in (lead.find(c) for c in ".؟?!") if i > 20] or [len(lead)])
    cut = lead[:stop].split(" ")
    out = " ".join(cut[:words])
    return out + ("…" if len(cut) > words else "")


def with_fallback_titles(db: sqlite3.Connection, rows: list[dict], key: str = "id") -> list[dict]:
    """Set ``title_fallback`` on rows without a title, from their article's lead (one query)."""
    missing = [r[key] for r in rows if not (r.get("title") or "").strip() and r.get(key)]
    if missing:
        marks = ",".join("?" * len(missing))
        leads = dict(db.execute(f"SELECT id, substr(text, 1, {LEAD_CHARS * 2}) FROM articles WHERE id IN ({marks})",
                                missing).fetchall())
        for r in rows:
            if r.get(key) in leads:
                r["title_fallback"] = fallback_title(leads[r[key]])
    return rows
