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
from typing import Any, Callable, Iterator

from marsad.link.quote_groups import MAX_QUOTES, group_quotes
from marsad.store.sqlite import LAYER_COLUMNS, pair_row

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


class Selected:
    """The selected articles as a relation ``(id, seq)`` to join with: a subquery over the
    filters (works on a read-only connection), or a temporary table for an explicit id list."""

    def __init__(self, db: sqlite3.Connection, sel: Selection):
        where, self.args = [], []
        if sel.story is not None:
            where.append("a.id IN (SELECT article FROM story_members WHERE story=?)")
            self.args.append(_follow(db, "story_merges", sel.story))
        for clause, value in (("a.published >= ?", sel.since), ("a.published <= ?", sel.until),
                              ("a.outlet = ?", sel.outlet)):
            if value:
                where.append(clause)
                self.args.append(value)
        if sel.ids is not None:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS sel_ids (id TEXT PRIMARY KEY)")
            db.execute("DELETE FROM temp.sel_ids")
            db.executemany("INSERT OR IGNORE INTO temp.sel_ids VALUES (?)", [(i,) for i in sel.ids])
            where.append("a.id IN (SELECT id FROM temp.sel_ids)")
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        self.whole = not where  # every stored article
        self.sql = f"(SELECT a.id AS id, a.seq AS seq FROM articles a{clause})"

    def join(self, alias: str = "s") -> str:
        return f"{self.sql} {alias}"


def _follow(db: sqlite3.Connection, table: str, item_id: str) -> str:
    row = db.execute(f"SELECT new FROM {table} WHERE old=?", (item_id,)).fetchone()
    return row[0] if row else item_id


def _articles(db: sqlite3.Connection, sel: Selected) -> Iterator[dict]:
    cols = ", ".join("a." + c for c in ARTICLE_FIELDS)
    for row in db.execute(f"SELECT {cols} FROM articles a JOIN {sel.join()} ON s.id=a.id ORDER BY s.seq", sel.args):
        item = dict(zip(ARTICLE_FIELDS, row))
        item["removed"] = json.loads(item["removed"] or "[]")
        item["wire"] = json.loads(item["wire"] or "[]")
        yield item


def _layer(db: sqlite3.Connection, sel: Selected, layer: str) -> Iterator[dict]:
    cols = LAYER_COLUMNS[layer]
    speaker = ", l.speaker" if layer == "quotes" else ""
    for row in db.execute(
            f"SELECT l.article{speaker}, {', '.join('l.' + c for c in cols)}, l.extra FROM {layer} l "
            f"JOIN {sel.join()} ON s.id=l.article ORDER BY s.seq, l.idx", sel.args):
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


def _entities(db: sqlite3.Connection, sel: Selected) -> Iterator[dict]:
    if sel.whole:
        source = "mentions"
    else:
        # The selection's mentions, indexed by entity. Joined with the selection entity by
        # entity instead, SQLite walks the whole selection for each entity (8,000 articles:
        # 23,000 entities × 8,000 probes, most of a 45 s report).
        db.execute("DROP TABLE IF EXISTS temp.sel_mentions")
        db.execute(f"CREATE TEMP TABLE sel_mentions AS SELECT m.entity, m.article, m.start, m.end FROM mentions m "
                   f"JOIN {sel.join()} ON s.id=m.article WHERE m.entity IS NOT NULL", sel.args)
        db.execute("CREATE INDEX temp.sel_mentions_entity ON sel_mentions (entity, article, start, end)")
        source = "temp.sel_mentions"
    counted = db.execute(f"SELECT entity, COUNT(*) FROM {source} WHERE entity IS NOT NULL GROUP BY entity").fetchall()
    rows = {}
    ids = [e for e, _ in counted]
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        for r in db.execute(f"SELECT id, type, name, latin, variants, roles FROM entities "
                            f"WHERE id IN ({','.join('?' * len(part))})", part):
            rows[r[0]] = r
    counts = dict(counted)
    order = sorted((e for e in counts if e in rows), key=lambda e: (-counts[e], rows[e][1], e))
    for entity_id in order:
        _, kind, name, latin, variants, roles = rows[entity_id]
        mentions = [{"article": a, "start": s, "end": e} for a, s, e in db.execute(
            f"SELECT article, start, end FROM {source} WHERE entity=? ORDER BY article, start, end", (entity_id,))]
        yield {"id": entity_id, "type": kind, "name": name, "latin": latin, "variants": json.loads(variants),
               "roles": json.loads(roles), "mentions": mentions}


def _reuse(db: sqlite3.Connection, sel: Selected) -> Iterator[dict]:
    # `+p.b`: b is only checked, never an index key; with both sides keys SQLite looked up every
    # (a, b) of the selection squared (60k articles: 3.6 billion probes, hours)
    for row in db.execute(
            f"SELECT p.a, p.b, p.kind, p.shared_chars, p.passages, p.agency FROM reuse_pairs p "
            f"WHERE p.a IN (SELECT id FROM {sel.sql}) AND +p.b IN (SELECT id FROM {sel.sql}) ORDER BY p.seq",
            sel.args * 2):
        yield pair_row(row)


def _stories(db: sqlite3.Connection, sel: Selected) -> Iterator[dict]:
    stories = db.execute(
        f"SELECT st.id, st.title FROM stories st WHERE st.id IN (SELECT m.story FROM story_members m JOIN {sel.join()} "
        "ON s.id=m.article) ORDER BY st.rowid", sel.args).fetchall()
    for story_id, title in stories:
        members = [r[0] for r in db.execute(
            f"SELECT m.article FROM story_members m JOIN {sel.join()} ON s.id=m.article WHERE m.story=? "
            "ORDER BY m.pos", (*sel.args, story_id))]
        view = db.execute("SELECT summary, timeline, claims, disagreements FROM story_views WHERE story=?",
                          (story_id,)).fetchone() or ("[]", "[]", "[]", "[]")
        yield {"id": story_id, "title": title, "articles": members,
               **{k: json.loads(v) for k, v in zip(("summary", "timeline", "claims", "disagreements"), view)},
               "quotes": story_quotes(db, story_id, sel)}


def story_quotes(db: sqlite3.Connection, story_id: str, sel: Selected | None = None) -> list[dict]:
    """The story's quotes grouped by speaker, a quotation carried by several articles (wire
    copy) once with its ``copies`` (:func:`marsad.link.quote_groups.group_quotes`)."""
    join, args = (f" JOIN {sel.join()} ON s.id = m.article", list(sel.args)) if sel else ("", [])
    rows = db.execute(
        f"SELECT q.article, q.start, q.end, q.text, q.direct, q.speaker, q.speaker_text, e.name "
        f"FROM story_members m{join} JOIN quotes q ON q.article = m.article "
        f"LEFT JOIN entities e ON e.id = q.speaker WHERE m.story = ? ORDER BY m.pos, q.idx LIMIT ?",
        (*args, story_id, MAX_QUOTES)).fetchall()
    cols = ("article", "start", "end", "text", "direct", "speaker", "speaker_text", "speaker_name")
    groups = group_quotes([dict(zip(cols, r)) for r in rows])
    return [{"speaker": g["speaker"], "name": g["name"],
             "quotes": [{"text": q["text"], "direct": bool(q["direct"]), "article": q["article"], "start": q["start"],
                         "end": q["end"], "copies": q["copies"]} for q in g["quotes"]]} for g in groups]


def sections(db: sqlite3.Connection, sel: Selection | None = None) -> Iterator[tuple[str, Any]]:
    """The report's keys in order, each with its value (lists as iterators)."""
    chosen = Selected(db, sel or Selection())
    yield "schema", SCHEMA_ID
    yield "generated_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    yield "articles", _articles(db, chosen)
    yield "entities", _entities(db, chosen)
    yield "quotes", _layer(db, chosen, "quotes")
    yield "numbers", _layer(db, chosen, "numbers")
    yield "dates", _layer(db, chosen, "dates")
    yield "reuse", _reuse(db, chosen)
    yield "stories", _stories(db, chosen)


def stream_report(db: sqlite3.Connection, sel: Selection | None = None,
                  observe: Callable[[str, Any], None] | None = None) -> Iterator[str]:
    """The report as JSON text, in chunks (one item at a time); ``observe(section, item)`` sees
    each list item as it goes by (a caller's summary, without holding the report)."""
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
            if observe is not None:
                observe(key, item)
            yield ("," if n else "") + "\n  " + json.dumps(item, ensure_ascii=False)
        yield "]"
    yield "\n}\n"


def build_report(db: sqlite3.Connection, sel: Selection | None = None) -> Report:
    return Report((key, value if isinstance(value, str) else list(value)) for key, value in sections(db, sel))
