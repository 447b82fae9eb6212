"""Roll-up tables: per-story and per-entity counts copied out of the links so that a page reads
a few indexed rows instead of aggregating thousands (a story list by outlet, an entity's stories).

Each is rewritten for the stories or entities a batch touched, inside the batch's transaction.
"""
from __future__ import annotations

import sqlite3

_CHUNK = 5000  # ids per statement (SQLite's variable limit is 32,766)


def _rewrite(db: sqlite3.Connection, table: str, key: str, insert: str, ids: list[str] | None) -> None:
    if ids is None:
        db.execute(f"DELETE FROM {table}")
        db.execute(insert.format(where=" IS NOT NULL"))
        return
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        marks = ",".join("?" * len(part))
        db.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", part)
        db.execute(insert.format(where=f" IN ({marks})"), part)


def fill_story_outlets(db: sqlite3.Connection, story_ids: list[str] | None = None) -> None:
    """``story_outlets`` of these stories (all when None) from their members."""
    _rewrite(db, "story_outlets", "story",
             "INSERT INTO story_outlets (outlet, story, articles, size, first_published, last_published) "
             "SELECT a.outlet, m.story, COUNT(*), s.size, s.first_published, s.last_published "
             "FROM story_members m JOIN articles a ON a.id = m.article JOIN stories s ON s.id = m.story "
             "WHERE a.outlet IS NOT NULL AND m.story{where} GROUP BY m.story, a.outlet", story_ids)


def fill_entity_stories(db: sqlite3.Connection, entity_ids: list[str] | None = None) -> None:
    """``entity_stories`` of these entities (all when None) from their mentions."""
    _rewrite(db, "entity_stories", "entity",
             "INSERT INTO entity_stories (entity, story, articles) "
             "SELECT m.entity, s.story, COUNT(DISTINCT m.article) FROM mentions m "
             "JOIN story_members s ON s.article = m.article WHERE m.entity{where} GROUP BY m.entity, s.story",
             entity_ids)
