"""The endpoints the web UI's pictures and groupings read (marsad.interfaces.rest_views), and the
server-rendered charts, on the examples' store and on stores written for these tests."""
from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from marsad.interfaces import charts
from marsad.interfaces.api import ingest
from marsad.interfaces.rest import make_app
from marsad.interfaces.titles import fallback_title
from marsad.store.sqlite import SQLiteStore
from marsad.text.normalize import normalize
from tests import store_fixture
from tests.test_rest import get

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("views") / "marsad.db")
    with SQLiteStore(path) as store:
        ingest([str(EXAMPLES / "corpus")], store)
    return TestClient(make_app(path))


@pytest.fixture(scope="module")
def xss(tmp_path_factory):
    return TestClient(make_app(store_fixture.xss_store(str(tmp_path_factory.mktemp("xss") / "x.db"))))




def stories(client):
    return get(client, "/api/stories", limit=50)["stories"]


def test_days_count_articles_and_outlets_per_day(client):
    arts = get(client, "/api/articles", limit=200)["articles"]
    res = get(client, "/api/days", since="2025", until="2026")
    want = Counter(a["published"] for a in arts if a["published"])
    assert {d["date"]: d["articles"] for d in res["days"]} == dict(want)
    outlets = {d: len({a["outlet"] for a in arts if a["published"] == d}) for d in want}
    assert {d["date"]: d["outlets"] for d in res["days"]} == outlets
    assert (res["since"], res["until"]) == ("2025-01-01", "2026-12-31")
    default = get(client, "/api/days")  # the 90 days up to the last stored day
    assert default["until"] == max(want) and len(default["days"]) == sum(1 for d in want if d >= default["since"])
    assert get(client, "/api/days", since="2026-02", until="2026-02")["until"] == "2026-02-28"
    get(client, "/api/days", 422, since="2026-13")
    get(client, "/api/days", 400, day="2026-03-09")


def test_story_coverage_counts_its_dated_members(client):
    for s in stories(client):
        story = get(client, f"/api/stories/{s['id']}")
        cov = get(client, f"/api/stories/{s['id']}/coverage")
        want = Counter((m["published"], m["outlet"]) for m in story["members"] if m["published"])
        assert Counter({(d["date"], d["outlet"]): d["articles"] for d in cov["days"]}) == want
        assert cov["undated"] == sum(1 for m in story["members"] if not m["published"])
    get(client, "/api/stories/nope/coverage", 404)


def test_copies_group_outlets_by_shared_agency_copy(client):
    found = False
    for s in stories(client):
        story = get(client, f"/api/stories/{s['id']}")
        groups = get(client, f"/api/stories/{s['id']}/copies")["groups"]
        paired = {x for p in story["reuse"] for x in (p["a"], p["b"])}
        assert {a["id"] for g in groups for a in g["articles"]} == paired
        for g in groups:
            found = True
            dates = [a["published"] or "9999" for a in g["articles"]]
            assert dates == sorted(dates) and g["first"] == g["articles"][0]["id"]
            assert len(g["articles"]) >= 2 and g["outlets"]
    assert found, "the examples carry an AFP copy"


def _key(text):
    return " ".join(re.findall(r"\w+", normalize(text)))


def test_story_quotes_by_speaker_list_a_wire_quote_once(client):
    copied = 0
    for s in stories(client):
        res = get(client, f"/api/stories/{s['id']}/quotes")
        raw = get(client, "/api/quotes", story=s["id"], limit=200)["quotes"]
        listed = [q for g in res["speakers"] for q in g["quotes"]]
        assert sum(len(q["copies"]) for q in listed) == len(raw)  # every quote somewhere, once
        keys = [_key(q["text"]) for q in listed]
        assert len(keys) == len(set(keys))
        for q in listed:
            copied += len(q["copies"]) > 1
            assert q["outlets"] and all("outlet" in c for c in q["copies"])
    assert copied, "the examples' AFP copy carries quotes twice"


def test_entity_timeline_related_and_quotes(client):
    e = get(client, "/api/entities", type="PER", limit=1)["entities"][0]
    days = get(client, f"/api/entities/{e['id']}/timeline")["days"]
    assert 0 < sum(d["mentions"] for d in days) <= e["mentions"]
    assert [d["date"] for d in days] == sorted(d["date"] for d in days)
    related = get(client, f"/api/entities/{e['id']}/related")["related"]
    assert related and e["id"] not in {r["id"] for r in related}
    assert all(1 <= r["shared_articles"] <= e["articles"] for r in related)
    quotes = get(client, f"/api/entities/{e['id']}/quotes")
    assert all(q["speaker"] == e["id"] for q in quotes["by"])
    assert len({_key(q["text"]) for q in quotes["by"]}) == len(quotes["by"])
    get(client, "/api/entities/nope/related", 404)


def test_search_quotes_by_words_and_speaker(client):
    res = get(client, "/api/search/quotes", q="جنيف")
    assert res["quotes"] and all(q["highlights"] or q["speaker_name"] for q in res["quotes"])
    for q in res["quotes"]:
        for a, b in q["highlights"]:
            assert normalize(q["text"][a:b]).endswith("جنيف")
    by_name = get(client, "/api/search/quotes", q="الخوري")["quotes"]
    assert by_name and any((q["speaker_name"] or "").endswith("الخوري") for q in by_name)
    assert get(client, "/api/search/quotes", q="كلمةلاتوجد")["quotes"] == []


def test_charts_are_svg_images_with_escaped_labels(client, xss):
    s = stories(client)[0]
    res = client.get(f"/charts/stories/{s['id']}/coverage.svg")
    assert res.status_code == 200 and res.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in res.headers["content-security-policy"]
    assert res.text.count('class="bar"') >= 1
    svg = xss.get("/charts/stories/sx/coverage.svg").text
    assert "<script" not in svg and "<img" not in svg and "&lt;script&gt;" in svg
    assert xss.get("/charts/entities/e_x/mentions.svg").status_code == 200
    assert client.get("/charts/days.svg").text.startswith("<svg")
    outlets = client.get("/charts/days.svg", params={"what": "outlets"}).text
    assert "المنافذ" in outlets and outlets.count('class="bar"') >= 1
    assert client.get("/charts/days.svg", params={"what": "words"}).status_code == 422
    assert client.get("/charts/stories/nope/coverage.svg").status_code == 404


def test_untitled_articles_get_their_lead_as_title(xss):
    rows = get(xss, "/api/articles")["articles"]
    untitled = next(r for r in rows if r["id"] == "x2")
    assert untitled["title"] is None and untitled["title_fallback"]
    text = get(xss, "/api/articles/x2")["text"]
    assert text.startswith(untitled["title_fallback"].rstrip("…").split(" ")[0])
    members = get(xss, "/api/stories/sx")["members"]
    assert next(m for m in members if m["id"] == "x2")["title_fallback"] == untitled["title_fallback"]


def test_fallback_title_is_the_lead_cut_at_words():
    assert fallback_title("أعلنت الحكومة اليوم خطة جديدة للنقل العام. وقال الوزير إن…") == \
        "أعلنت الحكومة اليوم خطة جديدة للنقل العام"
    long = " ".join(["كلمة"] * 30)
    assert fallback_title(long) == " ".join(["كلمة"] * 12) + "…"
    assert fallback_title("   ") is None


def test_chart_buckets_by_day_week_month():
    assert charts.buckets("2026-03-01", "2026-03-03") == ("day", ["2026-03-01", "2026-03-02", "2026-03-03"])
    span, weeks = charts.buckets("2025-01-01", "2026-03-01")
    assert span == "week" and weeks[0] == "2024-12-30" and len(weeks) <= charts.MAX_BARS
    span, months = charts.buckets("2018-01-15", "2026-03-01")
    assert span == "month" and months[:2] == ["2018-01", "2018-02"] and months[-1] == "2026-03"
    svg = charts.stacked_days([("2026-03-01", f"o{i}", 1) for i in range(10)], "t")
    assert svg.count('class="bar"') == charts.MAX_SERIES + 1  # the rest are summed as one
