"""Moving a store forward to the current schema (``marsad migrate``, or on open with a message).

Version 1 kept each article as one JSON document and the corpus links as one pickled blob.
Its articles move into the relational tables; the blob is dropped unread (a store file is data:
nothing in it is ever unpickled) and the links are rebuilt from the articles.
Version 2 lacked ``story_outlets`` and ``entity_stories``; they are filled from the links.
Version 3 lacked ``article_vectors`` (sentence vectors kept per article); it starts empty and
fills as stories are derived.
"""
from __future__ import annotations

import json
import sys

from marsad.doc import Article
from marsad.store.rollups import fill_entity_stories, fill_story_outlets


def migrate_forward(store, version: int, quiet: bool = False) -> None:
    from marsad.store.sqlite import SCHEMA_VERSION

    if version not in STEPS:
        raise ValueError(f"no migration from store schema version {version}")
    if not quiet:
        n = store.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        print(f"marsad: {store.path}: migrating the store from schema version {version} to {SCHEMA_VERSION} "
              f"({n} articles{'; corpus links will be rebuilt' if version == 1 else ''})", file=sys.stderr)
    while version < SCHEMA_VERSION:
        with store.transaction():
            version = STEPS[version](store)
            store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(version),))


def _from_v1(store) -> int:
    """Articles out of their JSON documents into the current schema (links rebuilt later)."""
    from marsad.store.sqlite import SCHEMA_VERSION, _schema_sql

    db = store.db
    db.execute("ALTER TABLE articles RENAME TO articles_v1")
    db.execute("DROP INDEX IF EXISTS articles_published")
    db.execute("DROP TABLE IF EXISTS state")  # the pickled links: dropped, never read
    for statement in _statements(_schema_sql()):
        db.execute(statement)
    batch = []
    for (doc,) in db.execute("SELECT doc FROM articles_v1 ORDER BY seq").fetchall():
        batch.append(Article.from_dict(json.loads(doc)))
        if len(batch) >= 500:
            store.add_many(batch)
            batch = []
    store.add_many(batch)
    db.execute("DROP TABLE articles_v1")
    return SCHEMA_VERSION


def _from_v2(store) -> int:
    _create_missing(store)
    fill_story_outlets(store.db)
    fill_entity_stories(store.db)
    return 3


def _from_v3(store) -> int:
    _create_missing(store)  # article_vectors: empty, filled as stories are derived
    return 4


def _create_missing(store) -> None:
    from marsad.store.sqlite import _schema_sql

    for statement in _statements(_schema_sql()):  # creates what is missing (all IF NOT EXISTS)
        store.db.execute(statement)


STEPS = {1: _from_v1, 2: _from_v2, 3: _from_v3}


def _statements(script: str) -> list[str]:
    """The statements of a schema script (``executescript`` would commit the transaction)."""
    import sqlite3

    out, current = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not current.strip():
            continue
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return [s for s in out if s]
