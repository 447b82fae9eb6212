"""Read-only REST API and Arabic web UI over a store: ``marsad serve --db marsad.db``.

A plain WSGI application (standard library only). The report is built by
:func:`marsad.interfaces.api.report_for`, once per store state (it is rebuilt when the store's
article count changes), and every endpoint answers from that report plus the stored articles'
mention layers:

    GET /api/health                      {"status": "ok", "articles": N}
    GET /api/report                      the marsad.report/1 report of the whole store
    GET /api/stories                     [{id, title, articles, outlets, first_date, last_date}]
    GET /api/stories/{id}                the report's story + its members and reuse pairs
    GET /api/articles?story=&outlet=&q=&limit=&offset=
    GET /api/articles/{id}               the article with mentions, quotes, numbers, dates
    GET /api/entities?type=PER|ORG|LOC&q=
    GET /api/entities/{id}
    GET /  and  /static/{file}           the web UI (marsad/interfaces/web/)

Errors are JSON ``{"error": "..."}``: 404 unknown path or id, 400 bad parameter, 405 a
method other than GET/HEAD.
"""
from __future__ import annotations

import json
import mimetypes
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, unquote

from marsad.interfaces.api import report_for
from marsad.store.sqlite import SQLiteStore
from marsad.text.normalize import normalize

WEB_DIR = Path(__file__).resolve().parent / "web"
JSON_TYPE = "application/json; charset=utf-8"
ENTITY_TYPES = ("PER", "ORG", "LOC")
DEFAULT_LIMIT, MAX_LIMIT = 50, 1000
CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


class HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


STATUS_TEXT = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
               500: "Internal Server Error"}


@dataclass
class Snapshot:
    """The report of one store state, with the indexes the endpoints need."""

    count: int
    report: dict[str, Any]
    body: bytes  # the report as served by /api/report
    articles: dict[str, dict] = field(default_factory=dict)
    stories: dict[str, dict] = field(default_factory=dict)
    story_of: dict[str, str] = field(default_factory=dict)
    entities: dict[str, dict] = field(default_factory=dict)
    entity_at: dict[tuple[str, int, int], str] = field(default_factory=dict)  # (article, start, end) -> entity
    search_key: dict[str, str] = field(default_factory=dict)  # article id -> normalised title + text
    layers: dict[str, dict[str, list]] = field(default_factory=dict)  # article id -> quotes/numbers/dates

    @classmethod
    def build(cls, count: int, report: dict[str, Any]) -> "Snapshot":
        snap = cls(count=count, report=report, body=_dumps(report))
        snap.articles = {a["id"]: a for a in report["articles"]}
        snap.stories = {s["id"]: s for s in report["stories"]}
        for s in report["stories"]:
            for aid in s["articles"]:
                snap.story_of.setdefault(aid, s["id"])
        snap.entities = {e["id"]: e for e in report["entities"]}
        for e in report["entities"]:
            for m in e["mentions"]:
                snap.entity_at[(m["article"], m["start"], m["end"])] = e["id"]
        for a in report["articles"]:
            snap.search_key[a["id"]] = normalize((a.get("title") or "") + "\n" + a["text"])
            snap.layers[a["id"]] = {"quotes": [], "numbers": [], "dates": []}
        for layer in ("quotes", "numbers", "dates"):
            for item in report[layer]:
                if item["article"] in snap.layers:
                    snap.layers[item["article"]][layer].append(item)
        return snap


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _brief(a: dict) -> dict:
    """An article as listed: no text, no layers."""
    return {k: a.get(k) for k in ("id", "title", "outlet", "author", "published", "wire", "source", "url")}


def _dates(articles: Iterable[dict]) -> list[str]:
    return sorted(a["published"] for a in articles if a.get("published"))


class App:
    """The WSGI application; ``App(db_path)`` is callable as ``app(environ, start_response)``."""

    def __init__(self, db_path: str):
        self.db_path = db_path
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self.routes: list[tuple[str, Callable]] = [
            ("/api/health", self.health),
            ("/api/report", self.report),
            ("/api/stories", self.stories),
            ("/api/stories/", self.story),
            ("/api/articles", self.articles),
            ("/api/articles/", self.article),
            ("/api/entities", self.entities),
            ("/api/entities/", self.entity),
        ]

    # ---- store and cached report ----
    def _store(self) -> SQLiteStore:
        # One connection per request: sqlite3 connections are bound to their thread.
        return SQLiteStore(self.db_path)

    def count(self) -> int:
        with self._store() as store:
            return store.count()

    def snapshot(self) -> Snapshot:
        """The cached report, rebuilt when the number of stored articles has changed."""
        count = self.count()
        snap = self._snapshot
        if snap is not None and snap.count == count:
            return snap
        with self._lock:
            snap = self._snapshot
            if snap is not None and snap.count == count:
                return snap
            with self._store() as store:
                count = store.count()
                report = report_for(store)
            self._snapshot = Snapshot.build(count, report)
            return self._snapshot

    def warm(self) -> None:
        """Build the report ahead of the first request that needs it."""
        self.snapshot()

    # ---- WSGI ----
    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "") or "/"
        try:
            if method not in ("GET", "HEAD"):
                raise HTTPError(405, f"method {method} not allowed (read-only API: GET)")
            query = self._query(environ.get("QUERY_STRING", ""))
            if path == "/api" or path.startswith("/api/"):
                status, body, ctype = 200, _dumps_or_bytes(self._route(path, query)), JSON_TYPE
                headers = [("Cache-Control", "no-store")]
            else:
                body, ctype = self._static(path)
                status, headers = 200, [("Cache-Control", "no-cache")]
        except HTTPError as err:
            status, body, ctype = err.status, _dumps({"error": err.message}), JSON_TYPE
            headers = [("Allow", "GET, HEAD")] if err.status == 405 else []
        except Exception as err:  # noqa: BLE001 - a failing request must not stop the server
            status, body, ctype = 500, _dumps({"error": f"{type(err).__name__}: {err}"}), JSON_TYPE
            headers = []
        headers += [
            ("Content-Type", ctype),
            ("Content-Length", str(len(body))),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if ctype.startswith("text/html"):
            headers.append(("Content-Security-Policy", CSP))
        start_response(f"{status} {STATUS_TEXT.get(status, '')}".strip(), headers)
        return [b""] if method == "HEAD" else [body]

    @staticmethod
    def _query(qs: str) -> dict[str, str]:
        try:
            parsed = parse_qs(qs, keep_blank_values=True, strict_parsing=False, encoding="utf-8",
                              errors="strict")
        except UnicodeDecodeError:
            raise HTTPError(400, "query string is not valid UTF-8")
        out = {}
        for key, values in parsed.items():
            if len(values) > 1:
                raise HTTPError(400, f"parameter {key!r} given more than once")
            out[key] = values[0]
        return out

    def _route(self, path: str, query: dict[str, str]):
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        for prefix, handler in self.routes:
            if prefix.endswith("/"):
                if path.startswith(prefix) and "/" not in path[len(prefix):] and path[len(prefix):]:
                    return handler(query, unquote(path[len(prefix):]))
            elif path == prefix:
                return handler(query)
        raise HTTPError(404, f"no such endpoint: {path}")

    @staticmethod
    def _params(query: dict[str, str], allowed: tuple[str, ...]) -> None:
        unknown = sorted(set(query) - set(allowed))
        if unknown:
            allowed_text = ", ".join(allowed) if allowed else "none"
            raise HTTPError(400, f"unknown parameter(s): {', '.join(unknown)} (allowed: {allowed_text})")

    @staticmethod
    def _int(query: dict[str, str], name: str, default: int, maximum: int | None = None) -> int:
        raw = query.get(name, "")
        if raw == "":
            return default
        if not raw.isascii() or not raw.isdigit():
            raise HTTPError(400, f"{name} must be a non-negative integer, not {raw!r}")
        value = int(raw)
        if maximum is not None and value > maximum:
            raise HTTPError(400, f"{name} must be at most {maximum}")
        return value

    # ---- endpoints ----
    def health(self, query):
        self._params(query, ())
        return {"status": "ok", "articles": self.count()}

    def report(self, query):
        self._params(query, ())
        return self.snapshot().body

    def _story_row(self, snap: Snapshot, story: dict) -> dict:
        members = [snap.articles[i] for i in story["articles"] if i in snap.articles]
        dates = _dates(members) or sorted(t["date"] for t in story["timeline"])
        outlets = list(dict.fromkeys(a["outlet"] for a in members if a.get("outlet")))
        return {
            "id": story["id"],
            "title": story["title"],
            "articles": len(story["articles"]),
            "outlets": outlets,
            "first_date": dates[0] if dates else None,
            "last_date": dates[-1] if dates else None,
        }

    def stories(self, query):
        self._params(query, ())
        snap = self.snapshot()
        rows = [self._story_row(snap, s) for s in snap.report["stories"]]
        rows.sort(key=lambda r: r["last_date"] or "", reverse=True)
        return {"stories": rows}

    def story(self, query, story_id):
        self._params(query, ())
        snap = self.snapshot()
        story = snap.stories.get(story_id)
        if story is None:
            raise HTTPError(404, f"no story {story_id!r}")
        members = set(story["articles"])
        return {
            **story,
            **{k: v for k, v in self._story_row(snap, story).items() if k in ("outlets", "first_date", "last_date")},
            "members": [_brief(snap.articles[i]) for i in story["articles"] if i in snap.articles],
            "reuse": [p for p in snap.report["reuse"] if p["a"] in members and p["b"] in members],
        }

    def articles(self, query):
        self._params(query, ("story", "outlet", "q", "limit", "offset"))
        limit = self._int(query, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        offset = self._int(query, "offset", 0)
        snap = self.snapshot()
        rows = snap.report["articles"]
        if query.get("story"):
            story = snap.stories.get(query["story"])
            if story is None:
                raise HTTPError(400, f"unknown story {query['story']!r}")
            wanted = set(story["articles"])
            rows = [a for a in rows if a["id"] in wanted]
        if query.get("outlet"):
            outlet = normalize(query["outlet"])
            rows = [a for a in rows if normalize(a.get("outlet") or "") == outlet]
        if query.get("q", "").strip():
            key = normalize(query["q"])
            rows = [a for a in rows if key in snap.search_key[a["id"]]]
        page = rows[offset:offset + limit]
        return {
            "total": len(rows),
            "limit": limit,
            "offset": offset,
            "articles": [{**_brief(a), "story": snap.story_of.get(a["id"])} for a in page],
        }

    def article(self, query, article_id):
        self._params(query, ())
        snap = self.snapshot()
        a = snap.articles.get(article_id)
        if a is None:
            raise HTTPError(404, f"no article {article_id!r}")
        with self._store() as store:
            stored = store.get(article_id)
        mentions = []
        for m in stored.mentions if stored is not None else []:
            entity = snap.entity_at.get((article_id, m["start"], m["end"])) or m.get("entity")
            mentions.append({
                **m,
                "entity": entity,
                "entity_name": snap.entities[entity]["name"] if entity in snap.entities else None,
            })
        quotes = [
            {**q, "speaker_name": snap.entities[q["speaker"]]["name"] if q.get("speaker") in snap.entities else None}
            for q in snap.layers[article_id]["quotes"]
        ]
        return {
            **a,
            "story": snap.story_of.get(article_id),
            "mentions": mentions,
            "quotes": quotes,
            "numbers": snap.layers[article_id]["numbers"],
            "dates": snap.layers[article_id]["dates"],
            "reuse": [  # pairs sharing text with this article, naming the other article
                {**p, "other": _brief(snap.articles[o]) if o in snap.articles else {"id": o}}
                for p in snap.report["reuse"] if article_id in (p["a"], p["b"])
                for o in [p["b"] if p["a"] == article_id else p["a"]]
            ],
        }

    @staticmethod
    def _entity_row(e: dict) -> dict:
        return {
            "id": e["id"],
            "type": e["type"],
            "name": e["name"],
            "latin": e.get("latin"),
            "variants": e.get("variants", []),
            "roles": e.get("roles", []),
            "mentions": len(e["mentions"]),
            "articles": len({m["article"] for m in e["mentions"]}),
        }

    def entities(self, query):
        self._params(query, ("type", "q"))
        kind = query.get("type", "").upper()
        if kind and kind not in ENTITY_TYPES:
            raise HTTPError(400, f"type must be one of {', '.join(ENTITY_TYPES)}, not {query['type']!r}")
        snap = self.snapshot()
        rows = snap.report["entities"]
        if kind:
            rows = [e for e in rows if e["type"] == kind]
        if query.get("q", "").strip():
            key = normalize(query["q"])
            rows = [
                e for e in rows
                if any(key in normalize(s) for s in [e["name"], e.get("latin") or "", *e.get("variants", [])])
            ]
        out = [self._entity_row(e) for e in rows]
        out.sort(key=lambda r: -r["mentions"])
        return {"total": len(out), "entities": out}

    def entity(self, query, entity_id):
        self._params(query, ())
        snap = self.snapshot()
        e = snap.entities.get(entity_id)
        if e is None:
            raise HTTPError(404, f"no entity {entity_id!r}")
        by_article: dict[str, int] = {}
        for m in e["mentions"]:
            by_article[m["article"]] = by_article.get(m["article"], 0) + 1
        return {
            **e,
            "articles": [
                {**_brief(snap.articles[i]), "mentions": n, "story": snap.story_of.get(i)}
                for i, n in by_article.items() if i in snap.articles
            ],
            "quotes": [q for q in snap.report["quotes"] if q.get("speaker") == entity_id],
        }

    # ---- web UI ----
    def _static(self, path: str) -> tuple[bytes, str]:
        if path in ("/", "/index.html"):
            name = "index.html"
        elif path.startswith("/static/"):
            name = unquote(path[len("/static/"):])
        else:
            raise HTTPError(404, f"no such page: {path}")
        target = (WEB_DIR / name).resolve()
        if WEB_DIR not in target.parents or not target.is_file():
            raise HTTPError(404, f"no such file: {path}")
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        return target.read_bytes(), ctype


def _dumps_or_bytes(obj: Any) -> bytes:
    return obj if isinstance(obj, bytes) else _dumps(obj)


def make_app(db_path: str) -> App:
    """The WSGI application serving the store at ``db_path``."""
    return App(db_path)


def make_server(app: App, host: str = "127.0.0.1", port: int = 8000, quiet: bool = False):
    """A threading ``wsgiref`` server for ``app`` (port 0 picks a free port)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server as _make

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Handler(WSGIRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
            if not quiet:
                super().log_message(format, *args)

    return _make(host, port, app, server_class=Server, handler_class=Handler)
