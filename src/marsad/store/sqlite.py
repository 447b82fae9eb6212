"""The embedded SQLite store (WAL): the tables of ``schema.sql`` behind a small interface.

Articles are keyed by their content id, so re-ingesting the same content is a no-op. Every
write runs in a transaction: a failing input never removes what was stored before. Nothing
stored is ever unpickled: a store file is data (index structures are plain numpy arrays, read
with ``allow_pickle=False``).

A store written by an older Marsad is migrated forward when opened (with a message on stderr);
one written by a newer Marsad is refused (:class:`StoreVersionError`).
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import contextmanager
from typing import Iterable, Iterator

from marsad.doc import Article
from marsad.store.search import COLUMNS as SEARCH_COLUMNS
from marsad.store.search import search_columns

SCHEMA_VERSION = 4
_SCHEMA_FILE = __file__.rsplit("/", 1)[0] + "/schema.sql"

#: Per-layer columns; any other key of a layer item goes to the row's ``extra`` JSON.
LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "mentions": ("start", "end", "type", "text", "entity"),
    "quotes": ("start", "end", "text", "direct", "speaker_text", "speaker_mention"),
    "numbers": ("start", "end", "text", "value", "unit"),
    "dates": ("start", "end", "text", "date"),
}
ARTICLE_COLUMNS = ("id", "source", "source_id", "url", "title", "outlet", "author", "published",
                   "published_source", "language", "wire", "removed", "text")
_JSON_ARTICLE_COLUMNS = ("wire", "removed")


class StoreVersionError(RuntimeError):
    """The store was written by a newer Marsad (or is not a Marsad store)."""


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _schema_sql() -> str:
    with open(_SCHEMA_FILE, encoding="utf-8") as fh:
        return fh.read()


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}


def stored_version(db: sqlite3.Connection) -> int:
    """0 for an empty database, 1 for the first store format (articles as JSON documents plus a
    blob of corpus state), else the ``schema_version`` in ``meta``."""
    tables = _tables(db)
    if "meta" in tables:
        row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None or not str(row[0]).isdigit():
            raise StoreVersionError("the meta table names no schema_version: not a Marsad store")
        return int(row[0])
    if "articles" in tables:
        cols = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
        if "doc" in cols:
            return 1
        raise StoreVersionError("an 'articles' table of unknown layout: not a Marsad store")
    if tables - {"sqlite_sequence"}:
        raise StoreVersionError(f"tables {sorted(tables)[:5]} but no Marsad schema: not a Marsad store")
    return 0


def _set_wal(db: sqlite3.Connection, wait: float = 60.0) -> None:
    """Switch to WAL. Switching takes an exclusive lock for which SQLite does not always call
    the busy handler, so a process opening a new store while another switches it retries."""
    import time

    deadline = time.monotonic() + wait
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class SQLiteStore:
    """Articles, their layers, the corpus links and the derived story views.

    ``readonly`` opens the file without any write (serving); a store that needs migrating
    cannot be opened read-only.
    """

    def __init__(self, path: str = "marsad.db", readonly: bool = False, migrate: bool = True, quiet: bool = False):
        self.path = path
        self.readonly = readonly
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self.db.execute("PRAGMA query_only=1")
        else:
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA busy_timeout=60000")  # concurrent ingests wait, not fail (from here on)
            if path != ":memory:":
                _set_wal(self.db)
            self.db.execute("PRAGMA synchronous=NORMAL")
        try:
            self._open(migrate, quiet)
        except Exception:
            self.db.close()
            raise

    def _open(self, migrate: bool, quiet: bool) -> None:
        version = stored_version(self.db)
        if version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{self.path}: store schema version {version} is newer than this Marsad's ({SCHEMA_VERSION}); "
                "upgrade Marsad to read it")
        if version == SCHEMA_VERSION:
            return
        if self.readonly:
            raise StoreVersionError(f"{self.path}: store schema version {version} needs `marsad migrate` first")
        if version == 0:
            # One transaction under the write lock: a second process creating the same store at
            # once waits, then finds it whole (every statement is IF NOT EXISTS / OR IGNORE);
            # created statement by statement, it could see a meta table without a version.
            self.db.executescript(
                f"BEGIN IMMEDIATE;\n{_schema_sql()}\nINSERT OR IGNORE INTO meta (key, value) "
                f"VALUES ('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;")
            return
        if not migrate:
            raise StoreVersionError(f"{self.path}: store schema version {version}: run `marsad migrate --db {self.path}`")
        from marsad.store.migrate import migrate_forward

        migrate_forward(self, version, quiet=quiet)

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: a second writer waits for the first, so
        two concurrent ingests serialise instead of overwriting each other's links)."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    # ---- articles -------------------------------------------------------------------------

    def add(self, article: Article) -> bool:
        """Store an article; False when an article with the same content id is already there."""
        return self.add_many([article]) == 1

    def add_many(self, articles: Iterable[Article]) -> int:
        """Store articles with their layers and search keys; returns how many were new."""
        stamp, new = now(), 0
        with self.transaction() as db:
            for a in articles:
                row = tuple(json.dumps(getattr(a, c), ensure_ascii=False) if c in _JSON_ARTICLE_COLUMNS
                            else getattr(a, c) for c in ARTICLE_COLUMNS)
                cur = db.execute(
                    f"INSERT OR IGNORE INTO articles ({', '.join(ARTICLE_COLUMNS)}, added_at) "
                    f"VALUES ({', '.join('?' * (len(ARTICLE_COLUMNS) + 1))})", (*row, stamp))
                if not cur.rowcount:
                    continue
                new += 1
                self._write_layers(a)
                cols = search_columns(a.title, a.text)
                db.execute(f"INSERT INTO search_articles (rowid, {', '.join(SEARCH_COLUMNS)}) "
                           f"VALUES (?{', ?' * len(cols)})", (cur.lastrowid, *cols))
        return new

    def _write_layers(self, a: Article, layers: Iterable[str] = LAYER_COLUMNS) -> None:
        for layer in layers:
            cols = LAYER_COLUMNS[layer]
            self.db.execute(f"DELETE FROM {layer} WHERE article=?", (a.id,))
            rows = []
            for i, item in enumerate(getattr(a, layer)):
                extra = {k: v for k, v in item.items() if k not in cols}
                rows.append((a.id, i, *(item.get(c) for c in cols),
                             json.dumps(extra, ensure_ascii=False) if extra else None))
            if rows:
                self.db.executemany(
                    f"INSERT INTO {layer} (article, idx, {', '.join(cols)}, extra) "
                    f"VALUES (?, ?{', ?' * len(cols)}, ?)", rows)
        if "quotes" in layers or "mentions" in layers:
            self.db.execute(
                "UPDATE quotes SET speaker=(SELECT entity FROM mentions m WHERE m.article=quotes.article "
                "AND m.idx=quotes.speaker_mention) WHERE article=?", (a.id,))

    def update_dates(self, article: Article) -> None:
        """Rewrite what a story may change of an article: its inferred publication date and the
        relative dates re-resolved against it."""
        with self.transaction() as db:
            db.execute("UPDATE articles SET published=?, published_source=? WHERE id=?",
                       (article.published, article.published_source, article.id))
            self._write_layers(article, ("dates",))

    def has(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def get(self, article_id: str) -> Article | None:
        return next(self.articles([article_id]), None)

    def articles(self, ids: Iterable[str] | None = None, chunk: int = 500) -> Iterator[Article]:
        """Stored articles with their layers, in arrival order (or in the order of ``ids``)."""
        if ids is None:
            last = 0
            while True:
                rows = self.db.execute(
                    f"SELECT seq, {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
                    (last, chunk)).fetchall()
                if not rows:
                    return
                last = rows[-1][0]
                yield from self._assemble([r[1:] for r in rows])
        ids = list(ids)
        for i in range(0, len(ids), chunk):
            part = ids[i:i + chunk]
            marks = ",".join("?" * len(part))
            rows = self.db.execute(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE id IN ({marks})",
                                   part).fetchall()
            by_id = {r[0]: r for r in rows}
            yield from self._assemble([by_id[x] for x in dict.fromkeys(part) if x in by_id])

    def _assemble(self, rows: list[tuple]) -> list[Article]:
        if not rows:
            return []
        articles = []
        for r in rows:
            fields = dict(zip(ARTICLE_COLUMNS, r))
            for c in _JSON_ARTICLE_COLUMNS:
                fields[c] = json.loads(fields[c]) if fields[c] else []
            articles.append(Article(**fields))
        by_id = {a.id: a for a in articles}
        marks = ",".join("?" * len(by_id))
        for layer, cols in LAYER_COLUMNS.items():
            for row in self.db.execute(
                    f"SELECT article, {', '.join(cols)}, extra FROM {layer} WHERE article IN ({marks}) "
                    f"ORDER BY article, idx", list(by_id)):
                item = {c: v for c, v in zip(cols, row[1:-1]) if not (c == "entity" and v is None)}
                if layer == "quotes":
                    item["direct"] = bool(item["direct"])
                if row[-1]:
                    item.update(json.loads(row[-1]))
                getattr(by_id[row[0]], layer).append(item)
        return articles

    def ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY seq")]

    def unlinked_ids(self) -> list[str]:
        """Stored articles whose corpus links are not stored yet (a run stopped before)."""
        return [r[0] for r in self.db.execute("SELECT id FROM articles WHERE linked=0 ORDER BY seq")]

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    # ---- index segments (plain arrays) ----------------------------------------------------

    def add_segment(self, name: str, fmt: int, data: bytes) -> None:
        with self.transaction() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM index_segments WHERE name=?", (name,)).fetchone()[0]
            db.execute("INSERT INTO index_segments (name, seq, format, data) VALUES (?,?,?,?)", (name, seq, fmt, data))

    def replace_segments(self, name: str, fmt: int, data: bytes) -> None:
        """Compact: one segment instead of all of ``name``'s."""
        with self.transaction() as db:
            db.execute("DELETE FROM index_segments WHERE name=?", (name,))
            db.execute("INSERT INTO index_segments (name, seq, format, data) VALUES (?,1,?,?)", (name, fmt, data))

    def segments(self, name: str) -> Iterator[tuple[int, bytes]]:
        for fmt, data in self.db.execute("SELECT format, data FROM index_segments WHERE name=? ORDER BY seq", (name,)):
            yield fmt, data

    def segment_count(self, name: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM index_segments WHERE name=?", (name,)).fetchone()[0]


def pair_row(row: tuple) -> dict:
    """A reuse pair in the report's shape from ``(a, b, kind, shared_chars, passages, agency)``."""
    a, b, kind, shared, passages, agency = row
    return {"a": a, "b": b, "kind": kind, "shared_chars": shared, "passages": json.loads(passages), "agency": agency}
