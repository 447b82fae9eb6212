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


#: Script payloads: each would set window.__xss or open a dialog if the UI let it run.
PAYLOADS = (
    '<script>window.__xss=1;alert(1)</script>',
    '"><img src=x onerror="window.__xss=2;alert(2)">',
    "<svg onload=window.__xss=3;alert(3)>",
    "javascript:window.__xss=4;alert(4)//",
    "'-alert(5)-'<iframe srcdoc=\"<script>parent.__xss=5</script>\">",
)


def xss_store(path: str) -> str:
    """A store whose every shown string (titles, outlets, authors, texts, URLs, entity names,
    quotes, speakers, story title and views) carries script payloads; one article is untitled."""
    p = PAYLOADS
    text1 = (f"قال المتحدث {p[0]} إن «الهجوم {p[1]} لم يقع» في المدينة يوم الاثنين. "
             f"وأضاف أن {p[2]} 12 شخصاً أصيبوا. {p[4]}")
    text2 = f"{p[2]} أعلن الوزير أن 30 شخصاً أصيبوا في المدينة. {p[0]} وقال الوزير «{p[3]}»."
    arts = [
        {**_article("x1", f"عنوان {p[0]} {p[1]}", text1, f"منفذ {p[1]}", "2026-05-04", [("المتحدث", "PER", "e_x")]),
         "url": p[3], "author": p[2], "wire": [p[0]]},
        {**_article("x2", None, text2, p[0], "2026-05-05", [("الوزير", "PER", "e_x")]),
         "url": "javascript:alert(6)", "source": p[1]},
    ]
    q1 = text1.index("الهجوم")
    arts[0]["quotes"] = [{"start": q1, "end": q1 + len(f"الهجوم {p[1]} لم يقع"), "text": f"الهجوم {p[1]} لم يقع",
                          "direct": True, "speaker_text": p[0], "speaker_mention": 0, "speaker": "e_x"}]
    q2 = text2.index(p[3])
    arts[1]["quotes"] = [{"start": q2, "end": q2 + len(p[3]), "text": p[3], "direct": True,
                          "speaker_text": p[2], "speaker_mention": 0, "speaker": "e_x"}]
    d1 = text1.index("يوم الاثنين")
    arts[0]["dates"] = [{"start": d1, "end": d1 + len("يوم الاثنين"), "text": "يوم الاثنين", "date": "2026-05-04",
                         "resolved_from": p[1]}]
    n1 = text1.index("12")
    arts[0]["numbers"] = [{"start": n1, "end": n1 + 2, "text": "12", "value": 12, "unit": p[2]}]
    db = create(path)
    with db:
        for a in arts:
            add_article(db, a)
        add_entity(db, {"id": "e_x", "type": "PER", "name": f"الوزير {p[1]}", "latin": p[2],
                        "variants": [p[0], "الوزير", "المتحدث"], "roles": [p[4]],
                        "mentions": [{"article": a["id"], "start": m["start"], "end": m["end"]}
                                     for a in arts for m in a["mentions"]]})
        cite = [{"article": "x1", "start": 0, "end": 20}]
        add_story(db, {"id": "sx", "title": f"قصة {p[1]}", "articles": ["x1", "x2"],
                       "timeline": [{"date": "2026-05-04", "text": p[0], "articles": ["x1", p[1]], "sentences": cite}],
                       "summary": [{"text": p[2], "articles": ["x1"], "sentence": cite[0]}],
                       "claims": [{"text": p[1], "articles": ["x1", "x2"], "independent_sources": 2, "sentences": cite}],
                       "disagreements": [{"about": p[0], "positions": [
                           {"text": p[1], "articles": ["x1"], "value": p[2], "unit": p[3]},
                           {"text": p[4], "articles": ["x2"], "value": 30, "unit": p[0]}]}]},
                  {a["id"]: a["published"] for a in arts}, {a["id"]: a["outlet"] for a in arts})
        db.execute("INSERT INTO reuse_pairs (a, b, kind, shared_chars, agency, passages) VALUES (?,?,?,?,?,?)",
                   ("x1", "x2", "syndicated", 40, p[0], _json([{"a_start": 0, "a_end": 10, "b_start": 0, "b_end": 10}])))
    db.close()
    return path
