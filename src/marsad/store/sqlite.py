"""The embedded SQLite store (WAL): articles with their annotation layers, and corpus state.

Articles are keyed by their content id, so re-ingesting the same content is a no-op. Every
write runs in a transaction: a failing input never removes what was stored before.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Iterable, Iterator

from marsad.doc import Article

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    id        TEXT NOT NULL UNIQUE,
    source    TEXT NOT NULL,
    outlet    TEXT,
    published TEXT,
    added_at  TEXT NOT NULL,
    doc       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE TABLE IF NOT EXISTS state (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
"""


class SQLiteStore:
    def __init__(self, path: str = "marsad.db"):
        self.path = path
        self.db = sqlite3.connect(path)
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- articles ----
    def add(self, article: Article) -> bool:
        """Store an article; False when an article with the same content id is already there."""
        return self.add_many([article]) == 1

    def add_many(self, articles: Iterable[Article]) -> int:
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        rows = [
            (a.id, a.source, a.outlet, a.published, now, json.dumps(a.to_dict(), ensure_ascii=False))
            for a in articles
        ]
        with self.db:
            before = self.db.total_changes
            self.db.executemany(
                "INSERT OR IGNORE INTO articles (id, source, outlet, published, added_at, doc) VALUES (?,?,?,?,?,?)",
                rows,
            )
            return self.db.total_changes - before

    def update(self, article: Article) -> None:
        """Rewrite an article's layers (e.g. a publication date inferred from its story)."""
        with self.db:
            self.db.execute(
                "UPDATE articles SET published=?, doc=? WHERE id=?",
                (article.published, json.dumps(article.to_dict(), ensure_ascii=False), article.id),
            )

    def has(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def get(self, article_id: str) -> Article | None:
        row = self.db.execute("SELECT doc FROM articles WHERE id=?", (article_id,)).fetchone()
        return Article.from_dict(json.loads(row[0])) if row else None

    def articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Stored articles in the order they arrived (optionally only ``ids``)."""
        if ids is None:
            cur = self.db.execute("SELECT doc FROM articles ORDER BY seq")
            for (doc,) in cur:
                yield Article.from_dict(json.loads(doc))
            return
        for article_id in ids:
            a = self.get(article_id)
            if a is not None:
                yield a

    def ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY seq")]

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    # ---- corpus state (indexes, stories) ----
    def get_state(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def put_state(self, key: str, value: bytes) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))
