"""The store's tables as Parquet, and back: for analysis on a cluster, and for serving.

``export_parquet`` writes every table of a store (``schema.sql``: articles, the layers,
entities, reuse pairs, stories, members, views, the corpus indexes) to ``DIR/<table>/`` as
Parquet, with the same columns and a ``_rowid`` column for the tables whose row order means
something (stories in order of creation, index segments). ``load_parquet`` reads such a
folder into a new SQLite store that ``marsad serve`` serves and ``marsad ingest`` extends; the
full-text index, which is derived from the articles, is rebuilt on the way.

Both go through Spark (its Parquet reader and writer; Marsad does not need pyarrow), in
chunks: neither side holds a table in memory.

    marsad ingest corpus/ --engine spark --db build.db --parquet out/   # a build, as Parquet too
    marsad load-parquet out/ --db store.db && marsad serve --db store.db
"""
from __future__ import annotations

import json
import os
import sqlite3
from itertools import islice

from marsad.store.search import COLUMNS as SEARCH_COLUMNS
from marsad.store.search import search_columns
from marsad.store.sqlite import SQLiteStore

ROWID = "_rowid"
CHUNK = 50_000  # rows per Parquet file written / per insert batch


def tables(db: sqlite3.Connection) -> list[str]:
    """The store's own tables (not the full-text index, which is derived, nor SQLite's)."""
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'search_articles%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY rowid")]
    return names


def _has_rowid(db: sqlite3.Connection, table: str) -> bool:
    try:
        db.execute(f"SELECT rowid FROM {table} LIMIT 0")
        return True
    except sqlite3.OperationalError:  # a WITHOUT ROWID table: its key orders it
        return False


def _untyped(db: sqlite3.Connection, table: str) -> set[str]:
    """Columns without a declared type (``numbers.value`` holds integers and reals): they
    travel as JSON text, which keeps each value's own type."""
    return {name for _, name, declared, *_ in db.execute(f"PRAGMA table_info({table})") if not declared}


def _spark_type(declared: str):
    from pyspark.sql import types as T

    declared = (declared or "").upper()
    if "INT" in declared:
        return T.LongType()
    if "BLOB" in declared:
        return T.BinaryType()
    if any(x in declared for x in ("REAL", "FLOA", "DOUB")):
        return T.DoubleType()
    return T.StringType()


def _schema(db: sqlite3.Connection, table: str):
    from pyspark.sql import types as T

    fields = [T.StructField(name, _spark_type(declared), True)
              for _, name, declared, *_ in db.execute(f"PRAGMA table_info({table})")]
    if _has_rowid(db, table):
        fields.insert(0, T.StructField(ROWID, T.LongType(), False))
    return T.StructType(fields)


def export_parquet(store: SQLiteStore, out_dir: str, spark, chunk: int = CHUNK) -> dict[str, int]:
    """Write every table of ``store`` to ``out_dir/<table>/`` (replacing what is there);
    returns the rows written per table."""
    db, written = store.db, {}
    for table in tables(db):
        schema = _schema(db, table)
        columns = ", ".join(("rowid" if f.name == ROWID else f'"{f.name}"') for f in schema.fields)
        order = " ORDER BY rowid" if schema.fields[0].name == ROWID else ""
        rows = db.execute(f"SELECT {columns} FROM {table}{order}")
        untyped = [i for i, f in enumerate(schema.fields) if f.name in _untyped(db, table)]
        if untyped:
            rows = (tuple(json.dumps(v) if i in untyped else v for i, v in enumerate(r)) for r in rows)
        path, mode, n = os.path.join(out_dir, table), "overwrite", 0
        while True:
            part = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in islice(rows, chunk)]
            if part or mode == "overwrite":  # an empty table still gets its schema
                spark.createDataFrame(part, schema).coalesce(1).write.mode(mode).parquet(path)
                mode = "append"
            n += len(part)
            if len(part) < chunk:
                break
        written[table] = n
    return written


def load_parquet(in_dir: str, store: SQLiteStore, spark, chunk: int = CHUNK) -> dict[str, int]:
    """Fill the empty ``store`` from the tables ``export_parquet`` wrote to ``in_dir``, then
    rebuild its full-text index; returns the rows read per table."""
    db = store.db
    if store.count():
        raise ValueError(f"{store.path} holds articles already: load Parquet tables into a new store")
    loaded = {}
    with store.transaction():
        for table in tables(db):
            path = os.path.join(in_dir, table)
            if not os.path.isdir(path):
                continue
            frame = spark.read.parquet(path)
            wanted = {name for _, name, *_ in db.execute(f"PRAGMA table_info({table})")}
            cols = [c for c in frame.columns if c in wanted or c == ROWID]
            if ROWID in cols:
                frame = frame.orderBy(ROWID)
            names = ", ".join("rowid" if c == ROWID else f'"{c}"' for c in cols)
            verb = "INSERT OR REPLACE" if table == "meta" else "INSERT"
            untyped = [i for i, c in enumerate(cols) if c in _untyped(db, table)]
            rows = (tuple(json.loads(v) if i in untyped and v is not None else v for i, v in enumerate(r))
                    for r in frame.select(*cols).toLocalIterator())
            if table == "meta":  # this store's own schema version stands
                key = cols.index("key")
                rows = (r for r in rows if r[key] != "schema_version")
            n = 0
            while part := list(islice(rows, chunk)):
                db.executemany(f"{verb} INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})", part)
                n += len(part)
            loaded[table] = n
        _rebuild_search(db)
    return loaded


def _rebuild_search(db: sqlite3.Connection) -> None:
    """The full-text keys of every article (rowid = articles.seq), as ``add_many`` writes them."""
    cursor = db.execute("SELECT seq, title, text FROM articles ORDER BY seq")
    while part := cursor.fetchmany(CHUNK):
        db.executemany(f"INSERT INTO search_articles (rowid, {', '.join(SEARCH_COLUMNS)}) "
                       f"VALUES (?{', ?' * len(SEARCH_COLUMNS)})",
                       [(seq, *search_columns(title, text)) for seq, title, text in part])
