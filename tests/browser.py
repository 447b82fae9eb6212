"""Headless Chromium over a served store, for the browser tests and `bench/ui.py`.

Playwright for Python drives the system's Chromium (Debian's ``chromium``: Playwright's own
browser download is never used, nothing is fetched). :func:`browser_or_reason` says why a
browser cannot run, so tests skip with that message. :func:`serving` runs ``marsad serve``'s
application in a thread on a free loopback port.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from typing import Iterator

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ENV = "MARSAD_CHROMIUM"  # a browser binary to use instead of the one on PATH


def chromium_path() -> str | None:
    if os.environ.get(CHROMIUM_ENV):
        return os.environ[CHROMIUM_ENV]
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_or_reason() -> tuple[str | None, str | None]:
    """(chromium path, None), or (None, why the browser tests cannot run)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None, "playwright is not installed (pip install -e '.[test]')"
    path = chromium_path()
    if path is None:
        return None, ("no Chromium on PATH (Debian: apt-get install chromium; or set "
                      f"{CHROMIUM_ENV}=/path/to/chrome)")
    return path, None


@contextlib.contextmanager
def serving(db_path: str) -> Iterator[str]:
    """The store served read-only on a free loopback port; yields the base URL."""
    import uvicorn

    from marsad.interfaces.rest import make_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(db_path), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextlib.contextmanager
def chromium(path: str) -> Iterator:
    """A headless Chromium (Playwright ``Browser``) from the binary at `path`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()
