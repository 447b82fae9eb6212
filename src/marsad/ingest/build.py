"""Raw documents to articles: extract (HTML), clean, find metadata, assign a stable id."""
from __future__ import annotations

from typing import Iterable, Iterator

from marsad.doc import Article, article_id
from marsad.ingest.clean import clean_page
from marsad.ingest.html import extract_html
from marsad.ingest.meta import (
    credited_agencies,
    date_from_metadata,
    language_of,
    outlet_from_lines,
    parse_date_line,
)
from marsad.ingest.read import IngestError, RawDoc, read_all

MIN_WORDS = 8  # fewer words than this is a menu, a caption or an error page, not an article


def build_article(raw: RawDoc) -> Article | IngestError:
    meta = dict(raw.meta)
    content = raw.content
    if raw.format == "html":
        content, page_meta = extract_html(raw.content)
        if not content:
            return IngestError(raw.source, "no article text found in the HTML page", raw.line)
        for k, v in page_meta.items():
            meta.setdefault(k, v)
    page = clean_page(content, known_title=meta.get("title"))
    text = "\n\n".join(page.paragraphs)
    words = len(text.split())
    if words < MIN_WORDS:
        what = "the HTML page" if raw.format == "html" else "the page"
        return IngestError(raw.source, f"no article text in {what} ({words} words left after removing boilerplate)", raw.line)

    # A date the page states wins over metadata (a feed's date may be a crawl or update time).
    published, published_source = None, "text"
    for line in page.header + page.signature:
        d = parse_date_line(line.lstrip("-–—•· "))
        if d:
            published = d.isoformat()
            break
    if published is None:
        published, published_source = date_from_metadata(meta.get("published")), "metadata"
    author = meta.get("author") or page.author
    credit_lines = page.header + page.signature + ([author] if author else [])
    title = meta.get("title") or page.title
    return Article(
        id=article_id(title, text),
        source=raw.source,
        text=text,
        title=title,
        outlet=meta.get("outlet") or outlet_from_lines(page.header, page.signature),
        author=author,
        published=published,
        published_source=published_source if published else None,
        removed=page.removed,
        language=language_of(text),
        wire=credited_agencies(text, credit_lines),
        url=meta.get("url"),
        source_id=meta.get("id"),
    )


def build_articles(paths: Iterable[str]) -> Iterator[Article | IngestError]:
    """Every input under ``paths`` as an Article, or an IngestError naming the file and problem."""
    for raw in read_all(list(paths)):
        if isinstance(raw, IngestError):
            yield raw
            continue
        try:
            yield build_article(raw)
        except Exception as e:  # one broken page must not stop the run
            yield IngestError(raw.source, f"could not be processed: {type(e).__name__}: {e}", raw.line)
