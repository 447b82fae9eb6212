"""Page metadata a reader can trust: headline, publication date and author of an HTML page.

trafilatura's defaults take the title from ``og:title``/``<title>`` (often with the site name),
the date from whatever metadata comes first (often a modification or crawl time) and the author
from ``<meta name=author>`` (often the publisher). This module reads the page's own signals:

- **title**: the visible headline (``<h1>``, or the heading the JSON-LD/``og:title`` names)
  agreeing with the metadata; else JSON-LD ``headline``, ``og:title``, ``twitter:title``,
  ``<title>`` — each with the site name (``og:site_name``, the JSON-LD publisher, the part the
  page's titles share) stripped.
- **date**: the article's own stated date — JSON-LD ``datePublished`` of the article object,
  a visible "published" date (``<time>``, a date line, not "آخر تحديث"), the date in the URL,
  ``article:published_time`` — never ``dateModified``/``og:updated_time``; htmldate's
  original-date search last.
- **author**: JSON-LD author persons, a byline (``rel=author``, ``itemprop=author``, an
  author/byline/writer class: "بقلم"، "كتب"، "لندن: ..." stripped), ``<meta name=author>`` —
  never the site or publisher name, never an organisation.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator

from marsad.ingest.meta import date_from_metadata, parse_date_line
from marsad.text.normalize import normalize

_SEPARATORS = re.compile(r"\s+[|\-–—:»«•·/]\s+|\s+::\s+")
_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                  "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
                  "socialmediaposting", "report", "scholarlyarticle", "techarticle"}
_ORG_TYPES = {"organization", "newsmediaorganization", "corporation", "website", "webpage", "brand"}
_AUTHOR_CLASS = re.compile(r"author|byline|writer|writeby|reporter|kateb|katib|contributor", re.I)
_NOT_AUTHOR_CLASS = re.compile(r"author-?(bio|box-desc|desc|image|img|photo|avatar)|date|time", re.I)
_DATE_CLASS = re.compile(r"date|time|publish|posted|timestamp|meta", re.I)
_BYLINE_PREFIX = re.compile(r"^(?:بقلم|كتب|كتبت|كتبه|كتبها|إعداد|اعداد|تقرير|تحرير|بواسطة|مراسل|by|written by)\s*[:\-–]?\s*", re.I)
_CITY_PREFIX = re.compile(r"^[^\s:]{2,15}(?:\s[^\s:]{2,12})?\s*[:：]\s*")
_UPDATED = re.compile(r"تحديث|حدث|updated|modified|تعديل", re.I)
_PUBLISHED = re.compile(r"نشر|تاريخ النشر|published|posted", re.I)
_URL_DATE = (
    re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|$|[^\d])"),
    re.compile(r"/((?:19|20)\d\d)(\d\d)(\d\d)(?:/|[^\d])"),
    re.compile(r"[?&](?:c?date|d)=(\d\d)(\d\d)((?:19|20)\d\d)\b"),
)
_MAX_JSONLD = 200_000  # characters of one JSON-LD block read


def extract_page_meta(html: str, tree=None) -> dict[str, str]:
    """{title, published (YYYY-MM-DD), author, outlet, url} found on the page (keys left out
    when not found)."""
    import lxml.html

    if tree is None:
        try:
            tree = lxml.html.document_fromstring(html)
        except (ValueError, lxml.etree.ParserError):
            return {}
    page = _Page(tree)
    out = {"title": page.title(), "published": page.published(), "author": page.author(),
           "outlet": page.site_names[0] if page.site_names else None, "url": page.url}
    return {k: v for k, v in out.items() if v}


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _walk_jsonld(value: Any, depth: int = 0) -> Iterator[dict]:
    if depth > 8:
        return
    if isinstance(value, list):
        for v in value:
            yield from _walk_jsonld(v, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in value:
                yield from _walk_jsonld(value[key], depth + 1)


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    return {str(x).lower() for x in (t if isinstance(t, list) else [t]) if x}


def _names(value: Any) -> list[tuple[str, set[str]]]:
    """(name, types) of a JSON-LD person/organisation value (a string, an object or a list)."""
    out = []
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, str) and v.strip():
            out.append((v.strip(), set()))
        elif isinstance(v, dict) and isinstance(v.get("name"), str) and v["name"].strip():
            out.append((v["name"].strip(), _types(v)))
    return out


class _Page:
    def __init__(self, tree):
        self.tree = tree
        self.meta: dict[str, str] = {}
        for m in tree.iter("meta"):
            key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
            content = (m.get("content") or "").strip()
            if key and content and key not in self.meta:
                self.meta[key] = content
        self.articles: list[dict] = []  # JSON-LD article objects
        self.jsonld_pages: list[dict] = []
        publishers: list[str] = []
        ids: dict[str, dict] = {}
        for script in tree.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
                continue
            try:
                data = json.loads(script.text[:_MAX_JSONLD])
            except (ValueError, RecursionError):
                continue
            for obj in _walk_jsonld(data):
                if isinstance(obj.get("@id"), str):
                    ids[obj["@id"]] = obj
                types = _types(obj)
                if types & _ARTICLE_TYPES:
                    self.articles.append(obj)
                elif types & {"webpage", "website"}:
                    self.jsonld_pages.append(obj)
                if types & _ORG_TYPES - {"webpage"} and isinstance(obj.get("name"), str):
                    publishers.append(obj["name"])
        for obj in self.articles:
            pub = obj.get("publisher")
            if isinstance(pub, dict) and "@id" in pub and "name" not in pub:
                pub = ids.get(pub["@id"], pub)
            publishers += [n for n, _ in _names(pub)]
        title_el = tree.find(".//title")
        self.html_title = _text(title_el) if title_el is not None else ""
        self.h1s = [t for t in (_text(h) for h in tree.iter("h1")) if t]
        site_names = [self.meta.get("og:site_name"), self.meta.get("application-name"), *publishers]
        self.site_names = list(dict.fromkeys(s.strip() for s in site_names if s and s.strip()))
        self.url = self.meta.get("og:url") or next(
            (ln.get("href") for ln in tree.iter("link") if (ln.get("rel") or "").lower() == "canonical" and ln.get("href")),
            None)

    # ---- site names -----------------------------------------------------------------------

    def _is_site(self, s: str) -> bool:
        k = normalize(s)
        if not k:
            return True
        for site in self.site_names:
            sk = normalize(site)
            if k == sk or (len(k) <= len(sk) + 8 and sk in k) or (len(sk) > 4 and k in sk):
                return True
        host = re.sub(r"^www\.", "", re.sub(r"^https?://([^/]+).*", r"\1", self.url or "")).split(".")[0]
        return bool(host) and len(host) > 3 and k.replace(" ", "") == host.lower()

    def _strip_site(self, title: str) -> str:
        """``title`` without a leading or trailing site name part ("... | الموقع")."""
        parts = _SEPARATORS.split(title)
        if len(parts) < 2:
            return title.strip()
        seps = _SEPARATORS.findall(title)
        # drop site parts from either end
        while len(parts) > 1 and self._is_site(parts[-1]):
            parts.pop()
            seps.pop()
        while len(parts) > 1 and self._is_site(parts[0]):
            parts.pop(0)
            seps.pop(0)
        out = parts[0]
        for sep, part in zip(seps, parts[1:]):
            out += sep + part
        return out.strip()

    # ---- title ----------------------------------------------------------------------------

    def title(self) -> str | None:
        meta_titles = [self._strip_site(t) for t in (
            *(o.get("headline") or o.get("name") for o in self.articles),
            self.meta.get("og:title"), self.meta.get("twitter:title"), self.html_title,
        ) if isinstance(t, str) and t.strip()]
        meta_titles = [t for t in meta_titles if t and not self._is_site(t)]
        keys = [normalize(t) for t in meta_titles]
        # The visible headline: an <h1> (or another heading) that the metadata agrees with.
        headings = self.h1s + [t for t in (_text(h) for h in self.tree.iter("h2", "h3")) if t][:20]
        for h in headings:
            hk = normalize(h)
            if len(hk.split()) < 2 or self._is_site(h):
                continue
            if any(hk == k or (len(k) >= 20 and (hk.startswith(k) or k in hk)) or (len(hk) >= 20 and hk in k)
                   for k in keys):
                return h
        if meta_titles:
            return meta_titles[0]
        return next((h for h in self.h1s if len(h.split()) >= 2 and not self._is_site(h)), None)

    # ---- date -----------------------------------------------------------------------------

    def published(self) -> str | None:
        for get in (self._jsonld_date, self._visible_date, self._url_date, self._meta_date, self._htmldate):
            d = get()
            if d:
                return d
        return None

    def _jsonld_date(self) -> str | None:
        for obj in self.articles:
            for key in ("datePublished", "dateCreated"):
                if isinstance(obj.get(key), str):
                    d = date_from_metadata(obj[key])
                    if d:
                        return d
        return None

    def _visible_date(self) -> str | None:
        for t in self.tree.iter("time"):
            if _UPDATED.search(" ".join(filter(None, (t.get("class"), t.get("itemprop"))))):
                continue
            d = date_from_metadata(t.get("datetime") or "") or _date_in(_text(t))
            if d:
                return d
        for el in self.tree.xpath("//*[@itemprop='datePublished']"):
            d = date_from_metadata(el.get("content") or el.get("datetime") or "") or _date_in(_text(el))
            if d:
                return d
        for el in self.tree.iter("span", "div", "p", "li", "small", "em"):
            cls = " ".join(filter(None, (el.get("class"), el.get("id"))))
            if not cls or not _DATE_CLASS.search(cls) or len(el) > 3:
                continue
            text = _text(el)
            if not text or len(text) > 160:
                continue
            for part in re.split(r"\s*\|\s*|\s{2,}", text) if _UPDATED.search(text) else [text]:
                if _UPDATED.search(part) and not _PUBLISHED.search(part):
                    continue
                d = _date_in(part)
                if d:
                    return d
        return None

    def _url_date(self) -> str | None:
        for pattern in _URL_DATE:
            m = pattern.search(self.url or "")
            if m:
                y, mo, d = (m[3], m[2], m[1]) if len(m[1]) == 2 else (m[1], m[2], m[3])
                iso = date_from_metadata(f"{y}-{int(mo):02d}-{int(d):02d}")
                if iso:
                    return iso
        return None

    def _meta_date(self) -> str | None:
        for key in ("article:published_time", "datepublished", "pubdate", "publishdate", "publish-date",
                    "dc.date.issued", "dc.date", "date", "parsely-pub-date", "sailthru.date", "og:published_time"):
            value = self.meta.get(key)
            if value:
                d = date_from_metadata(value) or date_from_metadata(_compact(value))
                if d:
                    return d
        return None

    def _htmldate(self) -> str | None:
        try:
            from htmldate import find_date

            return find_date(self.tree, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
        except Exception:  # htmldate is a last resort; its failures are not ours to report
            return None

    # ---- author ---------------------------------------------------------------------------

    def author(self) -> str | None:
        for obj in self.articles:
            people = [n for n, types in _names(obj.get("author"))
                      if not types & _ORG_TYPES and self._plausible_author(n)]
            if people:
                return "، ".join(dict.fromkeys(people))
        for name in self._bylines():
            if self._plausible_author(name):
                return name
        meta = self.meta.get("author") or self.meta.get("article:author") or self.meta.get("dc.creator")
        if meta:
            name = _clean_byline(meta)
            if self._plausible_author(name):
                return name
        return None

    def _bylines(self) -> Iterator[str]:
        seen = set()
        els = list(self.tree.xpath("//*[@rel='author'] | //*[@itemprop='author']"))
        for el in self.tree.iter("span", "div", "p", "a", "address", "li", "strong", "b"):
            cls = " ".join(filter(None, (el.get("class"), el.get("id"))))
            if cls and _AUTHOR_CLASS.search(cls) and not _NOT_AUTHOR_CLASS.search(cls):
                els.append(el)
        for el in els:
            if id(el) in seen:
                continue
            seen.add(id(el))
            name_el = el.find(".//*[@itemprop='name']")
            name = _clean_byline(_text(name_el if name_el is not None else el))
            if name:
                yield name

    def _plausible_author(self, name: str) -> bool:
        if not name or len(name) > 80 or len(name.split()) > 8 or re.search(r"https?://|www\.|@|\d", name):
            return False
        if self._is_site(name):
            return False
        k = normalize(name)
        return not re.search(r"وكالات|وكاله|فريق التحرير|هيئه التحرير|المحرر|محرر الموقع|editorial|staff|newsroom", k)


def _clean_byline(text: str) -> str:
    text = " ".join(text.split()).strip(" :–-|،,")
    text = _BYLINE_PREFIX.sub("", text)
    if ":" in text or "：" in text:
        text = _CITY_PREFIX.sub("", text)  # "لندن: سارة العلي"
    return text.strip(" :–-|،,")


def _compact(value: str) -> str:
    """20251203 -> 2025-12-03."""
    m = re.fullmatch(r"((?:19|20)\d\d)(\d\d)(\d\d)", value.strip())
    return f"{m[1]}-{m[2]}-{m[3]}" if m else ""


def _date_in(text: str) -> str | None:
    """A date written in a short visible line ("نشر في: 2025/12/03 5:12 م", "03.12.2025 | 14:05
    GMT", "الأربعاء، 03 ديسمبر 2025 10:00 ص")."""
    text = text.strip()[:160]
    d = parse_date_line(text)
    if d is None:
        for part in re.split(r"\s*[|،,]\s*", text):
            d = parse_date_line(part)
            if d:
                break
    if d is None:
        from marsad.text.normalize import ascii_digits

        t = ascii_digits(text)
        m = re.search(r"\b(\d{1,2})[./-](\d{1,2})[./-]((?:19|20)\d\d)\b", t) or None
        if m:
            d = parse_date_line(f"{m[3]}-{m[2]}-{m[1]}")
        else:
            m = re.search(r"\b((?:19|20)\d\d)[./-](\d{1,2})[./-](\d{1,2})\b", t)
            if m:
                d = parse_date_line(m[0].replace(".", "-"))
            else:
                m = re.search(r"(\d{1,2})\s+([^\d\s،,|]+(?:\s[^\d\s،,|]+)?)\s+((?:19|20)\d\d)", t)
                if m:
                    d = parse_date_line(f"{m[1]} {m[2]} {m[3]}")
    return d.isoformat() if d else None
