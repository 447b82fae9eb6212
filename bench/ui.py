"""The web UI in headless Chromium: screenshots of every page, and page-load times on a store.

    python bench/ui.py --screenshots docs/screenshots       # the demo corpus, desktop and 390 px
    python bench/ui.py --db STORE.db [--runs 5]             # seconds per page, median and worst

Needs Playwright (the project's test extra) and a Chromium on PATH (Debian: ``chromium``).
A page's load time is from navigation to its view showing the route with every chart image
loaded (the UI's own API calls included); each page is loaded `--runs` times after one warm-up.
The floor row is a page that makes no API call: the browser, the page and its script alone.
``make screenshots`` regenerates docs/screenshots/.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.browser import browser_or_reason, chromium, serving  # noqa: E402

SIZES = {"desktop": (1280, 900), "mobile": (390, 844)}
SHOWN = ("document.getElementById('view').dataset.shown === location.hash && "
         "[...document.querySelectorAll('img')].every((i) => i.complete)")


def wait_shown(page, timeout=30.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(SHOWN):
        if time.monotonic() > deadline:
            raise TimeoutError(page.url)
        time.sleep(0.01)


def pages(base: str, db_path: str) -> dict[str, str]:
    """One URL per kind of page: the largest story, its first cited sentence, its first entity."""
    import sqlite3

    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    story = db.execute("SELECT id FROM stories ORDER BY size DESC, last_published DESC LIMIT 1").fetchone()[0]
    article = db.execute("SELECT article FROM story_members WHERE story = ? ORDER BY pos LIMIT 1", (story,)).fetchone()[0]
    entity = db.execute("SELECT id FROM entities ORDER BY mentions DESC LIMIT 1").fetchone()[0]
    name = db.execute("SELECT name FROM entities WHERE id = ?", (entity,)).fetchone()[0]
    db.close()
    return {
        "home": f"{base}/",
        "story": f"{base}/#/story/{quote(story)}",
        "article": f"{base}/#/article/{quote(article)}?start=0&end=60",
        "search": f"{base}/#/search?q={quote(name.split()[-1])}",
        "entity": f"{base}/#/entity/{quote(entity)}",
        "entities": f"{base}/#/entities",
    }


def screenshots(out: Path) -> None:
    from marsad.interfaces.api import ingest
    from marsad.store.sqlite import SQLiteStore

    path, why = browser_or_reason()
    if path is None:
        sys.exit(f"bench/ui.py: {why}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "demo.db")
        with SQLiteStore(db) as store:
            ingest([str(ROOT / "examples" / "corpus")], store)
        with serving(db) as base, chromium(path) as browser:
            urls = pages(base, db)
            for size, (w, h) in SIZES.items():
                ctx = browser.new_context(viewport={"width": w, "height": h}, locale="ar", device_scale_factor=1)
                page = ctx.new_page()
                for name, url in urls.items():
                    page.goto(url)
                    wait_shown(page)
                    target = out / f"{name}-{size}.png"
                    page.screenshot(path=str(target), full_page=False)
                    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                ctx.close()


def timings(db: str, runs: int) -> None:
    path, why = browser_or_reason()
    if path is None:
        sys.exit(f"bench/ui.py: {why}")
    with serving(db) as base, chromium(path) as browser:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar")
        page = ctx.new_page()
        print(f"{'page':10} {'median s':>9} {'worst s':>8} {'× floor':>8}")
        floor = None
        # floor: the page and its script loading, with no API call (an unknown route's message)
        for name, url in {"floor": f"{base}/#/no-such-page", **pages(base, db)}.items():
            seconds = []
            for i in range(runs + 1):
                page.goto("about:blank")
                t0 = time.perf_counter()
                page.goto(url)
                wait_shown(page)
                if i:  # the first load warms the server's connection and caches
                    seconds.append(time.perf_counter() - t0)
            median = statistics.median(seconds)
            floor = floor or median
            print(f"{name:10} {median:9.3f} {max(seconds):8.3f} {median / floor:8.1f}")
        ctx.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--screenshots", metavar="DIR", help="write PNGs of every page (the demo corpus) to DIR")
    ap.add_argument("--db", help="time page loads on this store (opened read-only)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if args.screenshots:
        screenshots(Path(args.screenshots).resolve())
    if args.db:
        timings(args.db, args.runs)
    if not (args.screenshots or args.db):
        ap.error("give --screenshots DIR and/or --db STORE")


if __name__ == "__main__":
    main()
