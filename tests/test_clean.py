"""Boilerplate removal, headers and repeats: a page written here, and the five seeds."""
from marsad.ingest.clean import clean_page, is_furniture
from marsad.ingest.meta import credited_agencies, outlet_from_lines, parse_date_line

PAGE = """Sorry, you need to enable JavaScript to visit this website.
gettyimages 1122334455 jpg

الحكومة تقر موازنة العام المقبل بعجز أقل

- صحيفة المساء
- 5 مارس 2026
- 3 دقيقة قراءة

أقر مجلس الوزراء، في جلسته الأسبوعية اليوم الخميس، مشروع موازنة العام المقبل بعجز يقل بنحو الربع عن موازنة العام الجاري.

أبرز البنود

وقال وزير المالية سامي الحداد إن الإيرادات المتوقعة ستبلغ 14 مليار دولار، مشيراً إلى أن الإنفاق على الصحة سيرتفع للمرة الأولى منذ خمس سنوات.
رفع مخصصات الصحة بنسبة 12 في المئة.
تجميد التوظيف في القطاع العام باستثناء التعليم.

اقرأ المزيد

أقر مجلس الوزراء، في جلسته الأسبوعية اليوم الخميس، مشروع موازنة العام المقبل بعجز يقل بنحو الربع عن موازنة العام الجاري.

وتحال الموازنة الأسبوع المقبل إلى البرلمان لمناقشتها قبل التصويت عليها في نهاية الشهر، وفق ما نقلته وكالة رويترز.

المزيد من اقتصاد
12 تعليق

Author

Nadia Karam

Nadia Karam is an economics reporter covering budgets and markets.

More From Author
Leave a Reply
Your email address will not be published. Required fields are marked *
"""


def test_page_furniture_header_repeats_and_author_box():
    page = clean_page(PAGE)
    assert page.title == "الحكومة تقر موازنة العام المقبل بعجز أقل"
    assert page.header == ["- صحيفة المساء", "- 5 مارس 2026"]
    assert page.author == "Nadia Karam"
    body = "\n".join(page.paragraphs)
    # content kept: subhead, bullet points, the last paragraph
    assert "أبرز البنود" in page.paragraphs
    assert "رفع مخصصات الصحة بنسبة 12 في المئة." in page.paragraphs
    assert "تجميد التوظيف في القطاع العام باستثناء التعليم." in page.paragraphs
    assert page.paragraphs[-1].startswith("وتحال الموازنة الأسبوع المقبل")
    # furniture gone, each listed once in `removed`
    for line in ("JavaScript", "gettyimages", "دقيقة قراءة", "اقرأ المزيد", "المزيد من اقتصاد", "12 تعليق",
                 "Nadia Karam is", "Leave a Reply", "Your email address"):
        assert line not in body
        assert sum(line in r for r in page.removed) == 1, line
    # the repeated paragraph is dropped once: it stays in the body exactly once
    assert body.count("أقر مجلس الوزراء") == 1
    assert sum(r.startswith("أقر مجلس الوزراء") for r in page.removed) == 1


def test_metadata_helpers():
    assert parse_date_line("٣ ديسمبر ٢٠٢٥").isoformat() == "2025-12-03"
    assert parse_date_line("نشر في: 2025/12/03").isoformat() == "2025-12-03"
    assert parse_date_line("الأربعاء، 3 كانون الأول 2025").isoformat() == "2025-12-03"
    assert parse_date_line("03/12/2025").isoformat() == "2025-12-03"
    assert parse_date_line("قال الوزير في 3 ديسمبر 2025 إن") is None
    assert outlet_from_lines(["- صحيفة المساء", "- 5 مارس 2026"], []) == "صحيفة المساء"
    assert outlet_from_lines([], ["siteweb موقع الخبر اليومي"]) == "موقع الخبر اليومي"
    assert credited_agencies("قالت وكالة تاس الروسية إن ...", []) == ["تاس"]
    assert credited_agencies("شارك تاسعة المتسابقين", []) == []  # تاس inside a word is no credit
    assert credited_agencies("وهي تمثل وكالات الأمم المتحدة", []) == []
    assert credited_agencies("", ["المصدر: وكالات"]) == ["وكالات"]
    assert credited_agencies("ذكرت فرانس برس أن ...", []) == ["فرانس برس"]
    assert is_furniture("2 دقيقة قراءة") and not is_furniture("قراءة في نتائج الانتخابات الأخيرة")


# ---- the five seeds (../shared/corpus/seeds) ---------------------------------------------

def test_seed_titles_outlet_and_date(seed_articles):
    s = seed_articles
    assert s["000"].title == "روسيا تطالب الولايات المتحدة بالتزام الصمت خلال مفاوضات أوكرانيا"
    assert s["001"].title.startswith("جولة مفاوضات \"بناءة\" حول أوكرانيا تفشل في التوصل لاتفاق")
    assert s["002"].title == "ترمب يشيد بمباحثات مبعوثه مع بوتين: أحرزت تقدما كبيرا"
    assert s["004"].title.startswith("مساعد بوتين: المحادثات الروسية الأمريكية")
    assert s["003"].title is None  # 003 has no headline: its first line is the lead paragraph
    assert s["001"].outlet == "Next News"
    assert s["001"].published == "2025-12-03" and s["001"].published_source == "text"
    assert s["003"].outlet == "أخبار سورية الوطن"
    assert "فرانس برس" in s["000"].wire and "فرانس برس" in s["003"].wire
    assert s["004"].author == "Ali Hussain"


BOILERPLATE = {
    "001": ["- Next News", "دقيقة قراءة", "تعليقات"],
    "002": ["enable JavaScript", "اقرأ المزيد", "Related Nodes", "المزيد من دوليات"],
    "003": ["syriahomenews", "وكالات-النهار"],
    "004": ["gettyimages", "Ali Hussain", "award-winning", "More From Author", "Leave a Reply", "Your email address"],
}


def test_seed_boilerplate_is_gone(seed_articles):
    for key, lines in BOILERPLATE.items():
        for line in lines:
            assert line not in seed_articles[key].text, (key, line)
            assert any(line in r for r in seed_articles[key].removed), (key, line)


def test_seed_content_is_kept(seed_articles):
    s = seed_articles
    for bullet in ("تلتزم أوكرانيا بعدم استعادة الأراضي المحتلة", "تحديد حجم القوات المسلحة الأوكرانية بـ 800 ألف جندي",
                   "ربط عضوية أوكرانيا في الناتو", "تُمنح أوكرانيا ضمانات أمنية تعكس المادة 5"):
        assert bullet in s["001"].text
    assert s["001"].text.rstrip().endswith("تطهير المنطقة من الجماعات المعادية\".")
    assert s["004"].text.rstrip().endswith("لصحيفة إزفستيا الروسية.")
    assert "وجاء الاجتماع بين بوتين والولايات المتحدة" in s["004"].text
    assert "مفاوضات أوكرانيا" in s["000"].text.split("\n\n")  # a subhead stays
    assert s["000"].text.rstrip().endswith("الذي اضطر للاستقالة.")
    assert s["003"].text.rstrip().endswith("وذلك باستثناء الأشهر الأولى من الحرب في ربيع 2022.")
    assert "زيلينسكي قال إن روسيا باتت الآن تميل إلى السلام بفضل الضغط" in s["002"].text


def test_seed_002_repeated_block_dropped_once(seed_articles):
    a = seed_articles["002"]
    for start in ("وتطالب موسكو بأن تتخلى كييف رسمياً", "وإضافة إلى ذلك، تشترط موسكو",
                  "جرت بين روسيا وأوكرانيا ثلاث جولات تفاوضية", "وتعتبر كييف هذه الشروط غير مقبولة"):
        assert a.text.count(start) == 1, start
        assert any(start in r for r in a.removed), start
    assert "وإثر عودته للسلطة في يناير" in a.text  # new content after the related box is kept


from hypothesis import given, settings, strategies as st  # noqa: E402

LINES = st.sampled_from([
    "وقال الوزير إن المفاوضات ستستأنف الأسبوع المقبل في العاصمة.",
    "أبرز النقاط", "- موقع الخبر", "- 3 ديسمبر 2025", "2 دقيقة قراءة", "تعليقات", "اقرأ المزيد",
    "Sorry, you need to enable JavaScript to visit this website.", "gettyimages 1 jpg", "Author", "",
    "وأكدت الوزارة في بيان أن الخطة تشمل بناء ثلاثة مستشفيات جديدة خلال عامين في المناطق الريفية.",
    "تجميد الأسعار لمدة ستة أشهر.", "• بند في قائمة", "المزيد من سياسة",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=25))
def test_cleaning_never_invents_or_loses_text(page_lines):
    """Every kept paragraph is an input line, and every non-blank input line is kept, is the
    title or a header line, or is listed in `removed`."""
    raw = "\n".join(page_lines)
    page = clean_page(raw)
    inputs = [ln.strip() for ln in page_lines if ln.strip()]
    for p in page.paragraphs:
        assert p in inputs
    accounted = page.paragraphs + page.removed + ([page.title] if page.title else [])
    for ln in inputs:
        assert ln in accounted


def test_a_line_of_only_direction_marks_is_not_a_paragraph():
    # found by tests/test_fuzz.py: it became an empty paragraph
    from marsad.ingest.clean import clean_page

    page = clean_page("\u200f\n\nنص الخبر الأول هنا\n\u200e\u200b \u200f\nنص آخر")
    assert page.paragraphs and all(page.paragraphs)
