"""Each input format and encoding, folders and compression; fixtures are written here."""
import gzip
import json

import pytest

from marsad.ingest.build import build_articles
from marsad.ingest.read import IngestError

PAGE = (
    "وزير المالية يعلن خطة جديدة لدعم الصادرات\n"
    "- صحيفة الأفق\n"
    "- 12 مارس 2026\n\n"
    "أعلن وزير المالية سامي الحداد، اليوم الخميس، خطة جديدة لدعم الصادرات الزراعية بقيمة 300 مليون دولار.\n\n"
    "وقال الحداد إن الخطة «ستفتح أسواقاً جديدة أمام المزارعين» خلال العامين المقبلين.\n"
)


def _one(path):
    items = list(build_articles([str(path)]))
    assert len(items) == 1, items
    assert not isinstance(items[0], IngestError), str(items[0])
    return items[0]


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1256"],
)
def test_text_page_in_each_encoding(tmp_path, encoding):
    path = tmp_path / f"page-{encoding}.txt"
    path.write_bytes(PAGE.encode(encoding))
    a = _one(path)
    assert a.title == "وزير المالية يعلن خطة جديدة لدعم الصادرات"
    assert a.outlet == "صحيفة الأفق"
    assert a.published == "2026-03-12" and a.published_source == "text"
    assert a.text.startswith("أعلن وزير المالية سامي الحداد")
    assert a.text.endswith("خلال العامين المقبلين.")
    assert "\n\n" in a.text and a.language == "ar"


def test_arabic_indic_date_line(tmp_path):
    path = tmp_path / "indic.txt"
    path.write_text(PAGE.replace("12 مارس 2026", "١٢ مارس ٢٠٢٦"), encoding="utf-8")
    assert _one(path).published == "2026-03-12"


def test_same_content_gives_same_id_whatever_the_encoding(tmp_path):
    (tmp_path / "a.txt").write_bytes(PAGE.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(PAGE.encode("cp1256"))
    a, b = list(build_articles([str(tmp_path)]))
    assert a.id == b.id


HTML = """<!doctype html><html dir="rtl" lang="ar"><head><meta charset="utf-8">
<title>انتخابات بلدية في المدينة | موقع الأخبار</title>
<meta property="og:title" content="انتخابات بلدية في المدينة">
<meta property="og:site_name" content="موقع الأخبار">
<meta name="author" content="ليلى منصور">
<meta property="article:published_time" content="2026-03-10T09:30:00+02:00">
</head><body><nav><a href="/">الرئيسية</a> <a href="/sport">رياضة</a></nav>
<article><h1>انتخابات بلدية في المدينة</h1>
<p>توجه آلاف الناخبين صباح اليوم الثلاثاء إلى مراكز الاقتراع لاختيار أعضاء المجلس البلدي الجديد في أول انتخابات محلية منذ ست سنوات.</p>
<p>وقالت رئيسة اللجنة العليا للانتخابات هدى الخطيب إن نسبة المشاركة بلغت 41 في المئة حتى الظهر، مؤكدة أن العملية تجري بهدوء.</p>
<p>ويتنافس 212 مرشحاً على 30 مقعداً، بينهم 48 امرأة، وفق الأرقام الرسمية التي نشرتها اللجنة.</p>
</article><aside><h3>أخبار ذات صلة</h3><ul><li><a href="/x">خبر آخر</a></li></ul></aside>
<footer>جميع الحقوق محفوظة © 2026</footer></body></html>"""


def test_html_page_uses_trafilatura_and_page_metadata(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    a = _one(path)
    assert a.title == "انتخابات بلدية في المدينة"
    assert a.outlet == "موقع الأخبار"
    assert a.author == "ليلى منصور"
    assert a.published == "2026-03-10" and a.published_source == "metadata"
    assert "نسبة المشاركة بلغت 41 في المئة" in a.text
    assert "جميع الحقوق محفوظة" not in a.text and "الرئيسية" not in a.text


def _records():
    return [
        {"id": "r1", "url": "https://example-news.test/1", "outlet": "وكالة المثال", "published": "2026-03-09T08:00:00+03:00",
         "title": "افتتاح معرض الكتاب", "author": "سعاد الراشد", "text": "افتتح وزير الثقافة معرض الكتاب الدولي في دورته العشرين بمشاركة 400 دار نشر.\n\nويستمر المعرض عشرة أيام."},
        {"id": "r2", "url": "https://example-news.test/2", "title": "مباراة الديربي",
         "html": "<html><body><article><p>فاز الفريق الأزرق على منافسه التقليدي بثلاثة أهداف مقابل هدف في مباراة مثيرة شهدها الملعب الوطني مساء أمس.</p><p>وسجل المهاجم الشاب هدفين في الشوط الثاني وسط هتافات الجماهير التي ملأت المدرجات.</p></article></body></html>"},
    ]


def test_jsonl_and_jsonl_gz(tmp_path):
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in _records()) + "\n"
    (tmp_path / "plain.jsonl").write_text(lines, encoding="utf-8")
    (tmp_path / "packed.jsonl.gz").write_bytes(gzip.compress(lines.encode("utf-8")))
    for name in ("plain.jsonl", "packed.jsonl.gz"):
        items = list(build_articles([str(tmp_path / name)]))
        assert [type(i).__name__ for i in items] == ["Article", "Article"]
        first, second = items
        assert first.source == "https://example-news.test/1" and first.url == first.source
        assert first.outlet == "وكالة المثال" and first.author == "سعاد الراشد"
        assert first.published == "2026-03-09" and first.published_source == "metadata"
        assert first.title == "افتتاح معرض الكتاب"
        assert first.text.endswith("ويستمر المعرض عشرة أيام.")
        assert second.title == "مباراة الديربي" and "بثلاثة أهداف" in second.text


def test_gzipped_text_and_recursive_folders(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt.gz").write_bytes(gzip.compress(PAGE.encode("utf-8")))
    (tmp_path / "a" / "notes.md").write_text("# not an input", encoding="utf-8")
    items = list(build_articles([str(tmp_path)]))
    assert len(items) == 1 and items[0].title.startswith("وزير المالية")
    assert items[0].source.endswith("deep.txt.gz")


def test_jsonl_in_utf16_and_a_line_with_bad_bytes(tmp_path):
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in _records()[:1]) + "\n"
    (tmp_path / "u16.jsonl").write_bytes(lines.encode("utf-16"))
    [a] = list(build_articles([str(tmp_path / "u16.jsonl")]))
    assert a.title == "افتتاح معرض الكتاب"
    (tmp_path / "bad.jsonl").write_bytes(lines.encode("utf-8") + b'{"text": "\xff\xfe"}\n')
    first, second = list(build_articles([str(tmp_path / "bad.jsonl")]))
    assert first.title == "افتتاح معرض الكتاب"
    assert isinstance(second, IngestError) and second.line == 2 and "undecodable" in second.problem


def test_a_date_stated_in_the_page_wins_over_metadata(tmp_path):
    rec = dict(_records()[0], text="- 7 مارس 2026\n\n" + _records()[0]["text"])
    (tmp_path / "r.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    [a] = list(build_articles([str(tmp_path / "r.jsonl")]))
    assert (a.published, a.published_source) == ("2026-03-07", "text")
