"""The REST API and web UI (`marsad serve`) over a store of the bundled examples."""
import json
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import jsonschema
import pytest

from marsad.doc import Article
from marsad.interfaces.api import ingest
from marsad.interfaces.rest import make_app
from marsad.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXPECTED = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("rest") / "marsad.db")
    with SQLiteStore(path) as store:
        result = ingest([str(EXAMPLES / "corpus")], store)
    assert not result.errors and len(result.ids) == EXPECTED["totals"]["articles"]
    return path


@pytest.fixture(scope="module")
def app(db):
    return make_app(db)


def call(app, path, query="", method="GET"):
    """Call the WSGI app directly; returns (status code, headers, body bytes)."""
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": method}
    setup_testing_defaults(environ)
    got = {}

    def start_response(status, headers):
        got["status"], got["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(app(environ, start_response))
    assert int(got["headers"]["Content-Length"]) == len(body) or method == "HEAD"
    return got["status"], got["headers"], body


def get(app, path, status=200, **params):
    code, headers, body = call(app, path, urlencode(params))
    assert code == status, body.decode("utf-8")
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(body.decode("utf-8"))


@pytest.fixture(scope="module")
def key_of(app):
    """Article id -> the name expected.json gives it (titles are unique in the examples)."""
    by_title = {e["title"]: k for k, e in EXPECTED["articles"].items()}
    return {a["id"]: by_title[a["title"]] for a in get(app, "/api/articles", limit=100)["articles"]}


def test_health_counts_the_stored_articles(app):
    assert get(app, "/api/health") == {"status": "ok", "articles": 8}


def test_report_is_valid_cached_and_utf8(app, report_schema):
    code, headers, body = call(app, "/api/report")
    assert code == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
    assert "بوابة المدار".encode("utf-8") in body  # ensure_ascii=False: no \\u escapes
    report = json.loads(body.decode("utf-8"))
    jsonschema.validate(report, report_schema)
    assert len(report["articles"]) == 8 and len(report["stories"]) == 3
    snapshot = app.snapshot()
    assert call(app, "/api/report")[2] == body and app.snapshot() is snapshot  # not recomputed


def test_story_list_has_the_example_stories(app, key_of):
    stories = get(app, "/api/stories")["stories"]
    assert len(stories) == 3
    expected_sizes = sorted(len(s["members"]) for s in EXPECTED["stories"].values())
    assert sorted(s["articles"] for s in stories) == expected_sizes
    by_size = {s["articles"]: s for s in stories}
    c = by_size[2]  # story C: Beirut memorandum, 2025-10-14 and -15
    assert (c["first_date"], c["last_date"]) == ("2025-10-14", "2025-10-15")
    assert set(c["outlets"]) == {"الأفق الجديد", "شبكة الساحل الإخبارية"}
    assert all(s["title"] and s["outlets"] for s in stories)


def test_story_page_members_summary_and_syndicated_pair(app, key_of):
    stories = get(app, "/api/stories")["stories"]
    pages = [get(app, f"/api/stories/{s['id']}") for s in stories]
    got = sorted(sorted(key_of[m["id"]] for m in p["members"]) for p in pages)
    assert got == sorted(sorted(s["members"]) for s in EXPECTED["stories"].values())
    story_a = next(p for p in pages if "a3_alofuq_geneva.txt" in {key_of[m["id"]] for m in p["members"]})
    assert [m["id"] for m in story_a["members"]] == story_a["articles"]
    assert story_a["summary"] and all(set(x["articles"]) <= set(story_a["articles"]) for x in story_a["summary"])
    assert any(c["independent_sources"] >= 2 for c in story_a["claims"])
    assert story_a["disagreements"]
    pair = EXPECTED["syndication"]["pairs"][0]
    syndicated = [p for p in story_a["reuse"] if p["kind"] == "syndicated"]
    assert [sorted([key_of[p["a"]], key_of[p["b"]]]) for p in syndicated] == [sorted(pair["articles"])]
    assert syndicated[0]["agency"] == pair["agency"]


def test_article_filters_and_paging(app, key_of):
    everything = get(app, "/api/articles")
    assert everything["total"] == 8 and len(everything["articles"]) == 8
    story = get(app, "/api/stories")["stories"][0]
    in_story = get(app, "/api/articles", story=story["id"])
    assert {a["id"] for a in in_story["articles"]} == set(get(app, f"/api/stories/{story['id']}")["articles"])
    almadar = get(app, "/api/articles", outlet="بوابة المدار")["articles"]
    assert sorted(key_of[a["id"]] for a in almadar) == ["a1_almadar_afp.txt", "b2_almadar_sokhna.txt"]
    # normalised search: no diacritics in the query, "اختُتمت" in a1's text; hamza-less alef
    hits = get(app, "/api/articles", q="اختتمت")["articles"]
    assert "a1_almadar_afp.txt" in {key_of[a["id"]] for a in hits}
    assert {key_of[a["id"]] for a in get(app, "/api/articles", q="اندرياس")["articles"]} >= {"a3_alofuq_geneva.txt"}
    assert get(app, "/api/articles", q="لا يوجد هذا النص")["total"] == 0
    page1 = get(app, "/api/articles", limit=3, offset=0)["articles"]
    page2 = get(app, "/api/articles", limit=3, offset=3)["articles"]
    assert len(page1) == len(page2) == 3 and not {a["id"] for a in page1} & {a["id"] for a in page2}


def test_article_layers_index_the_text_exactly(app, key_of):
    entities = {e["id"]: e for e in get(app, "/api/entities")["entities"]}
    layers_seen = set()
    for article_id, key in key_of.items():
        a = get(app, f"/api/articles/{article_id}")
        expected = EXPECTED["articles"][key]
        assert (a["outlet"], a["author"], a["wire"]) == (expected["outlet"], expected["author"], expected["wire"])
        text = a["text"]
        for layer in ("mentions", "quotes", "numbers", "dates"):
            for item in a[layer]:
                layers_seen.add(layer)
                assert 0 <= item["start"] < item["end"] <= len(text)
                assert text[item["start"]:item["end"]] == item["text"], (key, layer, item)
        for m in a["mentions"]:
            if m["entity"]:
                assert m["entity"] in entities and m["entity_name"] == entities[m["entity"]]["name"]
    assert layers_seen == {"mentions", "quotes", "numbers", "dates"}


def test_entities_by_type_query_and_id(app):
    people = get(app, "/api/entities", type="PER")["entities"]
    assert people and {e["type"] for e in people} == {"PER"}
    assert {e["type"] for e in get(app, "/api/entities", type="loc")["entities"]} == {"LOC"}
    names = {e["name"] for e in people}
    assert {p["name"] for p in EXPECTED["people"]} <= names
    # a spelling variant finds the merged entity
    variant = EXPECTED["spelling_variants"][0]
    found = get(app, "/api/entities", q="فكتور لانجهوف")["entities"]
    assert [e["name"] for e in found] == ["فيكتور لانغهوف"]
    e = get(app, f"/api/entities/{found[0]['id']}")
    assert set(variant["forms"]) <= set(e["variants"]) and e["latin"]
    assert len(e["mentions"]) == found[0]["mentions"] and len(e["articles"]) == 3
    assert all(q["speaker"] == e["id"] for q in e["quotes"])


@pytest.mark.parametrize("path,query,status", [
    ("/api/articles/a000000000000000", "", 404),
    ("/api/stories/nope", "", 404),
    ("/api/entities/nope", "", 404),
    ("/api/nothing", "", 404),
    ("/nothing.html", "", 404),
    ("/static/../rest.py", "", 404),
    ("/static/%2e%2e/rest.py", "", 404),
    ("/api/articles", "limit=-1", 400),
    ("/api/articles", "limit=ten", 400),
    ("/api/articles", "limit=100000", 400),
    ("/api/articles", "offset=1.5", 400),
    ("/api/articles", "story=nope", 400),
    ("/api/articles", "colour=red", 400),
    ("/api/articles", "q=a&q=b", 400),
    ("/api/entities", "type=PERSON", 400),
])
def test_errors_are_json(app, path, query, status):
    code, headers, body = call(app, path, query)
    assert code == status
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body.decode("utf-8"))["error"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_only_get_is_allowed(app, method):
    code, headers, body = call(app, "/api/health", method=method)
    assert code == 405 and json.loads(body)["error"] and "GET" in headers["Allow"]


def test_web_ui_is_served_rtl_offline_and_escaped(app):
    code, headers, body = call(app, "/")
    html = body.decode("utf-8")
    assert code == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    for name, ctype in (("app.js", "javascript"), ("style.css", "text/css")):
        code, headers, asset = call(app, f"/static/{name}")
        assert code == 200 and ctype in headers["Content-Type"] and asset
        assert f"/static/{name}" in html
    for name in ("index.html", "app.js", "style.css"):
        text = call(app, "/" if name == "index.html" else f"/static/{name}")[2].decode("utf-8")
        assert not re.search(r"https?://|@import|url\(", text), name  # nothing external: works offline
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, name
    assert call(app, "/", method="HEAD")[2] == b""


def test_report_is_rebuilt_when_the_store_grows(db, tmp_path):
    copy = str(tmp_path / "copy.db")
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    app = make_app(copy)
    before = get(app, "/api/report")
    with SQLiteStore(copy) as store:
        a = next(store.articles())
        extra = Article.from_dict({**a.to_dict(), "id": "a" + "f" * 15, "title": "مقال إضافي للاختبار"})
        assert store.add(extra)
    assert get(app, "/api/health")["articles"] == 9
    after = get(app, "/api/report")
    assert len(before["articles"]) == 8 and len(after["articles"]) == 9
    assert get(app, f"/api/articles/{extra.id}")["title"] == "مقال إضافي للاختبار"


def test_marsad_serve_answers_over_http(db):
    proc = subprocess.Popen(
        [sys.executable, "-m", "marsad.interfaces.cli", "serve", "--db", db, "--port", "0", "--quiet"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, encoding="utf-8",
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()
    try:
        url = None
        while url is None:
            line = lines.get(timeout=30)
            match = re.search(r"http://[\d.]+:(\d+)/", line)
            url = match and match.group(0)
        with urllib.request.urlopen(url + "api/health", timeout=10) as res:
            assert res.headers["Content-Type"] == "application/json; charset=utf-8"
            assert json.loads(res.read().decode("utf-8")) == {"status": "ok", "articles": 8}
        with urllib.request.urlopen(url, timeout=10) as res:
            assert 'dir="rtl"' in res.read().decode("utf-8")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


def test_serve_refuses_a_missing_store(tmp_path):
    from marsad.interfaces.cli import main

    assert main(["serve", "--db", str(tmp_path / "missing.db")]) == 1
    assert not (tmp_path / "missing.db").exists()
