"""HTML pages: main text and page metadata via trafilatura."""
from __future__ import annotations

from typing import Any

import trafilatura


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
        "author": data.get("author"),
        "published": data.get("date"),
        "outlet": data.get("sitename"),
        "url": data.get("url"),
    }
    return data.get("text") or None, {k: v for k, v in meta.items() if v}
