"""Property-based fuzzing (hypothesis) of the text stages: the control-character filter, the
cleaner, the normaliser, the segmenter, the HTML metadata reader, the JSONL reader and every
extractor. No exception, no hang (each document runs under the per-document time budget, so a
hang ends as a reported error, which fails the test), offsets exact."""
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.doc import Article, check_spans
from marsad.ingest import limits
from marsad.ingest.clean import clean_page
from marsad.ingest.meta import date_from_metadata, parse_date_line
from marsad.ingest.page_meta import extract_page_meta
from marsad.ingest.read import IngestError, RawDoc, _read_jsonl
from marsad.text.hygiene import clean_controls, printable
from marsad.text.normalize import normalize, normalize_with_map
from marsad.text.segment import clauses, paragraphs, sentences

WORDS = ("قال", "وقال", "أكد", "الرئيس", "الروسي", "فلاديمير", "بوتين", "دونالد", "ترامب", "وزير", "الخارجية",
         "إن", "أن", "في", "من", "على", "وكالة", "رويترز", "الأناضول", "ديسمبر", "كانون", "الأول", "2025", "٣",
         "15", "3.5", "مليون", "دولار", "%", "نحو", "أمس", "الأحد", "يوم", "الماضي", "منذ", "أيام", "موسكو",
         "كييف", "الكرملين", "المتحدث", "باسم", "بحسب", "وفقاً", "لـ", "نقلاً", "عن", "مساعد", "يوري", "أوشاكوف",
         "الأمم", "المتحدة", "بين", "و20", "ألفا", "هجري", "1447", "هـ", "د.", "م.", "بقلم", "كتب", "نشر في:")
MARKS = (" ", " ", " ", "\n", "\n\n", ".", "،", ":", "«", "»", '"', "“", "”", "(", ")", "-", "/", "؟", "!",
         "\x00", "\x1b", "\u202e", "\u200f", "\u0640", "\u064b", "\r", "\t", "…")
ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى0123456789٠١٢٣٤٥٦٧٨٩.،؛:!؟\"«»“”()-/ \n\x00\x1b\u202e")

texts = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(MARKS), st.text(ALPHABET, max_size=8)),
                 max_size=120).map("".join)
anything = st.one_of(texts, st.text(ALPHABET, max_size=300), st.text(max_size=200))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(anything)
def test_control_filter(s):
    clean = clean_controls(s)
    assert clean_controls(clean) == clean
    assert not any(c in clean for c in "\x00\x07\x1b\x7f\u202e\u2066\x85")
    shown = printable(s)
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 or c in "\u202e\u2066\u2028" for c in shown)


@FAST
@given(anything)
def test_cleaner(s):
    page = clean_page(clean_controls(s))
    for p in page.paragraphs:
        assert p and p == p.strip() and "\n" not in p


@FAST
@given(anything)
def test_normaliser(s):
    key, index = normalize_with_map(s)
    assert len(key) == len(index)
    assert all(0 <= i < len(s) for i in index) and index == sorted(index)
    normalize(s)


@FAST
@given(anything)
def test_segmenter_offsets_are_exact(s):
    last = 0
    for p in paragraphs(s):
        assert s[p.start:p.end] == p.text and p.start >= last
        last = p.end
        inner = p.start
        for sent in sentences(s, p.start, p.end):
            assert s[sent.start:sent.end] == sent.text and p.start <= sent.start and sent.end <= p.end
            assert sent.start >= inner
            inner = sent.end
            for c in clauses(s, sent.start, sent.end):
                assert s[c.start:c.end] == c.text and sent.start <= c.start <= c.end <= sent.end


@FAST
@given(anything)
def test_dates_in_metadata_and_lines(s):
    parse_date_line(s)
    date_from_metadata(s)


_TAGS = st.sampled_from(["<h1>", "</h1>", "<title>", "</title>", "<p>", "</p>", "<time datetime='2025-12-03'>",
                         "</time>", '<meta property="og:title" content="', '<meta name="author" content="',
                         '<meta property="og:site_name" content="', '">', '<script type="application/ld+json">',
                         "</script>", '{"@type": "NewsArticle", "headline": "', '", "author": [{"name": "',
                         '"}], "datePublished": "', '"}', "<div class='byline'>", "</div>", "<span class='date'>",
                         "</span>", "<a rel='author'>", "</a>", "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "<"])
pages = st.lists(st.one_of(_TAGS, texts, st.text(ALPHABET, max_size=20)), max_size=60).map(
    lambda parts: "<html><head>" + "".join(parts) + "</body></html>")


@FAST
@given(pages)
def test_html_metadata(html):
    meta = extract_page_meta(html)
    assert set(meta) <= {"title", "published", "author", "outlet", "url"}
    if "published" in meta:
        assert len(meta["published"]) == 10


_JSON_PIECES = st.sampled_from(['{"text": "', '", "title": "', '", "published": ', '"}', "[", "]", "{", "}", ",",
                                "1e999", "null", '"\\ud800"', '"\\u0000"', "\n", "\r\n", "\xef\xbb\xbf"])


@FAST
@given(st.lists(st.one_of(_JSON_PIECES, texts), max_size=60).map("".join))
def test_jsonl_reader(data):
    fh = io.BufferedReader(io.BytesIO(data.encode("utf-8", "surrogatepass")))
    with limits.use(limits.Limits(max_line_bytes=400, max_depth=6)):
        for item in _read_jsonl("f.jsonl", fh, limits.current()):
            assert isinstance(item, (RawDoc, IngestError))
            if isinstance(item, IngestError):
                assert str(item).startswith("f.jsonl")


@pytest.fixture(scope="module")
def components():
    from marsad.pipeline import article_components

    return article_components()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.sampled_from(["text", "html"]))
def test_every_extractor_keeps_offsets_exact(components, s, fmt):
    from marsad.pipeline import process

    content = s if fmt == "text" else f"<html><body><article><h1>عنوان</h1><p>{s}</p></article></body></html>"
    with limits.use(limits.Limits(time_budget=30)):  # a hang comes back as an error, failing below
        item = process(RawDoc("fuzz.txt", fmt, content), components)
    if isinstance(item, IngestError):
        assert "could not be processed" not in item.problem and "time budget" not in item.problem, item
        return
    assert isinstance(item, Article)
    assert check_spans(item) == []
    assert not any(c in item.text for c in "\x00\x1b\u202e")
    json.dumps(item.to_dict(), ensure_ascii=False).encode("utf-8")  # storable: no lone surrogates
