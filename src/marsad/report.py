"""The analysis report (contract ``marsad.report/1``, see ../shared/contract/report.schema.json),
read straight from the store's tables: nothing is recomputed.

``sections(db, selection)`` yields each top-level key with an iterator of its items;
:func:`stream_report` turns that into JSON text chunk by chunk (a whole 60k-article store never
sits in memory), :func:`build_report` into a :class:`Report` dict for the Python API.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterator

from marsad.store.sqlite import LAYER_COLUMNS

SCHEMA_ID = "marsad.report/1"
ARTICLE_FIELDS = (
    "id", "source", "source_id", "url", "title", "outlet", "author", "published", "published_source",
    "text", "removed", "language", "wire",
)
_CHUNK = 500


class Report(dict):
    """A report is a plain dict (JSON-ready) with a few conveniences."""

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self, ensure_ascii=False, indent=indent)

    def write(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.to_json())
            fh.write("\n")


@dataclass
class Selection:
    """Which stored articles a report covers (all when every field is None)."""

    ids: list[str] | None = None
    story: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None
    outlet: str | None = None


def select(db: sqlite3.Connection, sel: Selection) -> None:
    """Fill the temporary table ``sel(id, seq)`` with the selected articles."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS sel (id TEXT PRIMARY KEY, seq INTEGER NOT NULL)")
    db.execute("DELETE FROM temp.sel")
    where, args = [], []
    if sel.story is not None:
        story = _follow(db, "story_merges", sel.story)
        where.append("a.id IN (SELECT article FROM story_members WHERE story=?)")
        args.append(story)
    if sel.since:
        where.append("a.published >= ?")
        args.append(sel.since)
    if sel.until:
        where.append("a.published <= ?")
        args.append(sel.until)
    if sel.outlet:
        where.append("a.outlet = ?")
        args.append(sel.outlet)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    if sel.ids is None:
        db.execute(f"INSERT INTO temp.sel SELECT a.id, a.seq FROM articles a{clause}", args)
        return
    ids = list(dict.fromkeys(sel.ids))
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        marks = ",".join("?" * len(part))
        db.execute(f"INSERT OR IGNORE INTO temp.sel SELECT a.id, a.seq FROM articles a"
                   f"{clause or ' WHERE 1'} AND a.id IN ({marks})", args + part)


def _follow(db: sqlite3.Connection, table: str, item_id: str) -> str:
    row = db.execute(f"SELECT new FROM {table} WHERE old=?", (item_id,)).fetchone()
    return row[0] if row else item_id


def _articles(db: sqlite3.Connection) -> Iterator[dict]:
    cols = ", ".join("a." + c for c in ARTICLE_FIELDS)
    for row in db.execute(f"SELECT {cols} FROM articles a JOIN temp.sel s ON s.id=a.id ORDER BY s.seq"):
        item = dict(zip(ARTICLE_FIELDS, row))
        item["removed"] = json.loads(item["removed"] or "[]")
        item["wire"] = json.loads(item["wire"] or "[]")
        yield item


def _layer(db: sqlite3.Connection, layer: str) -> Iterator[dict]:
    cols = LAYER_COLUMNS[layer]
    speaker = ", l.speaker" if layer == "quotes" else ""
    for row in db.execute(
            f"SELECT l.article{speaker}, {', '.join('l.' + c for c in cols)}, l.extra FROM {layer} l "
            f"JOIN temp.sel s ON s.id=l.article ORDER BY s.seq, l.idx"):
        head = {"article": row[0]}
        values = row[1:]
        if layer == "quotes":
            head["speaker"] = values[0]
            values = values[1:]
        item = {**head, **{c: v for c, v in zip(cols, values[:-1]) if c != "entity"}}
        if layer == "quotes":
            item["direct"] = bool(item["direct"])
        if values[-1]:
            item.update(json.loads(values[-1]))
        yield item


def _entities(db: sqlite3.Connection) -> Iterator[dict]:
    counted = db.execute(
        "SELECT m.entity, COUNT(*) FROM mentions m JOIN temp.sel s ON s.id=m.article "
        "WHERE m.entity IS NOT NULL GROUP BY m.entity").fetchall()
    rows = {}
    ids = [e for e, _ in counted]
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        for r in db.execute(f"SELECT id, type, name, latin, variants, roles FROM entities "
                            f"WHERE id IN ({','.join('?' * len(part))})", part):
            rows[r[0]] = r
    order = sorted((e for e, _ in counted if e in rows), key=lambda e: (-dict(counted)[e], rows[e][1], e))
    for entity_id in order:
        _, kind, name, latin, variants, roles = rows[entity_id]
        mentions = [{"article": a, "start": s, "end": e} for a, s, e in db.execute(
            "SELECT m.article, m.start, m.end FROM mentions m JOIN temp.sel s ON s.id=m.article "
            "WHERE m.entity=? ORDER BY m.article, m.start, m.end", (entity_id,))]
        yield {"id": entity_id, "type": kind, "name": name, "latin": latin, "variants": json.loads(variants),
               "roles": json.loads(roles), "mentions": mentions}


def _reuse(db: sqlite3.Connection) -> Iterator[dict]:
    from marsad.link.corpus import pair_row

    for row in db.execute(
            "SELECT p.a, p.b, p.kind, p.shared_chars, p.passages, p.agency FROM reuse_pairs p "
            "JOIN temp.sel x ON x.id=p.a JOIN temp.sel y ON y.id=p.b ORDER BY p.seq"):
        yield pair_row(row)


def _stories(db: sqlite3.Connection) -> Iterator[dict]:
    story_ids = [r[0] for r in db.execute(
        "SELECT st.id FROM stories st WHERE st.id IN (SELECT m.story FROM story_members m JOIN temp.sel s "
        "ON s.id=m.article) ORDER BY st.rowid")]
    for story_id in story_ids:
        title = db.execute("SELECT title FROM stories WHERE id=?", (story_id,)).fetchone()[0]
        members = [r[0] for r in db.execute(
            "SELECT m.article FROM story_members m JOIN temp.sel s ON s.id=m.article WHERE m.story=? ORDER BY m.pos",
            (story_id,))]
        view = db.execute("SELECT summary, timeline, claims, disagreements FROM story_views WHERE story=?",
                          (story_id,)).fetchone() or ("[]", "[]", "[]", "[]")
        yield {"id": story_id, "title": title, "articles": members,
               **{k: json.loads(v) for k, v in zip(("summary", "timeline", "claims", "disagreements"), view)}}


def sections(db: sqlite3.Connection, sel: Selection | None = None) -> Iterator[tuple[str, Any]]:
    """The report's keys in order, each with its value (lists as iterators)."""
    select(db, sel or Selection())
    yield "schema", SCHEMA_ID
    yield "generated_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    yield "articles", _articles(db)
    yield "entities", _entities(db)
    yield "quotes", _layer(db, "quotes")
    yield "numbers", _layer(db, "numbers")
    yield "dates", _layer(db, "dates")
    yield "reuse", _reuse(db)
    yield "stories", _stories(db)


def stream_report(db: sqlite3.Connection, sel: Selection | None = None) -> Iterator[str]:
    """The report as JSON text, in chunks (one item at a time)."""
    yield "{"
    first = True
    for key, value in sections(db, sel):
        yield ("" if first else ",") + "\n " + json.dumps(key) + ": "
        first = False
        if isinstance(value, str):
            yield json.dumps(value, ensure_ascii=False)
            continue
        yield "["
        for n, item in enumerate(value):
            yield ("," if n else "") + "\n  " + json.dumps(item, ensure_ascii=False)
        yield "]"
    yield "\n}\n"


def build_report(db: sqlite3.Connection, sel: Selection | None = None) -> Report:
    return Report((key, value if isinstance(value, str) else list(value)) for key, value in sections(db, sel))
