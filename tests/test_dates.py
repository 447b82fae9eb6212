import datetime as dt
import pickle

import pytest
from hypothesis import given, settings, strategies as st

from marsad.doc import Article, check_spans
from marsad.extract.dates import (
    DateExtractor,
    anchor_of,
    extract_dates,
    find_mentions,
    parse_date,
    resolve_relative,
)

WED = dt.date(2025, 12, 3)  # a Wednesday


def dates(text, anchor=None):
    items = extract_dates(text, anchor)
    for item in items:
        assert text[item["start"]:item["end"]] == item["text"]
    return items


def one(text, anchor=None):
    items = dates(text, anchor)
    assert len(items) == 1, items
    return items[0]


def got(text, anchor=None):
    item = one(text, anchor)
    return item["text"], item["date"], item["granularity"], item["resolved_from"]


# --- explicit -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, surface, date",
    [
        ("وصل الوفد في 3 ديسمبر 2025 إلى موسكو.", "3 ديسمبر 2025", "2025-12-03"),
        ("وصل الوفد في ٣ ديسمبر ٢٠٢٥ إلى موسكو.", "٣ ديسمبر ٢٠٢٥", "2025-12-03"),
        ("وصل الوفد في 3 كانون الأول 2025.", "3 كانون الأول 2025", "2025-12-03"),
        ("وصل الوفد في 15 جانفي 2024.", "15 جانفي 2024", "2024-01-15"),
        ("وصل الوفد في 10 نونبر 2023.", "10 نونبر 2023", "2023-11-10"),
        ("وصل الوفد في 4 شتنبر 2023.", "4 شتنبر 2023", "2023-09-04"),
        ("وصل الوفد في 3 كانون الأول/ديسمبر 2025.", "3 كانون الأول/ديسمبر 2025", "2025-12-03"),
        ("وصل الوفد الأربعاء 3 ديسمبر 2025.", "الأربعاء 3 ديسمبر 2025", "2025-12-03"),
        ("وصل الوفد في الأول من يناير 2025.", "الأول من يناير 2025", "2025-01-01"),
        ("عقد الاجتماع في 2025/12/03 بحضور الوزراء.", "2025/12/03", "2025-12-03"),
        ("عقد الاجتماع في 2025-12-03.", "2025-12-03", "2025-12-03"),
        ("عقد الاجتماع في 3/12/2025.", "3/12/2025", "2025-12-03"),
        ("عقد الاجتماع في ٣/١٢/٢٠٢٥.", "٣/١٢/٢٠٢٥", "2025-12-03"),
        ("صدر البيان في 5 رمضان 1446 هـ.", "5 رمضان 1446 هـ", "2025-03-05"),
        ("صدر البيان في ٥ رمضان ١٤٤٦هـ.", "٥ رمضان ١٤٤٦هـ", "2025-03-05"),
        ("صدر القرار بتاريخ 5/ 9/ 1446هـ.", "5/ 9/ 1446هـ", "2025-03-05"),  # numeric Hijri
        ("تدخل حيز التنفيذ قبل السادس من آب/أغسطس 2018.", "السادس من آب/أغسطس 2018", "2018-08-06"),
        ("في الحادي والعشرين من مارس 2018.", "الحادي والعشرين من مارس 2018", "2018-03-21"),
    ],
)
def test_explicit_day_dates(text, surface, date):
    assert got(text) == (surface, date, "day", "explicit")


@pytest.mark.parametrize(
    "text, surface, date, granularity",
    [
        ("حقق أكبر تقدم في نوفمبر/تشرين الثاني عام 2024.", "نوفمبر/تشرين الثاني عام 2024", "2024-11-01", "month"),
        ("حقق أكبر تقدم في تشرين الثاني/نوفمبر عام 2024.", "تشرين الثاني/نوفمبر عام 2024", "2024-11-01", "month"),
        ("تراجع منذ أبريل 2016.", "أبريل 2016", "2016-04-01", "month"),
        ("تراجع منذ فبراير شباط 2018.", "فبراير شباط 2018", "2018-02-01", "month"),
        ("ضمت روسيا القرم عام 2014.", "عام 2014", "2014-01-01", "year"),
        ("بدأت الحرب في ربيع 2022.", "ربيع 2022", "2022-01-01", "year"),
        ("تعمل الشركة منذ 2014 في السوق.", "2014", "2014-01-01", "year"),
        ("صدر في شوال 1446 هـ.", "شوال 1446 هـ", "2025-03-30", "month"),
    ],
)
def test_explicit_month_and_year(text, surface, date, granularity):
    assert got(text) == (surface, date, granularity, "explicit")


def test_year_after_fi_with_unit_is_not_a_date():
    assert dates("أقام المجلس في 2000 منزل مؤقت") == []


@pytest.mark.parametrize(
    "text",
    [
        "مارس الرئيس ضغوطا كبيرة على الحكومة.",  # مارس the verb
        "قال أب الضحية إن ابنه بريء.",
        "تعهد رجب طيب أردوغان بالرد.",  # رجب the name
        "The president may visit soon.",
        "عاد في اليوم التالي إلى بلاده.",  # not "today"
        "منذ ذلك اليوم تغير كل شيء.",
    ],
)
def test_not_dates(text):
    assert dates(text, WED) == []


def test_ambiguous_month_with_context_is_a_date():
    assert got("وقع ذلك في مارس 2024.")[1] == "2024-03-01"
    assert got("وقع ذلك في آب/أغسطس 2024.")[1] == "2024-08-01"


# --- months without a year ----------------------------------------------------------------

def test_month_without_year_needs_published():
    assert dates("حقق أكبر تقدم في نوفمبر/تشرين الثاني الماضي.") == []


@pytest.mark.parametrize(
    "text, anchor, date",
    [
        ("في نوفمبر/تشرين الثاني الماضي.", WED, "2025-11-01"),
        ("في يونيو (حزيران) الماضي.", dt.date(2025, 8, 6), "2025-06-01"),
        ("في ديسمبر الماضي.", WED, "2024-12-01"),  # this month is not "الماضي"
        ("في يناير الماضي.", dt.date(2026, 1, 10), "2025-01-01"),
        ("في يناير المقبل.", WED, "2026-01-01"),
        ("في نوفمبر المقبل.", WED, "2026-11-01"),
        ("في مارس الحالي.", dt.date(2018, 3, 3), "2018-03-01"),
        ("في نوفمبر/تشرين الثاني أطلقت روسيا مسيرات.", WED, "2025-11-01"),  # latest one
        ("يعقد المؤتمر في يناير.", WED, "2026-01-01"),  # a month ahead: the coming one
        ("عاد إلى السلطة في يناير (كانون الثاني).", dt.date(2025, 8, 6), "2025-01-01"),
        ("في أغسطس.", dt.date(2025, 1, 20), "2024-08-01"),
    ],
)
def test_month_without_year_from_published(text, anchor, date):
    item = one(text, anchor)
    assert (item["date"], item["granularity"], item["resolved_from"]) == (date, "month", "published")


def test_month_with_a_relative_year():
    assert got("غابت عن الحفل في ديسمبر (كانون الأول) العام الماضي.", WED)[:2] == (
        "ديسمبر (كانون الأول) العام الماضي", "2024-12-01")
    assert got("يبدأ في يناير من العام المقبل.", WED)[1] == "2026-01-01"


def test_day_and_month_without_year():
    assert got("يصل في 5 يناير.", WED)[1:3] == ("2026-01-05", "day")
    assert got("وصل في 30 نوفمبر.", WED)[1:3] == ("2025-11-30", "day")
    assert got("وصل في 3 ديسمبر الماضي.", dt.date(2025, 12, 10))[1] == "2025-12-03"


# --- relative to the publication date -----------------------------------------------------

@pytest.mark.parametrize(
    "text, surface, date",
    [
        ("أعلن الكرملين مساء الثلاثاء أنه لم يتوصل إلى تسوية.", "مساء الثلاثاء", "2025-12-02"),
        ("قال روبيو في مقابلة بثت الثلاثاء إنه متفائل.", "الثلاثاء", "2025-12-02"),
        ("شدد الكرملين، اليوم الأربعاء، على الصمت.", "اليوم الأربعاء", "2025-12-03"),
        ("ذكر روته صباح اليوم الأربعاء أن الحلفاء يتشاورون.", "صباح اليوم الأربعاء", "2025-12-03"),
        ("غادر في وقت مبكر من صباح اليوم الأربعاء.", "في وقت مبكر من صباح اليوم الأربعاء", "2025-12-03"),
        ("اعترضت الدفاعات 51 مسيرة ليل الثلاثاء- الأربعاء.", "ليل الثلاثاء- الأربعاء", "2025-12-02"),
        ("والإثنين، أعلنت روسيا سيطرتها على المدينة.", "الإثنين", "2025-12-01"),
        ("الأربعاء قال المتحدث إن الوفد وصل.", "الأربعاء", "2025-12-03"),
        ("التقى الوفدان في ميامي يوم الأحد.", "يوم الأحد", "2025-11-30"),
        ("يلتقي الوفدان الثلاثاء المقبل.", "الثلاثاء المقبل", "2025-12-09"),
        ("يلتقي الوفدان الجمعة المقبل.", "الجمعة المقبل", "2025-12-05"),
        ("يلتقي الوفدان الأربعاء المقبل.", "الأربعاء المقبل", "2025-12-10"),
        ("التقى الوفدان الأربعاء الماضي.", "الأربعاء الماضي", "2025-11-26"),
        ("أمهل روسيا حتى الجمعة لوقف هجومها.", "الجمعة", "2025-12-05"),
        ("قال مصدر أمس الثلاثاء إن الوفد سيصل.", "أمس الثلاثاء", "2025-12-02"),
        ("قال مصدر أمس إن الوفد سيصل.", "أمس", "2025-12-02"),
        ("قال مصدر يوم أمس إن الوفد سيصل.", "يوم أمس", "2025-12-02"),
        ("قال مصدر أول أمس إن الوفد سيصل.", "أول أمس", "2025-12-01"),
        ("لدينا اجتماع مع روسيا غداً.", "غداً", "2025-12-04"),
        ("يفتتح الأمير المعرض غد الخميس.", "غد الخميس", "2025-12-04"),
        ("أسقطت 251 مسيرة خلال الليلة الماضية.", "الليلة الماضية", "2025-12-02"),
        ("حذر بوتين في وقت سابق من اليوم من التغييرات.", "في وقت سابق من اليوم", "2025-12-03"),
        ("قال الحاكم في وقت سابق اليوم إن هجوما وقع.", "في وقت سابق اليوم", "2025-12-03"),
        ("ينطلق المؤتمر اليوم في الرياض.", "اليوم", "2025-12-03"),
        ("وقع الهجوم قبل ثلاثة أيام.", "قبل ثلاثة أيام", "2025-11-30"),
        ("وقع الهجوم قبل ٣ أيام.", "قبل ٣ أيام", "2025-11-30"),
        ("أعلن ذلك منذ يومين.", "منذ يومين", "2025-12-01"),
    ],
)
def test_relative_to_published(text, surface, date):
    assert got(text, WED) == (surface, date, "day", "published")


@pytest.mark.parametrize(
    "text, date, granularity",
    [
        ("تراجع الروبل الأسبوع الماضي.", "2025-11-26", "week"),
        ("طرحت الخطة الشهر الماضي.", "2025-11-01", "month"),
        ("ارتفع التضخم هذا العام.", "2025-01-01", "year"),
        ("تراجع النمو العام الماضي.", "2024-01-01", "year"),
        ("يعقد المؤتمر العام المقبل.", "2026-01-01", "year"),
        ("بدأ المشروع قبل شهرين.", "2025-10-01", "month"),
        ("تخرج قبل 7 سنوات.", "2018-01-01", "year"),
        ("يصل الوفد بعد أسبوعين.", "2025-12-17", "week"),
    ],
)
def test_relative_weeks_months_years(text, date, granularity):
    item = one(text, WED)
    assert (item["date"], item["granularity"], item["resolved_from"]) == (date, granularity, "published")


def test_last_month_across_new_year():
    assert one("طرحت الخطة الشهر الماضي.", dt.date(2026, 1, 15))["date"] == "2025-12-01"


def test_weekday_across_month_and_year_ends():
    thu = dt.date(2026, 1, 1)  # Thursday
    assert one("وصل الثلاثاء.", thu)["date"] == "2025-12-30"
    assert one("وصل الجمعة.", thu)["date"] == "2025-12-26"
    assert one("يصل الاثنين المقبل.", thu)["date"] == "2026-01-05"
    assert one("وصل السبت.", dt.date(2025, 3, 2))["date"] == "2025-03-01"  # Sunday 2 March
    assert one("وصل الخميس.", dt.date(2024, 3, 1))["date"] == "2024-02-29"  # leap year


def test_contradicting_weekday_is_not_resolved():
    # published on a Wednesday, the text says "today, Tuesday": nothing is claimed
    assert dates("قال المتحدث اليوم الثلاثاء إن المحادثات مستمرة.", WED) == []
    assert dates("قال المتحدث أمس الأربعاء إن المحادثات مستمرة.", WED) == []


def test_days_before_something_else_are_not_relative_to_published():
    assert dates("وصل قبل يومين من انتهاء المهلة.", WED) == []
    assert dates("الحرب المستمرة منذ ثلاث سنوات ونصف.", WED) == []


def test_without_published_only_explicit_dates():
    text = "قال الكرملين مساء الثلاثاء إن الخطة التي طرحت في 3 ديسمبر 2025 قيد الدرس الشهر الماضي."
    assert [d["text"] for d in dates(text)] == ["3 ديسمبر 2025"]


# --- the component, re-resolution ---------------------------------------------------------

def test_extractor_uses_published():
    art = Article(id="a", source="t", text="أعلن الكرملين مساء الثلاثاء، في نوفمبر/تشرين الثاني عام 2024.", published="2025-12-03")
    ext = pickle.loads(pickle.dumps(DateExtractor()))
    ext(art)
    assert [(d["text"], d["date"], d["resolved_from"]) for d in art.dates] == [
        ("مساء الثلاثاء", "2025-12-02", "published"),
        ("نوفمبر/تشرين الثاني عام 2024", "2024-11-01", "explicit"),
    ]
    assert all(set(d) == {"start", "end", "text", "date", "resolved_from", "granularity", "how"} for d in art.dates)
    assert check_spans(art) == []


def test_reresolve_against_a_story_date():
    art = Article(id="a", source="t", text="أعلن الكرملين مساء الثلاثاء موقفه في 3 ديسمبر 2025.")
    DateExtractor()(art)
    assert [d["text"] for d in art.dates] == ["3 ديسمبر 2025"]
    DateExtractor.reresolve(art, dt.date(2025, 12, 4))
    assert [(d["text"], d["date"], d["resolved_from"]) for d in art.dates] == [
        ("مساء الثلاثاء", "2025-12-02", "story"),
        ("3 ديسمبر 2025", "2025-12-03", "explicit"),
    ]


def test_resolve_relative_one_span():
    text = "أمهل روسيا حتى الجمعة لوقف هجومها، وكان قد التقى بوتين الجمعة."
    spans = [(m.start, m.end) for m in find_mentions(text)]
    assert len(spans) == 2
    first = resolve_relative(text, *spans[0], anchor=WED)
    second = resolve_relative(text, *spans[1], anchor=WED)
    assert (first["date"], first["resolved_from"]) == ("2025-12-05", "story")  # deadline: coming Friday
    assert second["date"] == "2025-11-28"
    assert resolve_relative(text, 0, 3, WED) is None


def test_anchor_of():
    assert anchor_of("2025-12-03") == WED
    assert anchor_of(None) is None
    assert anchor_of("غير معروف") is None


# --- parse_date ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "s",
    [
        "3 ديسمبر 2025",
        "٣ ديسمبر ٢٠٢٥",
        "2025/12/03",
        "2025-12-03",
        "2025-12-03T10:00:00+03:00",
        "03/12/2025",
        "الأربعاء 3 ديسمبر 2025 - 10:30",
        "نشر في: الأربعاء، 3 كانون الأول/ديسمبر 2025",
        "December 3, 2025",
        "12 جمادى الآخرة 1447 هـ",
    ],
)
def test_parse_date(s):
    assert parse_date(s) == WED


@pytest.mark.parametrize("s", ["", "ديسمبر 2025", "منذ ساعتين", "2 دقيقة قراءة", "2025-13-45"])
def test_parse_date_rejects(s):
    assert parse_date(s) is None


# --- properties ---------------------------------------------------------------------------

_WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(0, 6))
def test_weekday_is_the_latest_on_or_before(anchor, wd):
    item = one(f"وقال المتحدث {_WEEKDAYS[wd]} إن", anchor)
    d = dt.date.fromisoformat(item["date"])
    assert d.weekday() == wd and 0 <= (anchor - d).days <= 6


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(1, 12))
def test_month_last_is_before_and_within_a_year(anchor, month):
    names = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
    d = dt.date.fromisoformat(one(f"في {names[month - 1]} الماضي", anchor)["date"])
    assert d.month == month and d < anchor.replace(day=1) and (anchor - d).days <= 366 + 31


_FRAGMENTS = [
    "مساء", "الثلاثاء", "-", "الأربعاء", "اليوم", "أمس", "غداً", "في", "٣", "3", "ديسمبر", "/",
    "تشرين الثاني", "2025", "٢٠٢٥", "عام", "الماضي", "المقبل", "قبل", "ثلاثة", "أيام", "يومين",
    "رمضان", "1446", "هـ", "(", ")", "،", "الشهر", "حتى", "12", "\n\n",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=12),
    st.lists(st.sampled_from(["", " ", "  ", "ّ", "ـ"]), max_size=12),
    st.one_of(st.none(), st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 1, 1))),
)
def test_spans_always_index_the_text(words, seps, anchor):
    text = "".join(w + (seps[i] if i < len(seps) else " ") for i, w in enumerate(words))
    last_end = -1
    for item in extract_dates(text, anchor):
        assert text[item["start"]:item["end"]] == item["text"]
        assert item["start"] >= last_end
        last_end = item["end"]
        dt.date.fromisoformat(item["date"])
        if anchor is None:
            assert item["resolved_from"] == "explicit"


# --- seeds --------------------------------------------------------------------------------

def _seed(seeds_dir, prefix):
    return next(seeds_dir.glob(prefix + "_*.txt")).read_text(encoding="utf-8")


def test_seed_000(seeds_dir):
    items = {(d["text"], d["date"], d["granularity"]) for d in dates(_seed(seeds_dir, "000"), WED)}
    assert ("مساء الثلاثاء", "2025-12-02", "day") in items
    assert ("اليوم الأربعاء", "2025-12-03", "day") in items
    assert ("نوفمبر/تشرين الثاني الماضي", "2025-11-01", "month") in items
    assert ("نوفمبر/تشرين الثاني عام 2024", "2024-11-01", "month") in items


def test_seed_001_publication_line(seeds_dir):
    line = next(l for l in _seed(seeds_dir, "001").splitlines() if "ديسمبر" in l)
    assert parse_date(line.strip("- ")) == WED
