"""Raw documents to articles: extract (HTML), clean, find metadata, assign a stable id."""
from __future__ import annotations

from typing import Iterable, Iterator

import datetime as dt

from marsad.doc import Article, article_id
from marsad.ingest import limits
from marsad.ingest.clean import clean_page
from marsad.ingest.html import extract_html
from marsad.ingest.meta import (
    credited_agencies,
    date_from_metadata,
    implausible_date,
    language_of,
    outlet_from_lines,
    parse_date_line,
)
from marsad.ingest.read import IngestError, RawDoc, read_all, too_big
from marsad.text.hygiene import clean_controls

MIN_WORDS = 8  # fewer words than this is a menu, a caption or an error page, not an article


_LINE_BREAKS = str.maketrans("\r\n\t", "   ")


def _clean_meta(value):
    """A metadata value on one line, without control characters (otherwise as given: the
    article id hashes the title)."""
    return clean_controls(value).translate(_LINE_BREAKS) if isinstance(value, str) else value


def build_article(raw: RawDoc) -> Article | IngestError:
    lim = limits.current()
    meta = {k: v for k, v in ((k, _clean_meta(v)) for k, v in raw.meta.items()) if v and v.strip()}
    if raw.format == "text" and lim.max_text_chars and len(raw.content) > lim.max_text_chars:
        return IngestError(raw.where, too_big("text", lim.max_text_chars, len(raw.content), "characters"), raw.line)
    content = clean_controls(raw.content)
    warnings: list[IngestError] = []

    def warn(problem: str) -> None:
        warnings.append(IngestError(raw.where, problem, raw.line, warning=True))
    if raw.format == "html":
        content, page_meta = extract_html(content)
        if not content:
            return IngestError(raw.where, "no article text found in the HTML page", raw.line)
        for k, v in page_meta.items():
            meta.setdefault(k, _clean_meta(v))
        if lim.max_text_chars and len(content) > lim.max_text_chars:
            return IngestError(raw.where, too_big("text of the HTML page", lim.max_text_chars, len(content), "characters"),
                               raw.line)
    page = clean_page(content, known_title=meta.get("title"))
    text = "\n\n".join(page.paragraphs)
    words = len(text.split())
    if words < MIN_WORDS:
        what = "the HTML page" if raw.format == "html" else "the page"
        return IngestError(raw.where, f"no article text in {what} ({words} words left after removing boilerplate)", raw.line)

    # A date the page states wins over metadata (a feed's date may be a crawl or update time).
    published, published_source = None, "text"
    for line in page.header + page.signature:
        d = parse_date_line(line.lstrip("-–—•· "))
        if d and not _rejected(d, f"date line {line!r}", warn):
            published = d.isoformat()
            break
    if published is None and meta.get("published"):
        published, published_source = date_from_metadata(meta["published"]), "metadata"
        if published is None:
            warn(f"publication date {meta['published'][:60]!r} is not a date; ignored")
        elif _rejected(dt.date.fromisoformat(published), f"publication date {meta['published'][:60]!r}", warn):
            published = None
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
        warnings=warnings,
    )


def _rejected(d: dt.date, what: str, warn) -> bool:
    why = implausible_date(d)
    if why:
        warn(f"{what} is {why}; ignored")
    return why is not None


def build_articles(paths: Iterable[str]) -> Iterator[Article | IngestError]:
    """Every input under ``paths`` as an Article, or an IngestError naming the file and problem."""
    for raw in read_all(list(paths)):
        if isinstance(raw, IngestError):
            yield raw
            continue
        try:
            yield build_article(raw)
        except Exception as e:  # one broken page must not stop the run
            yield IngestError(raw.where, f"could not be processed: {type(e).__name__}: {e}", raw.line)
