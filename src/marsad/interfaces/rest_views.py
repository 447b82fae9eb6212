"""Endpoints the web UI's pictures and groupings read: additions to :mod:`marsad.interfaces.rest`.

Each is one bounded SQL query (or two) on the store, like the rest of the API:

    GET /api/days?since=&until=              articles and outlets per publication day (home)
    GET /api/stories/{id}/coverage           articles per day per outlet
    GET /api/stories/{id}/copies             outlets grouped by the agency copy they share
    GET /api/stories/{id}/quotes             quotes grouped by speaker, a wire copy's once
    GET /api/entities/{id}/timeline          mentions per publication day
    GET /api/entities/{id}/related           entities named in the same articles
    GET /api/entities/{id}/quotes            quotes by it (each once) and about it
    GET /api/search/quotes?q=&...            quotations matching the words, highlighted
    GET /charts/stories/{id}/coverage.svg    the coverage chart (server-rendered SVG)
    GET /charts/entities/{id}/mentions.svg   mentions over time
    GET /charts/days.svg?since=&until=&what=articles|outlets   articles (outlets) per day

The SVG answers are images (``<img>`` in the page): their labels are escaped, and an SVG shown
as an image runs no script.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Annotated, Callable, Literal

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import Response

from marsad.interfaces import charts
from marsad.interfaces.titles import with_fallback_titles
from marsad.interfaces.rest import BRIEF, JSON, APIError, DateParam, Ident, Text, _brief, _rows, check_params
from marsad.link.quote_groups import dedupe
from marsad.report import story_quotes
from marsad.store import search as fts

DEFAULT_DAYS = 90  # the home page's window when no dates are given: the last 90 days stored
MAX_DAYS = 3660  # days one /api/days answer covers at most (ten years: one index range, grouped by day)
RELATED_ARTICLES = 2000  # articles of an entity read for its co-occurring entities
TIMELINE_MENTIONS = 50_000  # mentions of an entity counted by day, at most
QUOTE_ARTICLES = 40  # best-ranked articles whose quotations a quote search reads
SVG_TYPE = "image/svg+xml; charset=utf-8"


def _first_day(bound: str) -> dt.date:
    return dt.date.fromisoformat(bound + {4: "-01-01", 7: "-01"}.get(len(bound), ""))


def _last_day(bound: str) -> dt.date:
    """The last day a YYYY, YYYY-MM or YYYY-MM-DD bound covers (2026-02 → 2026-02-28)."""
    if len(bound) == 10:
        return dt.date.fromisoformat(bound)
    if len(bound) == 4:
        return dt.date(int(bound), 12, 31)
    y, m = int(bound[:4]), int(bound[5:7])
    return dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def _window(db: sqlite3.Connection, since: str | None, until: str | None) -> tuple[str, str] | None:
    """The days a per-day answer covers: the ones asked (full days), else the DEFAULT_DAYS up to
    the last stored day; never more than MAX_DAYS (counted back from the end)."""
    try:
        if until:
            end = _last_day(until)
        else:
            row = db.execute("SELECT max(published) FROM articles WHERE published <= ?",
                             ((dt.date.today() + dt.timedelta(days=1)).isoformat(),)).fetchone()
            if not row or not row[0]:
                return None
            end = dt.date.fromisoformat(row[0][:10])
        start = _first_day(since) if since else end - dt.timedelta(days=DEFAULT_DAYS - 1)
    except ValueError as err:
        raise APIError(422, f"not a date: {err}") from None
    if (end - start).days >= MAX_DAYS:
        start = end - dt.timedelta(days=MAX_DAYS - 1)
    return start.isoformat(), end.isoformat()


def _story_exists(db: sqlite3.Connection, story_id: str) -> None:
    if db.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone() is None:
        merged = db.execute("SELECT new FROM story_merges WHERE old = ?", (story_id,)).fetchone()
        raise APIError(404, f"no story {story_id!r}" + (f" (merged into {merged[0]!r})" if merged else ""))


def _entity(db: sqlite3.Connection, entity_id: str) -> tuple[str, str]:
    """(id, name) of an entity, following merges."""
    eid = entity_id
    for _ in range(8):
        row = db.execute("SELECT id, name FROM entities WHERE id = ?", (eid,)).fetchone()
        if row:
            return row
        moved = db.execute("SELECT new FROM entity_merges WHERE old = ?", (eid,)).fetchone()
        if moved is None:
            break
        eid = moved[0]
    raise APIError(404, f"no entity {entity_id!r}")


def _svg(text: str) -> Response:
    # Opened on its own (not through <img>) an SVG is a document: it may load and run nothing.
    return Response(text.encode("utf-8"), media_type=SVG_TYPE,
                    headers={"Cache-Control": "no-cache", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


def add_routes(app: FastAPI, db: Callable[[], sqlite3.Connection]) -> None:
    """Register the endpoints above on `app` (``db()``: this thread's read-only connection)."""
    api = APIRouter(prefix="/api", dependencies=[Depends(check_params)])
    pics = APIRouter(prefix="/charts", dependencies=[Depends(check_params)], include_in_schema=False)

    # ---- home ----
    def days_data(c, since, until) -> dict:
        window = _window(c, since, until)
        if window is None:
            return {"since": None, "until": None, "days": []}
        rows = c.execute(  # the (outlet, published) index holds both columns: no table reads
            "SELECT published, count(*), count(DISTINCT outlet) FROM articles INDEXED BY articles_outlet "
            "WHERE published >= ? AND published <= ? GROUP BY published ORDER BY published",
            (window[0], window[1] + "~")).fetchall()
        return {"since": window[0], "until": window[1],
                "days": [{"date": d[:10], "articles": n, "outlets": o} for d, n, o in rows]}

    @api.get("/days", summary="Articles and outlets per publication day (the last 90 stored days by default)")
    def days(since: DateParam = None, until: DateParam = None):
        return JSON(days_data(db(), since, until))

    @pics.get("/days.svg")
    def days_svg(since: DateParam = None, until: DateParam = None,
                 what: Literal["articles", "outlets"] = "articles"):
        d = days_data(db(), since, until)
        title, series, color = {"articles": ("المقالات في اليوم", "مقالات", charts.PALETTE[0]),
                                "outlets": ("المنافذ التي نشرت في اليوم", "منافذ", charts.PALETTE[2])}[what]
        return _svg(charts.day_bars([(x["date"], x[what]) for x in d["days"]], title, series=series, color=color,
                                    height=150 if what == "outlets" else 180))

    # ---- stories ----
    def coverage_rows(c, story_id):
        _story_exists(c, story_id)
        return c.execute(
            "SELECT a.published, coalesce(a.outlet, '؟'), count(*) FROM story_members m "
            "JOIN articles a ON a.id = m.article WHERE m.story = ? AND a.published IS NOT NULL "
            "GROUP BY a.published, a.outlet ORDER BY a.published", (story_id,)).fetchall()

    @api.get("/stories/{story_id}/coverage", summary="A story's articles per day per outlet")
    def coverage(story_id: Ident):
        c = db()
        rows = coverage_rows(c, story_id)
        undated = c.execute("SELECT count(*) FROM story_members m JOIN articles a ON a.id = m.article "
                            "WHERE m.story = ? AND a.published IS NULL", (story_id,)).fetchone()[0]
        return JSON({"story": story_id, "undated": undated,
                     "days": [{"date": d[:10], "outlet": o, "articles": n} for d, o, n in rows]})

    @pics.get("/stories/{story_id}/coverage.svg")
    def coverage_svg(story_id: Ident):
        rows = coverage_rows(db(), story_id)
        return _svg(charts.stacked_days([(d[:10], o, n) for d, o, n in rows], "المقالات في اليوم حسب المنفذ"))

    @api.get("/stories/{story_id}/copies", summary="Outlets grouped by the agency copy they share (reuse pairs)")
    def copies(story_id: Ident):
        c = db()
        _story_exists(c, story_id)
        pairs = _rows(c.execute(
            "SELECT r.a, r.b, r.kind, r.shared_chars, r.agency FROM story_members m "
            "JOIN reuse_pairs r ON r.a = m.article JOIN story_members m2 ON m2.article = r.b AND m2.story = m.story "
            "WHERE m.story = ? LIMIT 2000", (story_id,)))
        parent: dict[str, str] = {}

        def find(x):
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for p in pairs:
            parent[find(p["a"])] = find(p["b"])
        ids = list(parent)
        briefs = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            for r in _rows(c.execute(f"SELECT {BRIEF} FROM articles a WHERE a.id IN ({','.join('?' * len(part))})", part)):
                briefs[r["id"]] = _brief(r)
        with_fallback_titles(c, list(briefs.values()))
        groups: dict[str, dict] = {}
        for p in pairs:
            g = groups.setdefault(find(p["a"]), {"agencies": set(), "kinds": set(), "pairs": []})
            g["pairs"].append(p)
            g["kinds"].add(p["kind"])
            if p["agency"]:
                g["agencies"].add(p["agency"])
        out = []
        for root, g in groups.items():
            members = sorted((briefs[i] for i in ids if find(i) == root and i in briefs),
                             key=lambda a: (a["published"] or "9999", a["id"]))
            agencies = sorted(g["agencies"] | {w for a in members for w in (a["wire"] or [])})
            out.append({"agencies": agencies, "kinds": sorted(g["kinds"]), "articles": members,
                        "outlets": list(dict.fromkeys(a["outlet"] or "؟" for a in members)),
                        "first": members[0]["id"] if members else None, "pairs": g["pairs"]})
        out.sort(key=lambda g: -len(g["articles"]))
        return JSON({"story": story_id, "groups": out})

    @api.get("/stories/{story_id}/quotes", summary="A story's quotes by speaker, each quotation once with its copies")
    def quotes_of_story(story_id: Ident):
        c = db()
        _story_exists(c, story_id)
        groups = story_quotes(c, story_id)
        ids = list({cp["article"] for g in groups for q in g["quotes"] for cp in q["copies"]})
        info = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            info.update({r[0]: {"outlet": r[1], "published": r[2]} for r in c.execute(
                f"SELECT id, outlet, published FROM articles WHERE id IN ({','.join('?' * len(part))})", part)})
        for g in groups:
            for q in g["quotes"]:
                for cp in q["copies"]:
                    cp.update(info.get(cp["article"], {}))
                q["outlets"] = list(dict.fromkeys(cp.get("outlet") or "؟" for cp in q["copies"]))
        return JSON({"story": story_id, "speakers": groups})

    # ---- entities ----
    def mention_days(c, eid):
        return c.execute(
            "SELECT a.published, count(*) FROM (SELECT article FROM mentions WHERE entity = ? LIMIT ?) m "
            "JOIN articles a ON a.id = m.article WHERE a.published IS NOT NULL GROUP BY a.published "
            "ORDER BY a.published", (eid, TIMELINE_MENTIONS)).fetchall()

    @api.get("/entities/{entity_id}/timeline", summary="An entity's mentions per publication day")
    def entity_timeline(entity_id: Ident):
        c = db()
        eid, _ = _entity(c, entity_id)
        return JSON({"entity": eid, "days": [{"date": d[:10], "mentions": n} for d, n in mention_days(c, eid)]})

    @pics.get("/entities/{entity_id}/mentions.svg")
    def entity_svg(entity_id: Ident):
        c = db()
        eid, name = _entity(c, entity_id)
        return _svg(charts.day_bars([(d[:10], n) for d, n in mention_days(c, eid)], f"الإشارات إلى {name}",
                                    series="إشارات"))

    @api.get("/entities/{entity_id}/related", summary="Entities named in the same articles, most shared first")
    def related(entity_id: Ident, limit: Annotated[int, Query(ge=1, le=50)] = 15):
        c = db()
        eid, _ = _entity(c, entity_id)
        rows = _rows(c.execute(
            "SELECT e.id, e.type, e.name, x.n AS shared_articles FROM "
            "(SELECT m2.entity, count(DISTINCT m2.article) AS n FROM "
            " (SELECT DISTINCT article FROM mentions WHERE entity = ?1 LIMIT ?2) x1 "
            " JOIN mentions m2 ON m2.article = x1.article WHERE m2.entity IS NOT NULL AND m2.entity != ?1 "
            " GROUP BY m2.entity ORDER BY n DESC LIMIT ?3) x JOIN entities e ON e.id = x.entity "
            "ORDER BY x.n DESC, e.mentions DESC", (eid, RELATED_ARTICLES, limit)))
        return JSON({"entity": eid, "related": rows})

    @api.get("/entities/{entity_id}/quotes", summary="Quotes by an entity (each quotation once) and about it")
    def entity_quotes(entity_id: Ident):
        c = db()
        eid, _ = _entity(c, entity_id)
        cols = "q.article, q.start, q.end, q.text, q.direct, q.speaker, q.speaker_text, a.outlet, a.published, a.title"
        by = _rows(c.execute(f"SELECT {cols} FROM (SELECT * FROM quotes WHERE speaker = ? LIMIT 200) q "
                             f"JOIN articles a ON a.id = q.article ORDER BY a.published, q.article, q.start", (eid,)))
        about = _rows(c.execute(
            f"SELECT DISTINCT {cols}, e.name AS speaker_name FROM "
            f"(SELECT article, start, end FROM mentions WHERE entity = ?1 LIMIT 5000) m "
            f"JOIN quotes q ON q.article = m.article AND q.start <= m.start AND m.end <= q.end "
            f"JOIN articles a ON a.id = q.article LEFT JOIN entities e ON e.id = q.speaker "
            f"WHERE q.speaker IS NULL OR q.speaker != ?1 LIMIT 200", (eid,)))

        def once(rows):
            info = {r["article"]: {"outlet": r["outlet"], "published": r["published"]} for r in rows}
            out = dedupe(rows)[:50]
            for q in out:
                q["direct"] = bool(q["direct"])
                for cp in q["copies"]:
                    cp.update(info.get(cp["article"], {}))
                q["outlets"] = list(dict.fromkeys(cp.get("outlet") or "؟" for cp in q["copies"]))
            return out

        return JSON({"entity": eid, "by": once(by), "about": once(about)})

    # ---- search across quotes ----
    @api.get("/search/quotes", summary="Quotations whose words match the query (in the best-ranked articles)")
    def search_quotes(q: Annotated[str, Query(min_length=1, max_length=200, description="words to find")],
                      outlet: Text = None, since: DateParam = None, until: DateParam = None, story: Text = None,
                      limit: Annotated[int, Query(ge=1, le=50)] = 20):
        c = db()
        found = fts.search(c, q, QUOTE_ARTICLES, 0, outlet=outlet, since=since, until=until, story=story,
                           with_total=False)
        words = [w for s in found["searched"] for w in s.split()]
        ids = [r["id"] for r in found["results"]]
        if not ids:
            return JSON({"q": q, "quotes": [], "groups": []})
        marks = ",".join("?" * len(ids))
        rows = _rows(c.execute(
            f"SELECT q.article, q.start, q.end, q.text, q.direct, q.speaker, q.speaker_text, e.name AS speaker_name, "
            f"a.outlet, a.published FROM quotes q JOIN articles a ON a.id = q.article "
            f"LEFT JOIN entities e ON e.id = q.speaker WHERE q.article IN ({marks}) LIMIT 2000", ids))
        rank = {aid: i for i, aid in enumerate(ids)}
        hits = []
        for r in sorted(rows, key=lambda r: (rank[r["article"]], r["start"])):
            spans = fts.highlight_spans(r["text"], words)
            speaker_hit = fts.highlight_spans(r["speaker_name"] or r["speaker_text"] or "", words)
            if spans or speaker_hit:
                hits.append({**r, "highlights": [list(s) for s in spans]})
        info = {r["article"]: {"outlet": r["outlet"], "published": r["published"]} for r in hits}
        out = dedupe(hits)[:limit]
        for item in out:
            item["direct"] = bool(item["direct"])
            for cp in item["copies"]:
                cp.update(info.get(cp["article"], {}))
            item["outlets"] = list(dict.fromkeys(cp.get("outlet") or "؟" for cp in item["copies"]))
        return JSON({"q": q, "searched": found["searched"], "quotes": out})

    app.include_router(api)
    app.include_router(pics)
