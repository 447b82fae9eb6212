"""The REST API and web UI (`marsad serve`) over v2 stores: the bundled examples, and a small
hand-written store whose entity table lists spelling variants (tests/store_fixture.py)."""
import json
from collections import Counter
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.request
import warnings
from pathlib import Path

import jsonschema
import pytest

with warnings.catch_warnings():  # starlette prefers httpx2; httpx works the same for these tests
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from marsad.interfaces.api import ingest
from marsad.interfaces.rest import StoreError, make_app
from marsad.store.sqlite import SCHEMA_VERSION, SQLiteStore
from marsad.text.normalize import normalize
from tests import store_fixture

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXPECTED = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))
JSON_TYPE = "application/json; charset=utf-8"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The examples ingested into a store."""
    path = str(tmp_path_factory.mktemp("rest") / "marsad.db")
    with SQLiteStore(path) as store:
        result = ingest([str(EXAMPLES / "corpus")], store)
    assert not result.errors and len(result.ids) == EXPECTED["totals"]["articles"]
    return path


@pytest.fixture(scope="module")
def client(db):
    return TestClient(make_app(db))


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    return TestClient(make_app(store_fixture.variants_store(str(tmp_path_factory.mktemp("var") / "v.db"))))


def get(client, path, status=200, **params):
    res = client.get(path, params=params)
    assert res.status_code == status, res.text
    assert res.headers["content-type"] == JSON_TYPE
    return res.json()


@pytest.fixture(scope="module")
def key_of(client):
    """Article id -> the name expected.json gives it (titles are unique in the examples)."""
    by_title = {e["title"]: k for k, e in EXPECTED["articles"].items()}
    return {a["id"]: by_title[a["title"]] for a in get(client, "/api/articles", limit=100)["articles"]}


def test_health_counts_the_store(client):
    assert get(client, "/api/health") == {"status": "ok", "schema_version": SCHEMA_VERSION, "articles": 8, "stories": 3,
                                          "entities": get(client, "/api/entities")["total"]}


def test_report_is_streamed_valid_and_utf8(client, report_schema):
    res = client.get("/api/report")
    assert res.status_code == 200 and res.headers["content-type"] == JSON_TYPE
    assert "content-length" not in res.headers  # streamed, not built in memory
    assert "بوابة المدار".encode("utf-8") in res.content  # ensure_ascii=False: no \\u escapes
    report = res.json()
    jsonschema.validate(report, report_schema)
    assert len(report["articles"]) == 8 and len(report["stories"]) == 3
    assert sum(len(e["mentions"]) for e in report["entities"]) > 0 and report["quotes"] and report["reuse"]
    story = get(client, "/api/stories")["stories"][0]
    one = client.get("/api/report", params={"story": story["id"]}).json()
    assert [s["id"] for s in one["stories"]] == [story["id"]] and len(one["articles"]) == story["size"]
    assert client.get("/api/report", params={"until": "2024"}).json()["articles"] == []
    assert len(client.get("/api/report", params={"until": "2025"}).json()["articles"]) == 2  # story C, 2025-10


def test_story_list_sorts_filters_and_pages(client):
    stories = get(client, "/api/stories")
    assert stories["total"] == 3 and len(stories["stories"]) == 3
    expected_sizes = sorted((len(s["members"]) for s in EXPECTED["stories"].values()), reverse=True)
    assert [s["size"] for s in stories["stories"]] == expected_sizes
    recent = get(client, "/api/stories", sort="recent")["stories"]
    assert [s["last_published"] for s in recent] == sorted((s["last_published"] for s in recent), reverse=True)
    c = next(s for s in recent if s["size"] == 2)  # story C: Beirut memorandum, 2025-10-14 and -15
    assert (c["first_published"], c["last_published"], c["outlets"]) == ("2025-10-14", "2025-10-15", 2)
    assert {s["id"] for s in get(client, "/api/stories", since="2026")["stories"]} == {s["id"] for s in recent} - {c["id"]}
    assert [s["id"] for s in get(client, "/api/stories", until="2025-10")["stories"]] == [c["id"]]
    for outlet in {a["outlet"] for a in get(client, "/api/articles", limit=100)["articles"]}:
        # the outlet's stories (read from story_outlets) are the stories of the outlet's articles
        by_articles = {a["story"] for a in get(client, "/api/articles", outlet=outlet, limit=100)["articles"]}
        assert {s["id"] for s in get(client, "/api/stories", outlet=outlet)["stories"]} == by_articles
        for sort, dates in (("size", {}), ("recent", {}), ("size", {"since": "2026"}), ("recent", {"until": "2025-10"})):
            listed = get(client, "/api/stories", outlet=outlet, sort=sort, **dates)
            whole = [s for s in get(client, "/api/stories", sort=sort, **dates)["stories"] if s["id"] in by_articles]
            assert listed["stories"] == whole and listed["total"] == len(whole)  # same order as the whole list
    page = [get(client, "/api/stories", limit=1, offset=i)["stories"][0]["id"] for i in range(3)]
    assert page == [s["id"] for s in stories["stories"]]
    assert get(client, "/api/stories", offset=3)["stories"] == []


def test_story_page_members_views_and_syndicated_pair(client, key_of):
    stories = get(client, "/api/stories")["stories"]
    pages = [get(client, f"/api/stories/{s['id']}") for s in stories]
    got = sorted(sorted(key_of[m["id"]] for m in p["members"]) for p in pages)
    assert got == sorted(sorted(s["members"]) for s in EXPECTED["stories"].values())
    story_a = next(p for p in pages if "a3_alofuq_geneva.txt" in {key_of[m["id"]] for m in p["members"]})
    members = {m["id"] for m in story_a["members"]}
    assert story_a["members_total"] == len(members) and story_a["outlet_names"]
    assert story_a["summary"] and all(set(x["articles"]) <= members for x in story_a["summary"])
    assert story_a["timeline"] and any(c["independent_sources"] >= 2 for c in story_a["claims"])
    assert story_a["disagreements"]
    pair = EXPECTED["syndication"]["pairs"][0]
    syndicated = [p for p in story_a["reuse"] if p["kind"] == "syndicated"]
    assert [sorted([key_of[p["a"]], key_of[p["b"]]]) for p in syndicated] == [sorted(pair["articles"])]
    assert syndicated[0]["agency"] == pair["agency"] and syndicated[0]["passages"]


def test_article_filters_and_paging(client, key_of):
    everything = get(client, "/api/articles")
    assert everything["total"] == 8 and len(everything["articles"]) == 8
    dates = [a["published"] or "" for a in everything["articles"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    story = get(client, "/api/stories")["stories"][0]
    in_story = get(client, "/api/articles", story=story["id"])
    assert [a["id"] for a in in_story["articles"]] == [m["id"] for m in get(client, f"/api/stories/{story['id']}")["members"]]
    assert all(a["story"] == story["id"] for a in in_story["articles"])
    almadar = get(client, "/api/articles", outlet="بوابة المدار")["articles"]
    assert sorted(key_of[a["id"]] for a in almadar) == ["a1_almadar_afp.txt", "b2_almadar_sokhna.txt"]
    october = get(client, "/api/articles", since="2025-10-01", until="2025-10")["articles"]
    assert october and all(a["published"].startswith("2025-10") for a in october)
    langhoff = get(client, "/api/entities", prefix="فيكتور")["entities"][0]
    with_entity = {key_of[a["id"]] for a in get(client, "/api/articles", entity=langhoff["id"])["articles"]}
    assert with_entity == {"b1_marfa_sokhna.html", "b2_almadar_sokhna.txt", "sahel_feed_c2_b3.jsonl#sahel-2026-03-18-0977"}
    page1 = get(client, "/api/articles", limit=3, offset=0)
    page2 = get(client, "/api/articles", limit=3, offset=3)
    assert (page1["total"], page1["limit"], page1["offset"]) == (8, 3, 0)
    assert len(page1["articles"]) == len(page2["articles"]) == 3
    assert not {a["id"] for a in page1["articles"]} & {a["id"] for a in page2["articles"]}


def test_article_layers_index_the_text_exactly(client, key_of):
    layers_seen = set()
    for article_id, key in key_of.items():
        a = get(client, f"/api/articles/{article_id}")
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
                assert m["entity_name"] == get(client, f"/api/entities/{m['entity']}", limit=1)["name"]
        assert all(isinstance(q["direct"], bool) for q in a["quotes"])
        assert a["story"]
    assert layers_seen == {"mentions", "quotes", "numbers", "dates"}
    a1 = next(i for i, k in key_of.items() if k == "a1_almadar_afp.txt")
    reuse = get(client, f"/api/articles/{a1}")["reuse"]
    assert reuse and all(p["other"]["id"] in (p["a"], p["b"]) and p["other"]["id"] != a1 for p in reuse)


def test_entities_by_type_prefix_and_id(client):
    people = get(client, "/api/entities", type="PER", limit=200)
    assert people["entities"] and {e["type"] for e in people["entities"]} == {"PER"}
    counts = [e["mentions"] for e in people["entities"]]
    assert counts == sorted(counts, reverse=True)
    assert {p["name"] for p in EXPECTED["people"]} <= {e["name"] for e in people["entities"]}
    # a spelling variant (as a prefix) finds the merged entity
    variant = EXPECTED["spelling_variants"][0]
    found = get(client, "/api/entities", prefix="فكتور لانج")["entities"]
    assert [e["name"] for e in found] == ["فيكتور لانغهوف"]
    assert get(client, "/api/entities", q="فكتور لانج")["entities"] == found  # the old parameter name
    e = get(client, f"/api/entities/{found[0]['id']}", limit=2)
    assert set(variant["forms"]) <= set(e["variants"]) and e["latin"]
    assert e["mention_list"]["total"] == found[0]["mentions"] and len(e["mention_list"]["items"]) == 2
    rest = get(client, f"/api/entities/{found[0]['id']}", limit=200, offset=2)["mention_list"]["items"]
    assert len(rest) == found[0]["mentions"] - 2
    assert {s["id"] for s in e["stories"]} and e["articles"] == 3
    for entity in get(client, "/api/entities", limit=200)["entities"]:
        # its stories (read from entity_stories) are the stories of the articles mentioning it
        by_articles = Counter(a["story"] for a in get(client, "/api/articles", entity=entity["id"], limit=100)["articles"])
        stories = get(client, f"/api/entities/{entity['id']}")["stories"]
        assert {s["id"]: s["articles_with_entity"] for s in stories} == by_articles
        assert [s["articles_with_entity"] for s in stories] == sorted(by_articles.values(), reverse=True)
    speaker = next(p for p in EXPECTED["people"] if p["name"] == "فادي الخوري")
    khoury = get(client, "/api/entities", prefix=speaker["name"])["entities"][0]
    detail = get(client, f"/api/entities/{khoury['id']}")
    assert detail["quotes"] and detail["quotes_total"] == len(detail["quotes"])
    assert len(detail["stories"]) == len(speaker["stories"])


def test_quotes_by_speaker_and_story(client):
    every = get(client, "/api/quotes", limit=200)
    assert every["total"] == len(every["quotes"]) > 0
    khoury = get(client, "/api/entities", prefix="فادي الخوري")["entities"][0]
    by = get(client, "/api/quotes", speaker=khoury["id"])
    assert by["total"] and all(q["speaker"] == khoury["id"] and q["speaker_name"] == "فادي الخوري" for q in by["quotes"])
    story = get(client, "/api/stories")["stories"][0]
    members = {m["id"] for m in get(client, f"/api/stories/{story['id']}")["members"]}
    in_story = get(client, "/api/quotes", story=story["id"], limit=200)["quotes"]
    assert in_story and {q["article"] for q in in_story} <= members
    assert get(client, "/api/quotes", limit=1, offset=1)["quotes"][0] == every["quotes"][1]


def _check_hit(hit, text_of):
    """Highlights index the snippet, the snippet indexes the article text."""
    text = text_of(hit["id"])
    start = hit["snippet_start"]
    assert text[start:start + len(hit["snippet"])] == hit["snippet"]
    assert hit["highlights"]
    return [normalize(hit["snippet"][a:b]) for a, b in hit["highlights"]]


def test_search_finds_every_spelling_ranked_with_exact_highlights(variants):
    text_of = lambda i: get(variants, f"/api/articles/{i}")["text"]  # noqa: E731
    for q in ("ترامب", "ترمب"):
        res = get(variants, "/api/search", q=q)
        assert {r["id"] for r in res["results"]} == {"v1", "v2", "v4"} and res["total"] == 3
        scores = [r["score"] for r in res["results"]]
        assert scores == sorted(scores, reverse=True)
        for hit in res["results"]:
            words = _check_hit(hit, text_of)
            assert any(w.endswith(("ترامب", "ترمب", "ترمپ")) for w in words), words
    for q in ("زيلنسكي", "زيلينسكي"):  # the loose key, without entity expansion on one side
        assert {r["id"] for r in get(variants, "/api/search", q=q)["results"]} == {"v1", "v2"}
    both = get(variants, "/api/search", q="ترامب زيلنسكي")["results"]  # every word must match
    assert {r["id"] for r in both} == {"v1", "v2"}
    wheat = get(variants, "/api/search", q="القمح")["results"]
    assert [r["id"] for r in wheat] == ["v3"] and wheat[0]["title_highlights"] == [[6, 11]]
    assert get(variants, "/api/search", q="ترامب", outlet="وكالة الجنوب")["total"] == 2
    assert get(variants, "/api/search", q="ترامب", since="2026-11-03", until="2026-11-04")["total"] == 1
    paged = [get(variants, "/api/search", q="ترمب", limit=1, offset=i)["results"][0]["id"] for i in range(3)]
    assert sorted(paged) == ["v1", "v2", "v4"]


def test_search_also_returns_entities_and_quotes(variants, client):
    res = get(variants, "/api/search", q="ترامب")
    assert [e["id"] for e in res["entities"]] == ["e_trump"]
    khoury = get(client, "/api/search", q="فادي الخوري")
    assert khoury["results"] and khoury["quotes"] and {q["speaker_name"] for q in khoury["quotes"]} == {"فادي الخوري"}


def test_search_on_the_examples_is_normalised(client, key_of):
    # no diacritics in the query, "اختُتمت" in a1's text
    hits = get(client, "/api/search", q="اختتمت")["results"]
    assert "a1_almadar_afp.txt" in {key_of[h["id"]] for h in hits}
    assert {key_of[h["id"]] for h in get(client, "/api/search", q="اندرياس")["results"]} >= {"a3_alofuq_geneva.txt"}
    assert get(client, "/api/search", q="لا يوجد هذا النص")["total"] == 0


@pytest.mark.parametrize("q", ['"', '""', "AND", "ترمب OR", "NOT ترمب", "*", "ترمب*", "title:ترمب", "NEAR(ترمب",
                               "{title}: x", "-ترمب", "^ترمب", "ترمب)", "'; DROP TABLE articles; --", "؟!", "\u064b"])
def test_search_input_is_never_fts_syntax(variants, q):
    res = get(variants, "/api/search", q=q)
    assert res["total"] >= 0 and isinstance(res["results"], list)


def test_injected_markup_stays_inert(variants):
    hit = get(variants, "/api/search", q="script")["results"][0]
    assert "<script>" in hit["snippet"]  # the text as written …
    assert "<script>" not in hit["snippet_html"] and "&lt;<mark>script</mark>&gt;" in hit["snippet_html"]


@pytest.mark.parametrize("path,params,status", [
    ("/api/articles/a000000000000000", {}, 404),
    ("/api/stories/nope", {}, 404),
    ("/api/entities/nope", {}, 404),
    ("/api/nothing", {}, 404),
    ("/nothing.html", {}, 404),
    ("/static/../rest.py", {}, 404),
    ("/static/%2e%2e/rest.py", {}, 404),
    ("/static/%2e%2e/%2e%2e/interfaces/rest.py", {}, 404),
    ("/static/nothing.js", {}, 404),
    ("/static/", {}, 404),
    ("/api/articles", {"limit": "-1"}, 422),
    ("/api/articles", {"limit": "0"}, 422),
    ("/api/articles", {"limit": "ten"}, 422),
    ("/api/articles", {"limit": "100000"}, 422),
    ("/api/articles", {"offset": "1.5"}, 422),
    ("/api/articles", {"since": "yesterday"}, 422),
    ("/api/articles", {"until": "2026-13-01"}, 422),
    ("/api/stories", {"sort": "colour"}, 422),
    ("/api/entities", {"type": "PERSON"}, 422),
    ("/api/entities", {"prefix": ""}, 422),
    ("/api/search", {}, 422),
    ("/api/search", {"q": ""}, 422),
    ("/api/search", {"q": "x" * 201}, 422),
    ("/api/search", {"q": "x", "limit": "51"}, 422),
    ("/api/articles", {"story": "nope"}, 400),
    ("/api/articles", {"entity": "nope"}, 400),
    ("/api/quotes", {"speaker": "nope"}, 400),
    ("/api/articles", {"colour": "red"}, 400),
    ("/api/health", {"x": "1"}, 400),
    ("/api/articles", [("outlet", "a"), ("outlet", "b")], 400),
])
def test_errors_are_json(client, path, params, status):
    res = client.get(path, params=params)
    assert res.status_code == status, res.text
    assert res.headers["content-type"] == JSON_TYPE
    assert res.json()["error"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_only_get_is_allowed(client, method):
    res = client.request(method, "/api/health")
    assert res.status_code == 405 and res.json()["error"] and "GET" in res.headers["allow"]


def test_openapi_documents_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/health", "/api/stories", "/api/stories/{story_id}", "/api/articles", "/api/articles/{article_id}",
              "/api/entities", "/api/entities/{entity_id}", "/api/quotes", "/api/search", "/api/report"):
        assert "get" in paths[p], p
    assert client.get("/docs").status_code == 200


def test_the_store_is_opened_read_only(db):
    app = make_app(db)
    conn = app.state.store.conn()
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM articles")
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 8


def test_request_threads_cap_the_endpoint_threads(db):
    import anyio.to_thread

    for threads, expected in ((3, 3), (None, 40)):  # 40: anyio's default, left alone
        app = make_app(db, request_threads=threads)

        async def limit():
            return anyio.to_thread.current_default_thread_limiter().total_tokens

        app.add_api_route("/_limit", limit)
        with TestClient(app) as c:  # runs the lifespan, as `marsad serve` does
            assert c.get("/_limit").json() == expected


def test_a_running_server_sees_new_articles(tmp_path):
    path = str(tmp_path / "grows.db")
    files = sorted((EXAMPLES / "corpus").glob("*.txt"))
    with SQLiteStore(path) as store:
        assert not ingest([str(files[0])], store).errors
    live = TestClient(make_app(path))
    assert get(live, "/api/health")["articles"] == 1
    assert get(live, "/api/health")["articles"] == 1  # counted once, then cached
    with SQLiteStore(path) as store:  # another writer, same file
        assert not ingest([str(f) for f in files[1:3]], store).errors
    assert get(live, "/api/health")["articles"] == 3


def _v1_store(tmp_path) -> str:
    """A store as Marsad 0.1 wrote it: articles as JSON documents, no meta table."""
    path = str(tmp_path / "v1.db")
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE articles (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT NOT NULL)")
    return path


def test_only_current_stores_are_served(tmp_path):
    old = _v1_store(tmp_path)
    with pytest.raises(StoreError, match="marsad migrate"):
        make_app(old)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        make_app(str(junk))


def test_web_ui_is_served_rtl_offline_and_escaped(client):
    res = client.get("/")
    html = res.text
    assert res.status_code == 200 and res.headers["content-type"] == "text/html; charset=utf-8"
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    assert "default-src 'self'" in res.headers["content-security-policy"]
    assert res.headers["x-content-type-options"] == "nosniff"
    for name, ctype in (("app.js", "javascript"), ("style.css", "text/css")):
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200 and ctype in asset.headers["content-type"] and asset.content
        assert f"/static/{name}" in html
    for name in ("index.html", "app.js", "style.css"):
        text = client.get("/" if name == "index.html" else f"/static/{name}").text
        assert not re.search(r"https?://|@import|url\(", text), name  # nothing external: works offline
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "outerHTML" not in text, name
    js = client.get("/static/app.js").text
    for endpoint in ("/api/search", "/api/quotes", "/api/entities/", "/api/stories", "/api/articles"):
        assert endpoint in js
    assert client.head("/").content == b""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_marsad_serve_answers_over_http(db, workers):
    proc = subprocess.Popen(
        [sys.executable, "-m", "marsad.interfaces.cli", "serve", "--db", db, "--port", "0", "--quiet",
         "--workers", workers],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, encoding="utf-8",
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()
    try:
        url = None
        while url is None:
            line = lines.get(timeout=30)
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            url = match and match.group(0)
        for _ in range(100):  # the socket is bound before the message; uvicorn may still be starting
            try:
                res = urllib.request.urlopen(url + "api/health", timeout=10)
                break
            except OSError:
                threading.Event().wait(0.1)
        with res:
            assert res.headers["Content-Type"] == JSON_TYPE
            assert json.loads(res.read().decode("utf-8"))["articles"] == 8
        with urllib.request.urlopen(url + "api/search?q=" + urllib.request.quote("جنيف"), timeout=10) as res:
            assert json.loads(res.read().decode("utf-8"))["results"]
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


def test_serve_refuses_a_missing_or_old_store(tmp_path):
    from marsad.interfaces.cli import main

    assert main(["serve", "--db", str(tmp_path / "missing.db")]) == 1
    assert not (tmp_path / "missing.db").exists()
    assert main(["serve", "--db", _v1_store(tmp_path)]) == 1


def test_an_entity_article_list_is_the_same_by_either_plan(client, monkeypatch):
    from marsad.interfaces import rest

    for e in get(client, "/api/entities", limit=20)["entities"]:
        by_mentions = get(client, "/api/articles", entity=e["id"], limit=3)
        monkeypatch.setattr(rest, "FREQUENT_ENTITY", 1)  # every entity walks the date index
        assert get(client, "/api/articles", entity=e["id"], limit=3) == by_mentions
        monkeypatch.undo()
