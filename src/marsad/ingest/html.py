"""HTML pages: main text via trafilatura; title, date and author from the page's own signals
(:mod:`marsad.ingest.page_meta`), trafilatura's metadata only where those find nothing."""
from __future__ import annotations

from typing import Any

import trafilatura

from marsad.ingest.page_meta import extract_page_meta


def extract_html(html: str) -> tuple[str | None, dict[str, Any]]:
    """(main text with one paragraph a line, metadata: title, author, published, outlet, url)."""
    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if doc is None:
        return None, {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    meta = {
        "title": data.get("title"),
        "author": None,  # trafilatura's author is often the site or the publisher
        "published": data.get("date"),
        "outlet": data.get("sitename"),
        "url": data.get("url"),
    }
    meta.update(extract_page_meta(html))
    return data.get("text") or None, {k: v for k, v in meta.items() if v}
