"""HTML page metadata a reader can trust, on the page set in tests/data/html/ (written for
Marsad) and on the quirks one at a time."""
import importlib.util
from pathlib import Path

import pytest

from marsad.ingest.page_meta import extract_page_meta

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scores():
    spec = importlib.util.spec_from_file_location("html_meta", ROOT / "bench" / "html_meta.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.score("all")


def test_page_set_meets_the_targets(scores):
    for split in ("dev", "heldout"):
        r = scores[split]
        assert r["title"] >= 0.95 and r["published"] >= 0.95, (split, r)
        assert r["body kept"] == 1.0 and r["boilerplate out"] >= 0.97, (split, r)
        assert r["no author invented"] >= 0.95, (split, r)
    assert scores["dev"]["author (named)"] >= 0.85, scores["dev"]
    assert scores["heldout"]["author (named)"] >= 0.8, scores["heldout"]  # measured 0.80: see docs/evaluation.md


def _page(head="", body=""):
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_site_name_is_stripped_from_the_title():
    html = _page('<title>الموقع | وزير المالية يعلن الموازنة الجديدة</title><meta property="og:site_name" content="الموقع">'
                 '<meta property="og:title" content="وزير المالية يعلن الموازنة الجديدة - الموقع">')
    assert extract_page_meta(html)["title"] == "وزير المالية يعلن الموازنة الجديدة"


def test_headline_wins_over_an_og_title_that_is_the_site_name():
    html = _page('<meta property="og:title" content="الموقع"><meta property="og:site_name" content="الموقع">',
                 '<h1 class="logo">الموقع</h1><h1>افتتاح جسر جديد فوق النهر الكبير</h1>')
    assert extract_page_meta(html)["title"] == "افتتاح جسر جديد فوق النهر الكبير"


def test_published_date_beats_modified_and_crawl_dates():
    html = _page('<meta property="article:modified_time" content="2025-12-09T10:00:00Z">'
                 '<meta property="og:updated_time" content="2025-12-09T10:00:00Z">'
                 '<link rel="canonical" href="https://x.example/2025/12/03/story">',
                 '<div class="date">آخر تحديث: 2025/12/09</div>')
    assert extract_page_meta(html)["published"] == "2025-12-03"
    jsonld = ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2025-11-30T23:10:00+03:00",'
              ' "dateModified": "2025-12-02"}</script><meta property="article:published_time" content="2025-12-05">')
    assert extract_page_meta(_page(jsonld))["published"] == "2025-11-30"


def test_the_publisher_is_never_the_author():
    html = _page('<meta name="author" content="الموقع الإخباري"><meta property="og:site_name" content="الموقع الإخباري">'
                 '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Organization",'
                 ' "name": "الموقع الإخباري"}}</script>')
    assert "author" not in extract_page_meta(html)
    byline = html.replace("</head><body>", '</head><body><span class="author">القاهرة: منى سالم</span>')
    assert extract_page_meta(byline)["author"] == "منى سالم"


def test_damaged_pages_give_no_metadata_and_no_error():
    for html in ("", "<", "<html>" * 5000, '<script type="application/ld+json">' + "[" * 5000 + "</script>"):
        assert isinstance(extract_page_meta(html), dict)
