"""The web UI in a real headless Chromium (Playwright for Python driving the system's
``chromium``): the demo store clicked through as a reader would, and a store full of script
payloads in which nothing may run. Skips, saying why, when Playwright or Chromium is absent.
About 20–40 s."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests import store_fixture
from tests.browser import browser_or_reason, chromium, serving

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM, WHY_NOT = browser_or_reason()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=f"browser tests skipped: {WHY_NOT}")

# Written for this test: two articles that spell Trump ترمب (and none ترامب), so a search for
# ترامب finds them only through the spelling-variant keys.
TRUMP = [
    {"id": "t1", "url": "https://example.org/t1", "outlet": "صحيفة الشمال", "published": "2026-03-12",
     "title": "ترمب يدعو إلى جولة جديدة من المفاوضات",
     "text": "دعا الرئيس الأمريكي دونالد ترمب يوم الخميس إلى جولة جديدة من المفاوضات بين الطرفين في جنيف.\n\n"
             "وقال ترمب في مؤتمر صحفي إن «الاتفاق ممكن قبل نهاية الشهر» إذا توفرت الإرادة السياسية."},
    {"id": "t2", "url": "https://example.org/t2", "outlet": "وكالة الجنوب", "published": "2026-03-13",
     "title": "البيت الأبيض: لا موعد بعد للقمة",
     "text": "قال البيت الأبيض إن الرئيس ترمب لم يحدد بعد موعداً للقمة المرتقبة مع نظيره الروسي.\n\n"
             "وأضاف المتحدث أن الاتصالات مستمرة على مستوى المستشارين."},
]


@pytest.fixture(scope="module")
def browser():
    with chromium(CHROMIUM) as b:
        yield b


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """The demo store (`make demo`: examples/corpus) plus the two ترمب articles, served."""
    from marsad.interfaces.api import ingest
    from marsad.store.sqlite import SQLiteStore

    tmp = tmp_path_factory.mktemp("e2e")
    extra = tmp / "trump.jsonl"
    extra.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in TRUMP) + "\n", encoding="utf-8")
    db = str(tmp / "demo.db")
    with SQLiteStore(db) as store:
        result = ingest([str(ROOT / "examples" / "corpus"), str(extra)], store)
    assert not result.errors
    with serving(db) as url:
        yield url


@pytest.fixture(scope="module")
def xss_url(tmp_path_factory):
    db = store_fixture.xss_store(str(tmp_path_factory.mktemp("xss") / "xss.db"))
    with serving(db) as url:
        yield url


def until(page, expression, arg=None, timeout=15.0):
    """Poll a page expression until true. (Playwright's wait_for_function evaluates its
    predicate with eval(), which the UI's Content-Security-Policy rightly refuses.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        time.sleep(0.05)


class Watch:
    """A page with its console errors, uncaught exceptions, failed requests and dialogs."""

    def __init__(self, browser, width=1280, height=900):
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="ar")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"requestfailed: {r.url}"))
        self.page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)

    def go(self, url):
        self.page.goto(url)
        self.page.wait_for_selector("main#view h1")
        self.settle()

    def settle(self):
        """Wait until the view shows the current route, and its images have loaded."""
        until(self.page, "document.getElementById('view').dataset.shown === location.hash")
        self.page.wait_for_load_state("networkidle")

    def close(self):
        self.context.close()


def chart_drawn(page, selector="img.chart-img"):
    """Every chart image on the page has loaded and drawn something."""
    imgs = page.locator(selector)
    assert imgs.count() >= 1
    for i in range(imgs.count()):
        img = imgs.nth(i)
        img.scroll_into_view_if_needed()
        until(page, "(el) => el.complete", img.element_handle())
        assert img.evaluate("(el) => el.naturalWidth") > 0, img.get_attribute("src")
    return [imgs.nth(i).get_attribute("src") for i in range(imgs.count())]


def test_reader_clicks_through_the_demo_store(browser, demo_url):
    w = Watch(browser)
    page = w.page
    try:
        w.go(demo_url + "/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        chart_drawn(page)
        # a story, from the home page's largest stories
        page.locator("section[aria-labelledby=h-largest] ul.stories a").first.click()
        page.wait_for_url("**/#/story/*")
        w.settle()
        src = chart_drawn(page)[0]
        svg = page.request.get(demo_url + src).text()
        assert 'class="bar"' in svg  # the coverage chart has bars
        assert page.locator("ol.timeline li.tl-day").count() >= 1
        # a citation with a sentence: the article opens at that sentence
        cite = page.locator("ul.claims a.cite[href*='start=']").first
        cite.click()
        page.wait_for_url("**/#/article/*")
        w.settle()
        cited = page.locator("mark#cited")
        assert cited.count() == 1 and len(cited.inner_text()) > 20
        assert cited.evaluate("(el) => { const r = el.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }")
        # search ترامب: the articles spelled ترمب are found
        page.fill("#q", "ترامب")
        page.press("#q", "Enter")
        page.wait_for_url("**/#/search*")
        w.settle()
        found = page.locator("ol.results li")
        assert found.count() >= 2
        assert "ترمب" in " ".join(found.all_inner_texts())
        # an entity, from the home page's story
        w.go(demo_url + "/#/entities")
        page.locator("table a[href^='#/entity/']").first.click()
        page.wait_for_url("**/#/entity/*")
        w.settle()
        assert page.locator("h1").inner_text()
        chart_drawn(page)
        # dates beside Arabic text are isolated runs (they would read reversed otherwise)
        assert page.locator("bdi.iso").count() >= 1
        assert page.locator("bdi.iso").first.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
        # keyboard: the skip link comes first, shows when focused and moves the focus to the content
        page.evaluate("document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex')")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "view" and "#/entity/" in page.url
        assert w.errors == [], w.errors
        assert w.dialogs == []
    finally:
        w.close()


PAGES = ["/", "/#/stories", "/#/story/sx", "/#/article/x1", "/#/article/x1?start=0&end=20", "/#/article/x2",
         "/#/articles", "/#/entities", "/#/entity/e_x", "/#/quotes", "/#/search?q=الوزير",
         "/#/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/#/article/%3Cimg%20src%3Dx%20onerror%3Dalert(7)%3E"]


def test_script_payloads_in_the_store_never_run(browser, xss_url):
    w = Watch(browser, 390, 844)
    page = w.page
    try:
        for path in PAGES:
            page.goto(xss_url + path)
            page.wait_for_selector("main#view h1")
            w.settle()
            assert page.evaluate("window.__xss") is None, path
            assert page.locator("main iframe, main script, main img:not(.chart-img), main svg").count() == 0, path
        # the payloads are shown as text
        page.goto(xss_url + "/#/story/sx")
        page.wait_for_selector("main#view h1")
        w.settle()
        assert "<img src=x onerror" in page.locator("h1").inner_text()
        for link in page.locator("main a[href]").all():
            assert not link.get_attribute("href").lower().startswith("javascript:")
        # the untitled article shows its lead, not its id
        page.goto(xss_url + "/#/articles")
        page.wait_for_selector("main#view h1")
        w.settle()
        assert "x2" not in page.locator("table").inner_text()
        assert page.evaluate("window.__xss") is None
        assert w.dialogs == [], w.dialogs
        # the made-up article id is a 404 the page reports: the only failed request allowed
        bogus = "/api/articles/%3Cimg"
        errors = [e for e in w.errors if not ("status of 404" in e or (e.startswith("HTTP 404") and bogus in e))]
        assert errors == [], errors
    finally:
        w.close()
