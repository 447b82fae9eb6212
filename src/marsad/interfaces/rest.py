"""Read-only REST API and Arabic web UI over a v2 store: ``marsad serve --db marsad.db``.

A FastAPI application (OpenAPI at ``/docs`` and ``/openapi.json``). Start-up reads only the
store's ``meta`` table, and every endpoint is a bounded SQL query on the store (schema:
``marsad/store/schema.sql``), opened read-only (``mode=ro``, ``PRAGMA query_only``) with one
connection per worker thread. Lists are paged with ``limit`` (at most :data:`MAX_LIMIT`) and
``offset`` and give their ``total``:

    GET /api/health                      counts and schema version
    GET /api/stories?sort=size|recent&since=&until=&outlet=
    GET /api/stories/{id}                story, members, timeline/summary/claims/disagreements, reuse
    GET /api/articles?story=&outlet=&since=&until=&entity=
    GET /api/articles/{id}               text + mentions, quotes, numbers, dates, story, reuse
    GET /api/entities?type=PER|ORG|LOC&prefix=
    GET /api/entities/{id}               entity, its mentions (paged), quotes, stories
    GET /api/quotes?speaker=&story=
    GET /api/search?q=&outlet=&since=&until=&story=   ranked articles with highlighted snippets
    GET /api/report?story=&outlet=&since=&until=   the marsad.report/1 document, streamed
    GET /api/days, /api/stories/{id}/coverage|copies|quotes, /api/entities/{id}/timeline|related|quotes,
        /api/search/quotes, /charts/*.svg   what the web UI's pictures read (marsad.interfaces.rest_views)
    GET /  and  /static/{file}           the web UI (marsad/interfaces/web/)

Dates (``since``, ``until``) are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, both ends included.
Errors are JSON ``{"error": "..."}``: 404 unknown path or id, 400 unknown or repeated parameter
or unknown id in a filter, 422 invalid parameter value, 405 a method other than GET.
"""
from __future__ import annotations

import json
import mimetypes
import os
import sqlite3
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Iterable, Iterator, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from marsad.interfaces.titles import with_fallback_titles
from marsad.report import Selection, stream_report
from marsad.store import search as fts

WEB_DIR = Path(__file__).resolve().parent / "web"
JSON_TYPE = "application/json; charset=utf-8"
SCHEMA_VERSION = 2
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_OFFSET = 1_000_000
MAX_SEARCH_LIMIT, MAX_SEARCH_OFFSET = 50, 1000
FREQUENT_ENTITY = 200  # articles mentioning it, from which its article list walks the date index
COUNTS_CACHED = 4096  # list totals remembered per thread until the store changes
MEMBERS_SHOWN = 200  # members listed on a story page (the rest: /api/articles?story=)
CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"


class APIError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class StoreError(Exception):
    """The file is not a store this server can read."""


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class JSON(Response):
    media_type = JSON_TYPE

    def render(self, content: Any) -> bytes:
        return _dumps(content)


def error(status: int, message: str, headers: dict | None = None, **extra) -> JSON:
    return JSON({"error": message, **extra}, status_code=status, headers=headers)


# ---- the store --------------------------------------------------------------------------------

class Store:
    """Read-only access to a store file: one sqlite3 connection per thread, opened lazily."""

    def __init__(self, path: str):
        self.path = str(Path(path).resolve())
        self.uri = "file:" + quote(self.path) + "?mode=ro"
        self._local = threading.local()

    def connect(self, query_only: bool = True) -> sqlite3.Connection:
        """A read-only connection (``mode=ro``); `query_only` also refuses TEMP tables, which the
        streamed report needs for its selection."""
        db = sqlite3.connect(self.uri, uri=True, check_same_thread=False)
        if query_only:
            db.execute("PRAGMA query_only = 1")
        return db

    def conn(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self.connect()
        return db

    def count(self, sql: str, args: Iterable = ()) -> int:
        """``sql`` (a count) on this thread's connection, cached until another connection changes
        the file (`PRAGMA data_version`): paging through a list counts its total once."""
        db = self.conn()
        seen = db.execute("PRAGMA data_version").fetchone()[0]
        cache = getattr(self._local, "counts", None)
        if cache is None or cache[0] != seen or len(cache[1]) >= COUNTS_CACHED:
            cache = self._local.counts = (seen, {})
        key = (sql, *args)
        if key not in cache[1]:
            cache[1][key] = db.execute(sql, tuple(args)).fetchone()[0]
        return cache[1][key]

    def schema_version(self) -> int:
        try:
            db = self.connect()
        except sqlite3.Error as err:
            raise StoreError(f"cannot open {self.path}: {err}") from None
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError as err:  # no meta table: a version 1 store
            row = None if "no such table" in str(err) else err
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path} is not a marsad v{SCHEMA_VERSION} store ({err})") from None
        finally:
            db.close()
        if isinstance(row, Exception):
            raise StoreError(f"{self.path}: {row}")
        version = int(row[0]) if row and str(row[0]).isdigit() else 0
        if version < SCHEMA_VERSION:
            raise StoreError(f"{self.path} has store schema version {version or '1 (no meta table)'}; "
                             f"`marsad serve` reads version {SCHEMA_VERSION}: run `marsad migrate --db {self.path}`")
        return version


def _rows(cur: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _one(cur: sqlite3.Cursor) -> dict | None:
    rows = _rows(cur)
    return rows[0] if rows else None


def _loads(text: str | None, default: Any = None) -> Any:
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _item(row: dict) -> dict:
    """A layer row as the report has it: its columns plus the keys kept in `extra`."""
    extra = _loads(row.pop("extra", None), {}) or {}
    return {**row, **{k: v for k, v in extra.items() if k not in row}}


BRIEF = "a.id, a.title, a.outlet, a.author, a.published, a.wire, a.source, a.url"


def _brief(row: dict) -> dict:
    if "wire" in row:
        row["wire"] = _loads(row["wire"], [])
    return row


def _page(sql_total: str | None, store: Store, args: list, limit: int, offset: int,
          key: str, items: list) -> dict:
    total = store.count(sql_total, args) if sql_total else None
    return {"total": total, "limit": limit, "offset": offset, key: items}


def _date_filters(column_from: str, column_to: str, since: str | None, until: str | None) -> tuple[list, list]:
    sql, args = [], []
    if since:
        sql.append(f"{column_to} >= ?")
        args.append(since)
    if until:
        sql.append(f"{column_from} <= ? || '~'")  # until 2025-10 includes 2025-10-31
        args.append(until)
    return sql, args


def _where(conds: list[str]) -> str:
    return " WHERE " + " AND ".join(conds) if conds else ""


def _exists(db: sqlite3.Connection, table: str, ident: str, what: str) -> None:
    if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (ident,)).fetchone() is None:
        raise APIError(400, f"unknown {what} {ident!r}")


# ---- the report, streamed -------------------------------------------------------------------

def _day_end(until: str) -> str:
    """The last day a YYYY or YYYY-MM bound covers (the report compares full dates)."""
    return until + {4: "-12-31", 7: "-31"}.get(len(until), "")


def _chunks(pieces: Iterator[str], size: int = 1 << 16) -> Iterator[bytes]:
    buf, n = [], 0
    for p in pieces:
        buf.append(p)
        n += len(p)
        if n >= size:
            yield "".join(buf).encode("utf-8")
            buf, n = [], 0
    if buf:
        yield "".join(buf).encode("utf-8")


# ---- parameters -----------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size (1–{MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows skipped")]
DateParam = Annotated[str | None, Query(pattern=DATE_PATTERN, description="YYYY, YYYY-MM or YYYY-MM-DD")]
Ident = Annotated[str, PathParam(min_length=1, max_length=200)]
Text = Annotated[str | None, Query(min_length=1, max_length=200)]
EntityType = Literal["PER", "ORG", "LOC", "MISC"]


def _query_names(dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def check_params(request: Request) -> None:
    """400 for a query parameter the endpoint does not take, or one given twice."""
    route = request.scope.get("route")
    allowed = _query_names(route.dependant) if route is not None else set()
    keys = [k for k, _ in request.query_params.multi_items()]
    unknown = sorted(set(keys) - allowed)
    if unknown:
        raise APIError(400, f"unknown parameter(s): {', '.join(unknown)} "
                            f"(allowed: {', '.join(sorted(allowed)) or 'none'})")
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise APIError(400, f"parameter(s) given more than once: {', '.join(repeated)}")


# ---- the application ------------------------------------------------------------------------

class SecurityHeaders:
    """ASGI middleware: nosniff everywhere, no caching of API answers, a strict CSP on our pages."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")

        async def wrapped(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                if path.startswith("/api/"):
                    headers.append((b"cache-control", b"no-store"))
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html") and not path.startswith("/docs"):
                    headers.append((b"content-security-policy", CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, wrapped)


SERVE_DB_ENV = "MARSAD_SERVE_DB"  # the store a worker of `marsad serve --workers N` opens
SERVE_THREADS_ENV = "MARSAD_SERVE_THREADS"  # and its request threads


def app_from_env() -> FastAPI:
    """The application for a server worker process (uvicorn factory)."""
    threads = os.environ.get(SERVE_THREADS_ENV)
    return make_app(os.environ[SERVE_DB_ENV], request_threads=int(threads) if threads else None)


def _thread_limit(threads: int):
    """Lifespan that caps the threads running the (synchronous) endpoints of one server process.

    A process runs Python on one core at a time (the GIL); anyio's default of 40 threads lets
    every queued request interleave with the others, so each waits for all of them: with a few
    threads they queue instead, and the tail latency falls (bench/serve.py, docs/benchmarks.md)."""
    @asynccontextmanager
    async def lifespan(app):
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan


def make_app(db_path: str, request_threads: int | None = None) -> FastAPI:
    """The ASGI application serving the store at ``db_path`` read-only (raises StoreError);
    ``request_threads`` caps the threads running endpoints (the server must run the lifespan)."""
    store = Store(db_path)
    version = store.schema_version()  # the only read at start-up: one row of `meta`
    app = FastAPI(title="Marsad", version="2", default_response_class=JSON,
                  lifespan=_thread_limit(request_threads) if request_threads else None,
                  description="Read-only API over a Marsad store (Arabic news observatory).")
    app.state.store = store
    api = APIRouter(prefix="/api", dependencies=[Depends(check_params)])

    @app.exception_handler(APIError)
    async def _api_error(request, exc: APIError):
        return error(exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request, exc: RequestValidationError):
        problems = [f"{'.'.join(str(x) for x in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
                    for e in exc.errors()]
        return error(422, "; ".join(problems) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        message = {404: f"no such path: {request.url.path}",
                   405: f"method {request.method} not allowed (read-only API: GET)"}.get(exc.status_code, exc.detail)
        return error(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _failed(request, exc: Exception):  # a failing request must not stop the server
        return error(500, f"{type(exc).__name__}: {exc}")

    def db() -> sqlite3.Connection:
        return store.conn()

    # ---- health ----
    @api.get("/health", summary="Store counts and schema version")
    def health():
        articles, stories, entities = (store.count(f"SELECT count(*) FROM {t}") for t in ("articles", "stories", "entities"))
        return JSON({"status": "ok", "schema_version": version, "articles": articles, "stories": stories,
                     "entities": entities})

    # ---- stories ----
    @api.get("/stories", summary="Stories, largest or most recent first")
    def stories(sort: Literal["size", "recent"] = "size", since: DateParam = None, until: DateParam = None,
                outlet: Text = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
        # by an outlet: its rows of story_outlets (which copy size and dates), not its articles
        t = "o" if outlet else "s"
        conds, args = _date_filters(f"{t}.first_published", f"{t}.last_published", since, until)
        source = "stories s"
        if outlet:
            source = "story_outlets o JOIN stories s ON s.id = o.story"
            conds.insert(0, "o.outlet = ?")
            args.insert(0, outlet)
        order = (f"{t}.size DESC, {t}.last_published DESC" if sort == "size"
                 else f"{t}.last_published DESC, {t}.size DESC")
        c = db()
        rows = _rows(c.execute(
            f"SELECT s.id, s.title, s.size, s.outlets, s.first_published, s.last_published, s.updated_at "
            f"FROM {source}{_where(conds)} ORDER BY {order} LIMIT ? OFFSET ?", (*args, limit, offset)))
        counted = "story_outlets o" if outlet else "stories s"
        return JSON(_page(f"SELECT count(*) FROM {counted}{_where(conds)}", store, args, limit, offset, "stories", rows))

    @api.get("/stories/{story_id}", summary="A story: members, timeline, summary, claims, disagreements, reuse")
    def story(story_id: Ident):
        c = db()
        s = _one(c.execute(
            "SELECT s.id, s.title, s.size, s.outlets, s.first_published, s.last_published, s.updated_at, s.dirty, "
            "v.timeline, v.summary, v.claims, v.disagreements, v.computed_at "
            "FROM stories s LEFT JOIN story_views v ON v.story = s.id WHERE s.id = ?", (story_id,)))
        if s is None:
            merged = c.execute("SELECT new FROM story_merges WHERE old = ?", (story_id,)).fetchone()
            raise APIError(404, f"no story {story_id!r}" + (f" (merged into {merged[0]!r})" if merged else ""))
        for k in ("timeline", "summary", "claims", "disagreements"):
            s[k] = _loads(s[k], [])
        s["dirty"] = bool(s["dirty"])
        s["members"] = [_brief(r) for r in _rows(c.execute(
            f"SELECT {BRIEF}, m.pos FROM story_members m JOIN articles a ON a.id = m.article "
            f"WHERE m.story = ? ORDER BY m.pos LIMIT ?", (story_id, MEMBERS_SHOWN)))]
        with_fallback_titles(c, s["members"])
        s["members_total"] = s["size"]
        s["outlet_names"] = [r[0] for r in c.execute(
            "SELECT a.outlet FROM story_members m JOIN articles a ON a.id = m.article "
            "WHERE m.story = ? AND a.outlet IS NOT NULL GROUP BY a.outlet ORDER BY count(*) DESC LIMIT 50",
            (story_id,))]
        s["reuse"] = [{**r, "passages": _loads(r["passages"], [])} for r in _rows(c.execute(
            "SELECT r.a, r.b, r.kind, r.shared_chars, r.agency, r.passages FROM story_members m "
            "JOIN reuse_pairs r ON r.a = m.article JOIN story_members m2 ON m2.article = r.b AND m2.story = m.story "
            "WHERE m.story = ? LIMIT 500", (story_id,)))]
        return JSON(s)

    # ---- articles ----
    @api.get("/articles", summary="Articles, newest first (by position in a story with story=)")
    def articles(story: Text = None, outlet: Text = None, since: DateParam = None, until: DateParam = None,
                 entity: Text = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
        c = db()
        conds, args = _date_filters("a.published", "a.published", since, until)
        join, order = "", "a.published DESC, a.seq DESC"
        if story:
            _exists(c, "stories", story, "story")
            join, order = " JOIN story_members m ON m.article = a.id AND m.story = ?", "m.pos"
            args.insert(0, story)
        if outlet:
            conds.append("a.outlet = ?")
            args.append(outlet)
        listed = counted = conds
        if entity:
            row = c.execute("SELECT articles FROM entities WHERE id = ?", (entity,)).fetchone()
            if row is None:
                raise APIError(400, f"unknown entity {entity!r}")
            counted = conds + ["a.id IN (SELECT article FROM mentions WHERE entity = ?)"]
            # the same condition, another plan: a frequent entity's newest articles are found by
            # walking the date index (a few rows), not by sorting all of its articles
            many = row[0] >= FREQUENT_ENTITY
            listed = (conds + ["EXISTS (SELECT 1 FROM mentions me WHERE me.entity = ? AND me.article = a.id)"]
                      if many and not story else counted)
            args.append(entity)
        rows = _rows(c.execute(
            f"SELECT {BRIEF}, (SELECT story FROM story_members WHERE article = a.id) AS story "
            f"FROM articles a{join}{_where(listed)} ORDER BY {order} LIMIT ? OFFSET ?", (*args, limit, offset)))
        return JSON(_page(f"SELECT count(*) FROM articles a{join}{_where(counted)}", store, args, limit, offset,
                          "articles", with_fallback_titles(c, [_brief(r) for r in rows])))

    @api.get("/articles/{article_id}", summary="An article with its layers (entity ids and names)")
    def article(article_id: Ident):
        c = db()
        a = _one(c.execute(
            "SELECT id, source, source_id, url, title, outlet, author, published, published_source, language, "
            "wire, removed, text, added_at FROM articles WHERE id = ?", (article_id,)))
        if a is None:
            raise APIError(404, f"no article {article_id!r}")
        a["wire"], a["removed"] = _loads(a["wire"], []), _loads(a["removed"], [])
        a["mentions"] = [_item(r) for r in _rows(c.execute(
            "SELECT m.start, m.end, m.type, m.text, m.entity, e.name AS entity_name, m.extra FROM mentions m "
            "LEFT JOIN entities e ON e.id = m.entity WHERE m.article = ? ORDER BY m.idx", (article_id,)))]
        a["quotes"] = [{**q, "direct": bool(q["direct"])} for q in (_item(r) for r in _rows(c.execute(
            "SELECT q.start, q.end, q.text, q.direct, q.speaker_text, q.speaker_mention, q.speaker, "
            "e.name AS speaker_name, q.extra FROM quotes q LEFT JOIN entities e ON e.id = q.speaker "
            "WHERE q.article = ? ORDER BY q.idx", (article_id,))))]
        a["numbers"] = [_item(r) for r in _rows(c.execute(
            "SELECT start, end, text, value, unit, extra FROM numbers WHERE article = ? ORDER BY idx", (article_id,)))]
        a["dates"] = [_item(r) for r in _rows(c.execute(
            "SELECT start, end, text, date, extra FROM dates WHERE article = ? ORDER BY idx", (article_id,)))]
        row = c.execute("SELECT story FROM story_members WHERE article = ?", (article_id,)).fetchone()
        a["story"] = row[0] if row else None
        reuse = _rows(c.execute(
            f"SELECT r.a, r.b, r.kind, r.shared_chars, r.agency, r.passages, {BRIEF} FROM "
            f"(SELECT *, b AS other FROM reuse_pairs WHERE a = ?1 UNION ALL "
            f" SELECT *, a AS other FROM reuse_pairs WHERE b = ?1 LIMIT 200) r "
            f"JOIN articles a ON a.id = r.other", (article_id,)))
        a["reuse"] = [{"a": r["a"], "b": r["b"], "kind": r["kind"], "shared_chars": r["shared_chars"],
                       "agency": r["agency"], "passages": _loads(r["passages"], []),
                       "other": _brief({k: r[k] for k in ("id", "title", "outlet", "author", "published", "wire",
                                                          "source", "url")})} for r in reuse]
        return JSON(a)

    # ---- entities ----
    ENTITY_COLS = ("e.id, e.type, e.name, e.latin, e.variants, e.roles, e.mentions, e.articles, "
                   "e.first_published, e.last_published")

    def _entity(r: dict) -> dict:
        r["variants"], r["roles"] = _loads(r["variants"], []), _loads(r["roles"], [])
        return r

    @api.get("/entities", summary="Entities, most mentioned first; filter by type and name/variant prefix")
    def entities(type: EntityType | None = None, prefix: Text = None,
                 q: Annotated[str | None, Query(min_length=1, max_length=200, description="alias of prefix")] = None,
                 limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
        where, args = fts.entity_filter(prefix or q, type)
        c = db()
        rows = _rows(c.execute(f"SELECT {ENTITY_COLS} FROM entities e WHERE 1{where} "
                               f"ORDER BY e.mentions DESC LIMIT ? OFFSET ?", (*args, limit, offset)))
        return JSON(_page(f"SELECT count(*) FROM entities e WHERE 1{where}", store, args, limit, offset,
                          "entities", [_entity(r) for r in rows]))

    @api.get("/entities/{entity_id}", summary="An entity: its mentions (paged), quotes and stories")
    def entity(entity_id: Ident, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
        c = db()
        e = _one(c.execute(f"SELECT {ENTITY_COLS} FROM entities e WHERE e.id = ?", (entity_id,)))
        merged_from = None
        if e is None:  # an id merged away: follow the merges (a few hops at most)
            new = entity_id
            for _ in range(8):
                row = c.execute("SELECT new FROM entity_merges WHERE old = ?", (new,)).fetchone()
                if row is None:
                    break
                new = row[0]
            if new != entity_id:
                e, merged_from = _one(c.execute(f"SELECT {ENTITY_COLS} FROM entities e WHERE e.id = ?", (new,))), entity_id
            if e is None:
                raise APIError(404, f"no entity {entity_id!r}")
        eid = e["id"]
        _entity(e)
        e["merged_from"] = merged_from
        e["mention_list"] = _page(None, store, [], limit, offset, "items", [_brief(r) for r in _rows(c.execute(
            f"SELECT m.article, m.start, m.end, m.text, {BRIEF} FROM "
            f"(SELECT article, start, end, text FROM mentions WHERE entity = ? ORDER BY article, start "
            f"LIMIT ? OFFSET ?) m JOIN articles a ON a.id = m.article", (eid, limit, offset)))])
        e["mention_list"]["total"] = e["mentions"]
        with_fallback_titles(c, e["mention_list"]["items"], key="article")
        e["quotes"] = [{**q, "direct": bool(q["direct"])} for q in (_item(r) for r in _rows(c.execute(
            "SELECT q.article, q.start, q.end, q.text, q.direct, q.speaker_text, q.extra, a.title, a.outlet, "
            "a.published FROM (SELECT * FROM quotes WHERE speaker = ? LIMIT 50) q "
            "JOIN articles a ON a.id = q.article", (eid,))))]
        e["quotes_total"] = c.execute("SELECT count(*) FROM quotes WHERE speaker = ?", (eid,)).fetchone()[0]
        e["stories"] = _rows(c.execute(
            "SELECT s.id, s.title, s.size, s.first_published, s.last_published, x.articles AS articles_with_entity "
            "FROM entity_stories x JOIN stories s ON s.id = x.story WHERE x.entity = ? "
            "ORDER BY x.articles DESC, s.size DESC LIMIT 50", (eid,)))
        return JSON(e)

    # ---- quotes ----
    @api.get("/quotes", summary="Quotes, by speaker (entity id) and/or story")
    def quotes(speaker: Text = None, story: Text = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
        c = db()
        conds, args = [], []
        if speaker:
            _exists(c, "entities", speaker, "speaker")
            conds.append("q.speaker = ?")
            args.append(speaker)
        if story:
            _exists(c, "stories", story, "story")
            conds.append("q.article IN (SELECT article FROM story_members WHERE story = ?)")
            args.append(story)
        rows = _rows(c.execute(
            f"SELECT q.article, q.start, q.end, q.text, q.direct, q.speaker_text, q.speaker, q.extra, "
            f"e.name AS speaker_name, a.title, a.outlet, a.published FROM "
            f"(SELECT * FROM quotes q{_where(conds)} ORDER BY q.article, q.idx LIMIT ? OFFSET ?) q "
            f"JOIN articles a ON a.id = q.article LEFT JOIN entities e ON e.id = q.speaker",
            (*args, limit, offset)))
        items = with_fallback_titles(c, [{**q, "direct": bool(q["direct"])} for q in map(_item, rows)], key="article")
        return JSON(_page(f"SELECT count(*) FROM quotes q{_where(conds)}", store, args, limit, offset, "quotes", items))

    # ---- search ----
    @api.get("/search", summary="Full-text search: ranked articles with highlighted snippets")
    def search(q: Annotated[str, Query(min_length=1, max_length=200, description="words to find")],
               outlet: Text = None, since: DateParam = None, until: DateParam = None, story: Text = None,
               limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_LIMIT)] = 20,
               offset: Annotated[int, Query(ge=0, le=MAX_SEARCH_OFFSET)] = 0):
        c = db()
        found = fts.search(c, q, limit, offset, outlet=outlet, since=since, until=until, story=story)
        with_fallback_titles(c, found["results"])
        ents = fts.search_entities(c, q, limit=5) if offset == 0 else []
        speakers = list(dict.fromkeys(found["entities"] + [e["id"] for e in ents if e["type"] == "PER"]))[:5]
        said = []
        if speakers and offset == 0:
            marks = ",".join("?" * len(speakers))
            said = [{**q_, "direct": bool(q_["direct"])} for q_ in map(_item, _rows(c.execute(
                f"SELECT q.article, q.start, q.end, q.text, q.direct, q.speaker, e.name AS speaker_name, q.extra "
                f"FROM (SELECT * FROM quotes WHERE speaker IN ({marks}) LIMIT 5) q "
                f"JOIN entities e ON e.id = q.speaker", speakers)))]
        return JSON({"q": q, "total": found["total"], "total_exact": found["total_exact"], "limit": limit,
                     "offset": offset, "searched": found["searched"], "results": found["results"],
                     "entities": ents, "quotes": said})

    # ---- report ----
    @api.get("/report", summary="The marsad.report/1 document (streamed), of the whole store or a selection",
             response_class=StreamingResponse)
    def report(story: Text = None, outlet: Text = None, since: DateParam = None, until: DateParam = None):
        conn = store.connect(query_only=False)  # its own connection (mode=ro): the stream outlives this call
        sel = Selection(story=story, outlet=outlet, since=since, until=until and _day_end(until))

        def body():
            try:
                yield from _chunks(stream_report(conn, sel))
            finally:
                conn.close()

        return StreamingResponse(body(), media_type=JSON_TYPE,
                                 headers={"Content-Disposition": 'inline; filename="marsad-report.json"'})

    app.include_router(api)
    from marsad.interfaces.rest_views import add_routes  # it imports this module: loaded here
    add_routes(app, db)

    @app.api_route("/api/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def no_endpoint(rest: str):
        raise APIError(404, f"no such endpoint: /api/{rest}")

    # ---- web UI ----
    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    @app.api_route("/index.html", methods=["GET", "HEAD"], include_in_schema=False)
    def index():
        return _static("index.html")

    @app.api_route("/static/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def static(name: str):
        return _static(name)

    app.add_middleware(SecurityHeaders)
    return app


def _static(name: str) -> Response:
    """A file of the web UI; anything outside WEB_DIR (or missing) is a 404."""
    try:
        target = (WEB_DIR / name).resolve()
        found = WEB_DIR in target.parents and target.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        raise APIError(404, f"no such file: /static/{name}" if name != "index.html" else "no web UI")
    ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
        ctype += "; charset=utf-8"
    return Response(target.read_bytes(), media_type=ctype, headers={"Cache-Control": "no-cache"})
