"""A hand-written v2 store (src/marsad/store/schema.sql) for cases the examples lack.

:func:`variants_store` writes four short articles that spell two names differently, and an
entity table that lists ترمب/ترامب/ترمپ and زيلنسكي/زيلينسكي as variants: what search must
bridge. Rows are inserted directly (:func:`create`, :func:`add_article`, :func:`add_entity`,
:func:`add_story`); stores of real inputs are built with ``marsad.interfaces.api.ingest``.
All text here is written for these tests.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import marsad.store
from marsad.store.search import COLUMNS, search_columns
from marsad.text.normalize import normalize

SCHEMA_SQL = Path(marsad.store.__file__).parent / "schema.sql"
NOW = "2026-12-07T00:00:00+00:00"
LAYER_COLUMNS = {
    "mentions": ("start", "end", "type", "text", "entity"),
    "quotes": ("start", "end", "text", "direct", "speaker_text", "speaker_mention", "speaker"),
    "numbers": ("start", "end", "text", "value", "unit"),
    "dates": ("start", "end", "text", "date"),
}


def _json(x: Any) -> str:
    return json.dumps(x, ensure_ascii=False)


def create(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    with open(SCHEMA_SQL, encoding="utf-8") as fh:
        db.executescript(fh.read())
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                   [("schema_version", "2"), ("created_with", "tests/store_fixture.py")])
    return db


def add_article(db: sqlite3.Connection, a: dict) -> int:
    """Insert article dict `a` (Article.to_dict() shape; layer items may carry `entity`/`speaker`)."""
    cur = db.execute(
        "INSERT INTO articles (id, source, source_id, url, title, outlet, author, published, "
        "published_source, language, wire, removed, text, added_at, linked) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
        (a["id"], a.get("source", a["id"]), a.get("source_id"), a.get("url"), a.get("title"), a.get("outlet"),
         a.get("author"), a.get("published"), a.get("published_source"), a.get("language", "ar"),
         _json(a.get("wire", [])), _json(a.get("removed", [])), a["text"], NOW),
    )
    seq = cur.lastrowid
    for layer, cols in LAYER_COLUMNS.items():
        rows = []
        for idx, item in enumerate(a.get(layer, [])):
            values = [item.get(c) for c in cols]
            if layer == "quotes":
                values[3] = int(bool(values[3]))
            extra = {k: v for k, v in item.items() if k not in cols and k not in ("article",)}
            rows.append((a["id"], idx, *values, _json(extra) if extra else None))
        if rows:
            marks = ",".join("?" * (len(cols) + 3))
            db.executemany(f"INSERT INTO {layer} (article, idx, {', '.join(cols)}, extra) VALUES ({marks})", rows)
    db.execute(f"INSERT INTO search_articles (rowid, {', '.join(COLUMNS)}) VALUES (?, {', '.join('?' * len(COLUMNS))})",
               (seq, *search_columns(a.get("title"), a["text"])))
    return seq


def add_entity(db: sqlite3.Connection, e: dict) -> None:
    """Insert entity dict `e` (report shape, `mentions` a list or a count) with its 'n:' keys."""
    mentions = e.get("mentions", [])
    n = mentions if isinstance(mentions, int) else len(mentions)
    arts = e.get("articles_count", n if isinstance(mentions, int) else len({m["article"] for m in mentions}))
    db.execute("INSERT INTO entities (id, type, name, latin, variants, roles, mentions, articles, first_published, "
               "last_published, dirty) VALUES (?,?,?,?,?,?,?,?,?,?,0)",
               (e["id"], e["type"], e["name"], e.get("latin"), _json(e.get("variants", [])),
                _json(e.get("roles", [])), n, arts, e.get("first_published"), e.get("last_published")))
    keys = {"n:" + normalize(form) for form in [e["name"], *e.get("variants", [])]}  # as the store writes them
    db.executemany("INSERT OR IGNORE INTO entity_keys VALUES (?, ?)", [(k, e["id"]) for k in keys])


def add_story(db: sqlite3.Connection, s: dict, published: dict[str, str | None], outlets: dict[str, str | None]) -> None:
    """Insert story dict `s` (report shape) with members and view; `published`/`outlets` by article id."""
    dates = sorted(d for d in (published.get(i) for i in s["articles"]) if d)
    db.execute("INSERT INTO stories VALUES (?,?,?,?,?,?,?,0)",
               (s["id"], s["title"], len(s["articles"]), len({outlets.get(i) for i in s["articles"]} - {None}),
                dates[0] if dates else None, dates[-1] if dates else None, NOW))
    db.executemany("INSERT INTO story_members VALUES (?,?,?)",
                   [(aid, s["id"], pos) for pos, aid in enumerate(s["articles"])])
    db.execute("INSERT INTO story_views VALUES (?,?,?,?,?,?)",
               (s["id"], *(_json(s.get(k, [])) for k in ("timeline", "summary", "claims", "disagreements")), NOW))


def _article(aid: str, title: str, text: str, outlet: str, published: str, marks: list[tuple[str, str, str | None]]):
    """An article whose mentions are the first occurrence of each (surface, type, entity)."""
    mentions = []
    for surface, type_, entity in marks:
        start = text.index(surface)
        mentions.append({"start": start, "end": start + len(surface), "type": type_, "text": surface, "entity": entity})
    return {"id": aid, "source": f"{aid}.txt", "title": title, "text": text, "outlet": outlet,
            "published": published, "published_source": "metadata", "wire": [], "removed": [],
            "mentions": mentions, "quotes": [], "numbers": [], "dates": []}


def variants_store(path: str) -> str:
    """Four articles spelling two names differently; the entity table knows the variants."""
    arts = [
        _article("v1", "ترامب يلتقي زيلينسكي في البيت الأبيض",
                 "استقبل الرئيس الأمريكي دونالد ترامب نظيره الأوكراني فولوديمير زيلينسكي أمس، "
                 "وقال ترامب إن اللقاء كان مثمراً.", "صحيفة الشمال", "2026-11-02",
                 [("دونالد ترامب", "PER", "e_trump"), ("فولوديمير زيلينسكي", "PER", "e_zel")]),
        _article("v2", "ترمب: لا اتفاق قبل الشتاء",
                 "قال الرئيس ترمب في مؤتمر صحفي إن المفاوضات مع زيلنسكي ستستمر. <script>alert(1)</script>",
                 "وكالة الجنوب", "2026-11-03",
                 [("ترمب", "PER", "e_trump"), ("زيلنسكي", "PER", "e_zel")]),
        _article("v3", "أسعار القمح ترتفع",
                 "ارتفعت أسعار القمح في الأسواق العالمية للأسبوع الثالث على التوالي.",
                 "صحيفة الشمال", "2026-10-20", []),
        _article("v4", "زيارة مرتقبة",
                 "يُتوقَّع أن يزور ترمپ العاصمة الأوكرانية الشهر المقبل، بحسب مصادر مطلعة.",
                 "وكالة الجنوب", "2026-11-05", [("ترمپ", "PER", "e_trump")]),
    ]
    db = create(path)
    with db:
        for a in arts:
            add_article(db, a)
        mentions = {"e_trump": [], "e_zel": []}
        for a in arts:
            for m in a["mentions"]:
                mentions[m["entity"]].append({"article": a["id"], "start": m["start"], "end": m["end"]})
        add_entity(db, {"id": "e_trump", "type": "PER", "name": "دونالد ترامب", "latin": "Donald Trump",
                        "variants": ["دونالد ترامب", "ترامب", "ترمب", "ترمپ"], "roles": ["الرئيس الأمريكي"],
                        "mentions": mentions["e_trump"]})
        add_entity(db, {"id": "e_zel", "type": "PER", "name": "فولوديمير زيلينسكي", "latin": "Volodymyr Zelensky",
                        "variants": ["فولوديمير زيلينسكي", "زيلنسكي"], "roles": [], "mentions": mentions["e_zel"]})
        add_story(db, {"id": "sv1", "title": "لقاء ترامب وزيلينسكي", "articles": ["v1", "v2", "v4"],
                       "timeline": [], "summary": [], "claims": [], "disagreements": []},
                  {a["id"]: a["published"] for a in arts}, {a["id"]: a["outlet"] for a in arts})
    db.close()
    return path
