"""Writes the HTML page set (tests/data/html/{dev,heldout}/*.html) and expected.json.

Every page is written for Marsad: fictional sites whose templates mimic the quirks of real
Arabic news sites (site name in og:title or <title>, a logo in <h1>, JSON-LD in @graph, a
publisher where the author should be, a crawl or update date in the metadata and the article's
own date on the page or in the URL, bylines with a city prefix, Levantine month names,
Arabic-Indic digits, relative dates, related links, share bars, cookie notices).

``heldout`` pages were written before the metadata extractor was tuned and are not used to
tune it: bench/html_meta.py reports them separately.

    python tests/data/html/make_pages.py
"""
from __future__ import annotations

import json
import os
import sys
from html import escape

sys.path.insert(0, os.path.dirname(__file__))
from articles import ARTICLES  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NEWSLETTER = "اشترك في نشرتنا البريدية ليصلك ملخص الأخبار كل صباح"
COOKIES = "يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك، بمتابعة التصفح فإنك توافق على ذلك"
COMMENTS = "التعليقات المنشورة لا تعبر عن رأي الموقع وإنما عن رأي أصحابها"
APP = "حمّل تطبيق الموقع على هاتفك لمتابعة آخر الأخبار لحظة بلحظة"


def related(i: int, n: int = 3) -> list[str]:
    return [ARTICLES[(i + k) % len(ARTICLES)]["title"] for k in range(1, n + 1)]


def jsonld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'


def metas(pairs) -> str:
    out = []
    for kind, key, value in pairs:
        out.append(f'<meta {kind}="{key}" content="{escape(value, quote=True)}">')
    return "\n".join(out)


def paras_html(paras, wrap="p") -> str:
    return "\n".join(f"<{wrap}>{escape(p)}</{wrap}>" for p in paras)


def shell(head: str, body: str, lang="ar") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}" dir="rtl">\n<head>\n<meta charset="utf-8">\n{head}\n</head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")


def nav(site: str) -> str:
    items = ["الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "منوعات"]
    return (f'<header class="site-header"><a class="logo" href="/">{escape(site)}</a><nav><ul>'
            + "".join(f'<li><a href="/{k}">{escape(x)}</a></li>' for k, x in enumerate(items)) + "</ul></nav></header>")


def related_block(i: int, label="اقرأ أيضاً") -> str:
    return (f'<aside class="related"><h3>{label}</h3><ul>'
            + "".join(f'<li><a href="/news/{k}">{escape(t)}</a></li>' for k, t in enumerate(related(i))) + "</ul></aside>")


def footer(site: str) -> str:
    return (f'<footer><p>{escape(NEWSLETTER)}</p><form><input type="email"><button>اشترك</button></form>'
            f'<p>جميع الحقوق محفوظة © 2025 {escape(site)}</p></footer>')


# --- the sites: each returns (html, extra boilerplate strings) --------------------------------

def s_qanat(a, i, d):  # JSON-LD NewsArticle; og:title "title | site"; visible d/m/Y date
    site = "قناة المرصد"
    head = (f"<title>{escape(a['title'])} | {site}</title>\n"
            + metas([("property", "og:title", f"{a['title']} | {site}"), ("property", "og:site_name", site),
                     ("property", "og:url", f"https://qanat.example/news/{i}")])
            + jsonld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": a["title"],
                      "datePublished": d["date"] + "T09:15:00+03:00", "dateModified": d["mod"] + "T18:00:00+03:00",
                      "author": {"@type": "Person", "name": d["author"]} if d["author"] else None,
                      "publisher": {"@type": "Organization", "name": site}}))
    y, m, dd = d["date"].split("-")
    body = (nav(site) + f'<main><article><h1 class="article-title">{escape(a["title"])}</h1>'
            f'<div class="meta"><span class="date">{int(dd)}/{int(m)}/{y}</span>'
            + (f'<span class="author">{escape(d["author"])}</span>' if d["author"] else "")
            + f'</div><div class="share">شارك على فيسبوك | تويتر | واتساب</div><div class="article-body">{paras_html(a["paras"])}</div>'
            f"</article>{related_block(i)}</main>{footer(site)}")
    return shell(head, body), [NEWSLETTER]


def s_arabiya(a, i, d):  # og:title is the site name; meta author is the publisher; h1 is the title
    site = "العربية الإخبارية"
    head = (f"<title>{escape(a['title'])}</title>\n"
            + metas([("property", "og:title", site), ("property", "og:site_name", site), ("name", "author", site),
                     ("property", "article:published_time", d["date"] + "T07:00:00Z"),
                     ("property", "article:modified_time", d["mod"] + "T07:00:00Z")]))
    body = (nav(site) + f'<div class="cookie">{COOKIES}</div><article><h1>{escape(a["title"])}</h1>'
            f'<time datetime="{d["date"]}T07:00:00Z">{d["date"]}</time><div class="body">{paras_html(a["paras"])}</div>'
            f"</article>{related_block(i, 'الأكثر قراءة')}{footer(site)}")
    return shell(head, body), [COOKIES]


def s_sky(a, i, d):  # "title - site"; published and modified in meta, both on the page
    site = "أفق نيوز عربية"
    head = (f"<title>{escape(a['title'])} - {site}</title>\n"
            + metas([("property", "og:title", f"{a['title']} - {site}"), ("property", "og:site_name", site),
                     ("property", "article:published_time", d["date"] + "T11:20:00+04:00"),
                     ("property", "article:modified_time", d["mod"] + "T20:45:00+04:00"),
                     ("property", "og:updated_time", d["mod"] + "T20:45:00+04:00")]))
    body = (nav(site) + f'<div class="article"><h1>{escape(a["title"])}</h1><div class="dates">'
            f'<span>نشر في: {d["date"].replace("-", "/")}</span> <span>آخر تحديث: {d["mod"].replace("-", "/")}</span></div>'
            f'<div class="article-content">{paras_html(a["paras"])}</div></div>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_yawm(a, i, d):  # byline "كتب ..."; URL date; metadata holds the crawl date
    site = "اليوم الجديد"
    y, m, dd = d["date"].split("-")
    url = f"https://alyawm.example/story/{y}/{int(m)}/{int(dd)}/{i}"
    months = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
    head = (f"<title>{escape(a['title'])} - {site}</title>\n<link rel=\"canonical\" href=\"{url}\">\n"
            + metas([("property", "og:title", a["title"]), ("property", "og:url", url),
                     ("property", "article:published_time", d["crawl"] + "T02:11:09+00:00")]))
    body = (nav(site) + f'<div id="newsStory"><h1>{escape(a["title"])}</h1>'
            f'<div class="writeby">كتب {escape(d["author"])}</div>'
            f'<div class="newsDate">الأربعاء، {dd} {months[int(m) - 1]} {y} 10:00 ص</div>'
            f'<div id="articleBody">{paras_html(a["paras"])}</div><div class="tags">وسوم: أخبار محلية</div></div>'
            f'{related_block(i)}<div class="app">{APP}</div>{footer(site)}')
    return shell(head, body), [APP]


def s_masri(a, i, d):  # JSON-LD @graph with WebPage, Organization and NewsArticle; two authors
    site = "المصري الجديد"
    authors = [x.strip() for x in d["author"].split("،")]
    head = (f"<title>{site} | {escape(a['title'])}</title>\n"
            + metas([("property", "og:title", f"{a['title']} | {site}"), ("property", "og:site_name", site)])
            + jsonld({"@context": "https://schema.org", "@graph": [
                {"@type": "Organization", "@id": "#org", "name": site},
                {"@type": "WebPage", "name": f"{a['title']} | {site}", "datePublished": d["crawl"] + "T00:00:00+02:00"},
                {"@type": "NewsArticle", "headline": a["title"], "datePublished": d["date"] + "T13:00:00+02:00",
                 "author": [{"@type": "Person", "name": n} for n in authors], "publisher": {"@id": "#org"}}]}))
    body = (nav(site) + f'<section class="news"><h1>{escape(a["title"])}</h1>'
            f'<div class="byline">{"، ".join(escape(n) for n in authors)}</div>'
            f'<div class="news-text">{paras_html(a["paras"])}</div></section>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_awsat(a, i, d):  # meta author = publisher; byline "city: name"
    site = "الشرق اليوم"
    head = (f"<title>{escape(a['title'])} - {site}</title>\n"
            + metas([("property", "og:title", f"{a['title']} - {site}"), ("name", "author", site),
                     ("property", "og:site_name", site), ("property", "article:published_time", d["date"] + "T21:30:00+00:00")]))
    body = (nav(site) + f'<article class="node"><h1 class="node-title">{escape(a["title"])}</h1>'
            f'<div class="field-author"><span class="author">لندن: {escape(d["author"])}</span></div>'
            f'<div class="field-date">{d["date"]}</div>'
            f'<div class="field-body">{paras_html(a["paras"])}</div></article>{related_block(i, "مواضيع ذات صلة")}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_hess(a, i, d):  # JSON-LD author is the publisher organisation; no byline
    site = "هسبرس الإخبارية"
    head = (f"<title>{escape(a['title'])} - {site}</title>\n"
            + metas([("property", "og:title", a["title"]), ("property", "og:site_name", site)])
            + jsonld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": a["title"],
                      "datePublished": d["date"] + "T16:05:00+01:00", "dateModified": d["mod"] + "T09:00:00+01:00",
                      "author": {"@type": "Organization", "name": site},
                      "publisher": {"@type": "Organization", "name": site}}))
    body = (nav(site) + f'<div class="post"><h1 class="post-title">{escape(a["title"])}</h1>'
            f'<div class="post-body">{paras_html(a["paras"])}</div><div class="comments">{COMMENTS}</div></div>'
            f'{related_block(i)}{footer(site)}')
    return shell(head, body), [COMMENTS]


def s_enab(a, i, d):  # WordPress: rel=author, time.entry-date, "title – site"
    site = "عنب المدينة"
    head = (f"<title>{escape(a['title'])} – {site}</title>\n"
            + metas([("property", "og:title", f"{a['title']} – {site}"), ("property", "og:site_name", site),
                     ("property", "article:published_time", d["date"] + "T08:00:00+03:00"),
                     ("property", "article:modified_time", d["mod"] + "T08:00:00+03:00")]))
    body = (nav(site) + f'<div id="content"><article class="post type-post"><header class="entry-header">'
            f'<h1 class="entry-title">{escape(a["title"])}</h1><div class="entry-meta">'
            f'<time class="entry-date published" datetime="{d["date"]}T08:00:00+03:00">{d["date"]}</time>'
            f'<time class="updated" datetime="{d["mod"]}T08:00:00+03:00">{d["mod"]}</time>'
            f' <span class="byline">بواسطة <a rel="author" href="/author/x/">{escape(d["author"])}</a></span></div></header>'
            f'<div class="entry-content">{paras_html(a["paras"])}<div class="sharedaddy">شارك هذا: فيسبوك تويتر</div></div>'
            f'</article>{related_block(i)}</div>{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_rt(a, i, d):  # "title - site" in Latin; dotted date with time zone; source line
    site = "RTA Arabic"
    y, m, dd = d["date"].split("-")
    head = (f"<title>{escape(a['title'])} - {site}</title>\n"
            + metas([("property", "og:title", f"{a['title']} - {site}"), ("property", "og:site_name", site)]))
    body = (nav(site) + f'<div class="article"><h1 class="heading">{escape(a["title"])}</h1>'
            f'<div class="date">{dd}.{m}.{y} | 14:05 GMT</div><div class="text">{paras_html(a["paras"])}'
            f'<p class="source">المصدر: وكالات</p></div></div>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_khaleej(a, i, d):  # <h1> is the logo; the headline is an <h2>; og:title has the site
    site = "الخليج الجديد"
    head = (f"<title>{site} - {escape(a['title'])}</title>\n"
            + metas([("property", "og:title", f"{site} - {a['title']}"), ("property", "og:site_name", site),
                     ("name", "pubdate", d["date"].replace("-", ""))]))
    body = (f'<header><h1 class="logo"><a href="/">{site}</a></h1></header><div class="article">'
            f'<h2 class="article-title">{escape(a["title"])}</h2><div class="byline">بقلم: {escape(d["author"])}</div>'
            f'<div class="article-body">{paras_html(a["paras"])}</div></div>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_indep(a, i, d):  # JSON-LD author as a plain string; twitter:title; late UTC time
    site = "المستقلة عربية"
    head = (f"<title>{escape(a['title'])} | {site}</title>\n"
            + metas([("name", "twitter:title", a["title"]), ("property", "og:title", f"{a['title']} | {site}"),
                     ("property", "og:site_name", site)])
            + jsonld({"@context": "https://schema.org", "@type": "ReportageNewsArticle", "headline": a["title"],
                      "datePublished": d["date"] + "T23:40:00+03:00", "author": d["author"],
                      "publisher": {"@type": "NewsMediaOrganization", "name": site}}))
    body = (nav(site) + f'<div class="page"><h1>{escape(a["title"])}</h1><div class="author-name">{escape(d["author"])}</div>'
            f'<div class="field-name-body">{paras_html(a["paras"])}</div></div>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_bbc(a, i, d):  # "title - site"; only dateModified in JSON-LD; the visible <time> is the date
    site = "بي بي سي نيوز عربي"
    head = (f"<title>{escape(a['title'])} - {site}</title>\n"
            + metas([("property", "og:title", a["title"]), ("property", "og:site_name", site)])
            + jsonld({"@context": "https://schema.org", "@type": "WebPage", "name": a["title"],
                      "dateModified": d["mod"] + "T10:00:00Z", "publisher": {"@type": "Organization", "name": site}}))
    body = (nav(site) + f'<main><h1 id="content">{escape(a["title"])}</h1><time datetime="{d["date"]}">'
            f'{d["date"]}</time><div dir="rtl">{paras_html(a["paras"])}</div>'
            f'<section><h2>قصص ذات صلة</h2>{related_block(i, "")}</section></main>{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_nahar(a, i, d):  # Levantine month names in Arabic-Indic digits; "بقلم"
    site = "النهار الجديد"
    y, m, dd = d["date"].split("-")
    months = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
              "تشرين الثاني", "كانون الأول"]
    ind = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    head = f"<title>{escape(a['title'])} | {site}</title>\n" + metas([("property", "og:site_name", site)])
    body = (nav(site) + f'<div class="articleMain"><h1>{escape(a["title"])}</h1>'
            f'<div class="writer">بقلم: {escape(d["author"])}</div>'
            f'<div class="date">{str(int(dd)).translate(ind)} {months[int(m) - 1]} {y.translate(ind)}</div>'
            f'<div class="articleBody">{paras_html(a["paras"])}</div></div>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_watan(a, i, d):  # URL date /YYYYMMDD/; the page says "منذ 3 ساعات"; no metadata date
    site = "الوطن اليوم"
    url = f"https://alwatan.example/{d['date'].replace('-', '')}/news-{i}.html"
    head = (f"<title>{escape(a['title'])} | {site}</title>\n<link rel=\"canonical\" href=\"{url}\">\n"
            + metas([("property", "og:title", a["title"]), ("property", "og:url", url)]))
    body = (nav(site) + f'<div class="details"><h1>{escape(a["title"])}</h1><span class="time">منذ 3 ساعات</span>'
            f'<div class="details-body">{paras_html(a["paras"])}</div></div>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def s_arabi21(a, i, d):  # site first in og:title; meta author = site; byline div.writer
    site = "عربي اليوم"
    head = (f"<title>{site} | {escape(a['title'])}</title>\n"
            + metas([("property", "og:title", f"{site} | {a['title']}"), ("name", "author", site),
                     ("property", "og:site_name", site)])
            + jsonld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": a["title"],
                      "datePublished": d["date"] + "T05:30:00Z", "dateModified": d["mod"] + "T05:30:00Z",
                      "author": {"@type": "Person", "name": d["author"]}}))
    body = (nav(site) + f'<div class="newsContent"><h1>{escape(a["title"])}</h1><div class="writer">{escape(d["author"])}</div>'
            f'<div class="newsText">{paras_html(a["paras"])}</div></div>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


# --- held-out sites (written before tuning; never tuned on) ----------------------------------

def h_ahram(a, i, d):
    site = "الأهرام المسائي"
    head = (f"<title>{escape(a['title'])} - بوابة {site}</title>\n"
            + metas([("property", "og:title", f"{a['title']} - بوابة {site}"), ("property", "og:site_name", f"بوابة {site}"),
                     ("itemprop", "datePublished", d["date"] + "T12:00:00+02:00"), ("name", "author", f"بوابة {site}")]))
    body = (nav(site) + f'<div class="news-details"><h1 class="title">{escape(a["title"])}</h1>'
            f'<span class="reporter">{escape(d["author"])}</span>'
            f'<div class="body">{paras_html(a["paras"])}</div></div>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def h_quds(a, i, d):
    site = "القدس الجديد"
    head = (f"<title>{escape(a['title'])} | {site}</title>\n"
            + metas([("property", "og:title", a["title"]), ("property", "og:site_name", site),
                     ("property", "article:published_time", d["date"] + "T19:00:00+00:00"),
                     ("property", "article:modified_time", d["mod"] + "T19:00:00+00:00")])
            + jsonld({"@context": "https://schema.org", "@graph": [
                {"@type": "Article", "headline": a["title"], "datePublished": d["date"] + "T19:00:00+00:00",
                 "dateModified": d["mod"] + "T19:00:00+00:00",
                 "author": {"@type": "Person", "name": d["author"]} if d["author"] else {"@type": "Person", "name": site}},
                {"@type": "WebSite", "name": site}]}))
    body = (nav(site) + f'<article><header><h1 class="entry-title">{escape(a["title"])}</h1></header>'
            + (f'<div class="author-box"><a rel="author">{escape(d["author"])}</a></div>' if d["author"] else "")
            + f'<div class="entry-content">{paras_html(a["paras"])}</div></article>{related_block(i)}'
            f'<div class="comments">{COMMENTS}</div>{footer(site)}')
    return shell(head, body), [COMMENTS]


def h_riyadh(a, i, d):
    site = "جريدة الرياض الجديدة"
    y, m, dd = d["date"].split("-")
    months = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
    head = (f"<title>{site} | {escape(a['title'])}</title>\n"
            + metas([("property", "og:title", f"{site} | {a['title']}"), ("property", "og:site_name", site)]))
    body = (nav(site) + f'<div class="article-wrapper"><h1>{escape(a["title"])}</h1>'
            f'<div class="info"><span class="date">{dd} {months[int(m) - 1]} {y}م</span>'
            + (f'<span class="author">{escape(d["author"])}</span>' if d["author"] else "")
            + f'</div><div class="article-text">{paras_html(a["paras"])}</div></div>'
            f'<div class="app">{APP}</div>{related_block(i)}{footer(site)}')
    return shell(head, body), [APP]


def h_shorouk(a, i, d):
    site = "الشروق الجديد"
    url = f"https://shorouk.example/news/view.aspx?cdate={d['date'][8:10]}{d['date'][5:7]}{d['date'][:4]}&id={i}"
    head = (f"<title>{escape(a['title'])} - {site}</title>\n"
            + metas([("property", "og:title", a["title"]), ("property", "og:url", url),
                     ("name", "description", a["paras"][0][:120])]))
    body = (nav(site) + f'<div class="inner"><h1>{escape(a["title"])}</h1>'
            + (f'<div class="auth">كتب - {escape(d["author"])}:</div>' if d["author"] else "")
            + f'<div class="date">نشر في: {d["date"].replace("-", "/")} 5:12 م | آخر تحديث: {d["mod"].replace("-", "/")} 9:00 م</div>'
            f'<div id="article-body">{paras_html(a["paras"])}</div></div>{related_block(i)}{footer(site)}')
    return shell(head, body), [NEWSLETTER]


def h_f24(a, i, d):
    site = "فرانس الدولية"
    head = (f"<title>{escape(a['title'])} - {site}</title>\n"
            + metas([("property", "og:title", f"{a['title']} - {site}"), ("property", "og:site_name", site)])
            + jsonld({"@context": "http://schema.org", "@type": "NewsArticle", "headline": a["title"][:60],
                      "datePublished": d["date"] + "T15:48:12+01:00",
                      "author": [{"@type": "Organization", "name": site}],
                      "publisher": {"@type": "Organization", "name": site}}))
    body = (nav(site) + f'<article class="t-content"><h1 class="t-content__title">{escape(a["title"])}</h1>'
            f'<p class="t-content__chapo">{escape(a["paras"][0])}</p>'
            f'<div class="t-content__body">{paras_html(a["paras"][1:])}</div><p class="m-from-author">{site} / وكالات</p>'
            f'</article>{related_block(i)}<div class="cookie">{COOKIES}</div>{footer(site)}')
    return shell(head, body), [COOKIES]


# (site function, article index, date, modified date, crawl date, author or None)
DEV = [
    (s_qanat, 0, "2025-12-03", "2025-12-04", "2025-12-05", "سامي الخطيب"),
    (s_qanat, 1, "2025-11-18", "2025-11-18", "2025-11-20", None),
    (s_arabiya, 2, "2025-10-07", "2025-10-09", "2025-10-10", None),
    (s_arabiya, 3, "2025-01-15", "2025-01-16", "2025-01-16", None),
    (s_sky, 4, "2025-09-21", "2025-09-23", "2025-09-24", None),
    (s_sky, 5, "2024-12-30", "2025-01-02", "2025-01-03", None),
    (s_yawm, 6, "2025-12-03", "2025-12-03", "2025-12-06", "محمود عبد الرحمن"),
    (s_yawm, 7, "2025-08-09", "2025-08-09", "2025-08-12", "هبة سليمان"),
    (s_masri, 8, "2025-07-14", "2025-07-14", "2025-07-15", "أحمد فتحي، منى شريف"),
    (s_awsat, 9, "2025-06-02", "2025-06-02", "2025-06-03", "سارة العلي"),
    (s_awsat, 10, "2025-02-11", "2025-02-11", "2025-02-13", "وليد حمدان"),
    (s_hess, 11, "2025-05-05", "2025-05-07", "2025-05-08", None),
    (s_enab, 12, "2025-04-19", "2025-04-22", "2025-04-22", "ريم الحسن"),
    (s_enab, 13, "2025-03-28", "2025-03-30", "2025-03-30", "عمر الشامي"),
    (s_rt, 14, "2025-11-02", "2025-11-02", "2025-11-03", None),
    (s_khaleej, 15, "2025-10-25", "2025-10-25", "2025-10-27", "جمال بن راشد"),
    (s_indep, 0, "2025-09-30", "2025-10-01", "2025-10-01", "نادية كمال"),
    (s_bbc, 2, "2025-08-17", "2025-08-20", "2025-08-21", None),
    (s_nahar, 4, "2025-07-01", "2025-07-01", "2025-07-02", "جورج خوري"),
    (s_nahar, 6, "2025-12-25", "2025-12-25", "2025-12-26", "ميراي عون"),
    (s_watan, 8, "2025-06-16", "2025-06-16", "2025-06-16", None),
    (s_arabi21, 10, "2025-05-20", "2025-05-21", "2025-05-22", "محمد الصالح"),
]
HELDOUT = [
    (h_ahram, 1, "2025-11-05", "2025-11-05", "2025-11-06", "إيمان عادل"),
    (h_ahram, 3, "2025-02-27", "2025-02-27", "2025-02-28", "شريف حسن"),
    (h_quds, 5, "2025-09-09", "2025-09-12", "2025-09-12", "رامي أبو زيد"),
    (h_quds, 7, "2025-03-03", "2025-03-05", "2025-03-05", None),
    (h_riyadh, 9, "2025-01-08", "2025-01-08", "2025-01-09", "فهد العتيبي"),
    (h_riyadh, 11, "2025-10-12", "2025-10-12", "2025-10-13", None),
    (h_shorouk, 13, "2025-08-23", "2025-08-24", "2025-08-24", "أسماء محمد"),
    (h_shorouk, 15, "2025-04-04", "2025-04-04", "2025-04-05", None),
    (h_f24, 12, "2025-12-01", "2025-12-01", "2025-12-02", None),
    (h_f24, 14, "2025-07-22", "2025-07-22", "2025-07-23", None),
]


def main() -> None:
    expected = {}
    for split, pages in (("dev", DEV), ("heldout", HELDOUT)):
        os.makedirs(os.path.join(HERE, split), exist_ok=True)
        for n, (fn, idx, date, mod, crawl, author) in enumerate(pages):
            a = ARTICLES[idx]
            html, extra = fn(a, idx, {"date": date, "mod": mod, "crawl": crawl, "author": author})
            name = f"{split}/{n:02d}_{fn.__name__[2:]}.html"
            with open(os.path.join(HERE, name), "w", encoding="utf-8") as fh:
                fh.write(html)
            expected[name] = {"site": fn.__name__[2:], "title": a["title"], "published": date, "author": author,
                              "body": a["paras"], "boilerplate": related(idx) + extra}
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as fh:
        json.dump(expected, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
