import pickle

import pytest
from hypothesis import given, settings, strategies as st

from marsad.doc import Article, check_spans
from marsad.extract.numbers import NumberExtractor, find_numbers, parse_digits


def nums(text):
    items = find_numbers(text)
    for item in items:
        assert text[item["start"]:item["end"]] == item["text"]
    return items


def one(text):
    items = nums(text)
    assert len(items) == 1, items
    return items[0]


def vu(item):
    return item["value"], item["unit"], item["qualifier"]


# --- digits -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, value",
    [
        ("أصيب 12 شخصا في القصف.", 12),
        ("أصيب ١٢ شخصا في القصف.", 12),
        ("تضرر ٣٬٥٠٠ منزل جراء الفيضانات.", 3500),
        ("تضرر 3,500 منزل جراء الفيضانات.", 3500),
        ("بلغ النمو ٢٫٥ في المئة.", 2.5),
        ("بلغ النمو 2.5 في المئة.", 2.5),
        ("بلغ النمو 2,5 في المئة.", 2.5),
        ("سجلت الشركة 1,250,000 مشترك.", 1250000),
    ],
)
def test_digit_forms(text, value):
    assert one(text)["value"] == value


def test_parse_digits():
    assert parse_digits("1.000.000") == 1000000
    assert parse_digits("12,345.5") == 12345.5
    assert parse_digits("1,2,3") is None


def test_int_when_whole_float_otherwise():
    assert isinstance(one("اعتقل 40 شخصا").get("value"), int)
    assert isinstance(one("ارتفع المؤشر 0.5% أمس")["value"], float)


# --- scales, words, duals -----------------------------------------------------------------

@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("حدد حجم الجيش بـ800 ألف جندي.", 800000, "جندي"),
        ("رصدت الحكومة 500 مليون دولار للإعمار.", 500000000, "دولار"),
        ("بلغت الخسائر 1.5 مليار يورو.", 1500000000, "يورو"),
        ("استمرت المحادثات خمس ساعات في الكرملين.", 5, "ساعة"),
        ("عقدت ثلاث جولات تفاوضية في إسطنبول.", 3, "جولة"),
        ("تسلمت موسكو أربع وثائق إضافية.", 4, "وثيقة"),
        ("قتل خمسة وعشرون مدنيا في الغارة.", 25, "مدني"),
        ("فرّ ثلاثة عشر أسيرا من السجن.", 13, "أسير"),
        ("شارك مئتان وخمسون صحفيا في المؤتمر.", 250, "صحفي"),
        ("نزح ثلاثة آلاف شخص من القرى.", 3000, "شخص"),
        ("يعيش نصف مليون لاجئ في المخيمات.", 500000, "لاجئ"),
        ("نزح مليون ونصف مواطن.", 1500000, "مواطن"),
        ("نشر ألفي جندي على الحدود.", 2000, "جندي"),
        ("خصص مليوني دولار للمساعدات.", 2000000, "دولار"),
        ("بلغ الإنتاج ثلاثة ملايين و888 ألف برميل يوميا.", 3888000, "برميل"),
        ("قال الحاكم إن شخصين قتلا في الهجوم.", 2, "شخص"),
        ("قُتل شخصان وأصيب آخرون.", 2, "شخص"),
        ("بينهم طفلان.", 2, "طفل"),
        ("أمضى الوفد ساعتين في الاجتماع.", 2, "ساعة"),
        ("أمضى ثلاث سنوات ونصف في السجن.", 3.5, "سنة"),
        ("تحولت الأزمة بعد سبعة أعوام إلى حرب.", 7, "سنة"),
    ],
)
def test_words_scales_and_units(text, value, unit):
    item = one(text)
    assert (item["value"], item["unit"]) == (value, unit)


def test_span_covers_qualifier_number_and_unit():
    item = one("استمرت المحادثات نحو ثلاث ساعات مع بوتين.")
    assert (item["text"], item["value"], item["unit"], item["qualifier"]) == ("نحو ثلاث ساعات", 3, "ساعة", "نحو")


@pytest.mark.parametrize(
    "text, qualifier, value",
    [
        ("خطة لإنهاء قرابة أربع سنوات من الحرب.", "قرابة", 4),
        ("فرّ حوالي 200 شخص.", "حوالي", 200),
        ("فرّ حوالى 200 شخص.", "حوالي", 200),
        ("دمرت أكثر من 40 دبابة.", "أكثر من", 40),
        ("في أقل من 24 ساعة.", "أقل من", 24),
        ("بصفقات تبلغ ما يزيد على 200 مليون دولار.", "ما يزيد على", 200000000),
        ("قتل ما لا يقل عن عشرين شخصا.", "ما لا يقل عن", 20),
        ("أصيب 12 شخصا على الأقل.", "على الأقل", 12),
        ("بينهم طفلان في الأقل.", "على الأقل", 2),
        ("هاجمت عشرات المسيرات المحطة.", "عشرات", 10),
        ("تظاهر مئات الأشخاص.", "مئات", 100),
        ("فرّ آلاف المدنيين.", "آلاف", 1000),
        ("نزح عشرات الآلاف من السكان.", "عشرات الآلاف", 10000),
    ],
)
def test_qualifiers_and_vague_quantities(text, qualifier, value):
    item = one(text)
    assert (item["qualifier"], item["value"]) == (qualifier, value)


def test_vague_quantity_takes_a_definite_unit():
    assert vu(one("هاجمت عشرات المسيرات المحطة.")) == (10, "مسيرة", "عشرات")


# --- percent, currencies, units -----------------------------------------------------------

@pytest.mark.parametrize(
    "text, value",
    [
        ("زيادة نسبتها 2%.", 2),
        ("زيادة نسبتها ٢٪.", 2),
        ("رسوم إضافية بنسبة 100 في المئة.", 100),
        ("تراجع بنسبة 3 في المائة.", 3),
        ("ارتفع 7 بالمئة.", 7),
        ("لا تقل عن %90 من الحضور.", 90),
        ("ارتفع خمسين في المئة.", 50),
    ],
)
def test_percent(text, value):
    item = one(text)
    assert (item["value"], item["unit"]) == (value, "%")


@pytest.mark.parametrize(
    "text, unit",
    [
        ("بقيمة 30 دولارا.", "دولار"),
        ("بقيمة 30 دولاراً أمريكياً.", "دولار"),
        ("بقيمة 5 دولارات.", "دولار"),
        ("بقيمة 30 يورو.", "يورو"),
        ("بقيمة 30 روبلا.", "روبل"),
        ("بقيمة 30 ريالا.", "ريال"),
        ("بقيمة 30 جنيها إسترلينيا.", "جنيه إسترليني"),
        ("بقيمة 30 جنيها.", "جنيه"),
        ("بقيمة 30 درهما.", "درهم"),
        ("سيطر على 701 كيلومتر مربعة.", "كيلومتر مربع"),
        ("سيطر على 725 كيلومتراً مربّعاً.", "كيلومتر مربع"),
        ("سيطر على 701 كيلومترات مربّعة.", "كيلومتر مربع"),
        ("تقدم 40 كيلومترا.", "كيلومتر"),
        ("أطلقت 5600 مسيّرة وصاروخ.", "مسيرة"),
        ("أسقطت 30 طائرة مسيرة.", "مسيرة"),
        ("أطلقت 12 صاروخا.", "صاروخ"),
        ("خطة من 28 نقطة.", "نقطة"),
        ("انقطعت الإمدادات عن 2500 عميل.", "عميل"),
        ("قتل خمسة أشخاص.", "شخص"),
        ("قتل أربعة جنود.", "جندي"),
    ],
)
def test_units_are_canonical(text, unit):
    assert one(text)["unit"] == unit


def test_unit_after_a_bracketed_number():
    item = one("يتلقى المتدربون (600) ساعة تدريبية.")
    assert (item["text"], item["value"], item["unit"]) == ("(600) ساعة", 600, "ساعة")


def test_unknown_noun_gives_no_unit():
    assert vu(one("أصيب 12 آخرون بجروح.")) == (12, None, None)


# --- ranges -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, low, high, unit",
    [
        ("نشر بين 10 و20 ألف جندي.", 10000, 20000, "جندي"),
        ("يستمر من 3 إلى 5 سنوات.", 3, 5, "سنة"),
        ("قتل بين عشرة وعشرين مسلحا.", 10, 20, None),
        ("قتل بين عشرة وعشرين قتيلا.", 10, 20, "قتيل"),
        ("يستغرق ثلاثة أو أربعة أيام.", 3, 4, "يوم"),
        ("أطلق 10-15 صاروخا.", 10, 15, "صاروخ"),
    ],
)
def test_ranges_are_one_item(text, low, high, unit):
    item = one(text)
    assert (item["value"], item["value_max"], item["unit"]) == (low, high, unit)


def test_compound_is_not_a_range():
    item = one("ما بين خمسة وعشرين وثلاثين شخصا")
    assert (item["value"], item["value_max"]) == (25, 30)


# --- what is not a number -----------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "حقق الجيش أكبر تقدم في نوفمبر/تشرين الثاني عام 2024 على الجبهة.",
        "نشر الخبر في 3 ديسمبر 2025 صباحا.",
        "نشر الخبر في ٣ ديسمبر ٢٠٢٥ صباحا.",
        "جرى ذلك في 2025/12/03.",
        "ضمت روسيا القرم عام 2014.",
        "في ربيع 2022 بدأت الحرب.",
        "في الجولة الأولى والمرحلة الثانية.",
        "وكانت هذه ثاني أكبر عملية.",
        "تعكس المادة 5 من معاهدة الناتو.",
        "وافق على القرار 2231.",
        "وصلت طائرات إف-16 إلى كييف.",
        "شاركت الدول الثلاث في مجموعة السبع.",
        "عقد اجتماع يوم الاثنين.",
        "قال أحد المسؤولين إن شهرا واحدا يكفي.",
        "وفرت كمية كبيرة من الوقود.",
        "لست أدري ماذا حدث.",
        "مصدر الصورة gettyimages 2248985695 jpg",
        "افتتحت الدورة الـ13 للمهرجان.",
        "بدأ الاجتماع الساعة 10:30 صباحا.",
        "وحده ألف كتابا عن الحرب.",
        "وفق المادة (5) من الميثاق.",
        "تفاوض إيران ومجموعة 5+1 على الاتفاق.",
        "سجل الهدف الثاني في الدقيقة 64 من المباراة.",
    ],
)
def test_not_numbers(text):
    assert nums(text) == []


def test_list_numbering_is_not_a_count():
    assert [i["text"] for i in nums("ارتفعت النسبة إلى 80%. 4- وزيادة عدد المستفيدين.")] == ["80%"]


def test_count_next_to_a_date_is_kept():
    items = nums("في نوفمبر/تشرين الثاني عام 2024 والبالغ 725 كيلومترا مربعة")
    assert [(i["value"], i["unit"]) for i in items] == [(725, "كيلومتر مربع")]


def test_year_after_fi_with_a_unit_is_a_count():
    assert vu(one("أقام المجلس في 2000 منزل مؤقت")) == (2000, "منزل", None)


# --- component and invariants -------------------------------------------------------------

def test_extractor_sets_layer_and_pickles():
    art = Article(id="a1", source="t", text="قتل خمسة أشخاص في 3 ديسمبر 2025 وأصيب ١٢ آخرون.")
    ext = pickle.loads(pickle.dumps(NumberExtractor()))
    ext(art)
    assert [(n["value"], n["unit"]) for n in art.numbers] == [(5, "شخص"), (12, None)]
    assert check_spans(art) == []


_FRAGMENTS = [
    "قتل", "نحو", "ثلاث", "ساعات", "٣٬٥٠٠", "2.5", "%", "في المئة", "ألف", "مليون", "دولار",
    "بين", "و20", "-", "ديسمبر", "2025", "عام", "ونصف", "شخصان", "عشرات", "الجنود", "الـ", "بـ",
    "مسيّرة", "كيلومتراً", "مربعة", "،", ".", "\n\n", "على الأقل", "أكثر من", "١٢", "٫", "5",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=14), st.lists(st.sampled_from(["", " ", "  ", "ّ", "ـ"]), max_size=14))
def test_spans_always_index_the_text(words, seps):
    text = "".join(w + (seps[i] if i < len(seps) else " ") for i, w in enumerate(words))
    items = find_numbers(text)
    last_end = -1
    for item in items:
        assert text[item["start"]:item["end"]] == item["text"]
        assert item["start"] >= last_end  # in order, no overlaps
        last_end = item["end"]
        assert isinstance(item["value"], (int, float))


# --- seeds --------------------------------------------------------------------------------

def _seed(seeds_dir, prefix):
    return next(seeds_dir.glob(prefix + "_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "prefix, value, unit, qualifier",
    [
        ("000", 701, "كيلومتر مربع", None),
        ("000", 725, "كيلومتر مربع", None),
        ("000", 5600, "مسيرة", None),
        ("000", 2, "%", None),
        ("000", 4, "سنة", "قرابة"),
        ("001", 800000, "جندي", None),
        ("001", 5, "ساعة", None),
        ("004", 28, "نقطة", None),
        ("004", 3.5, "سنة", None),
        ("002", 500000000, "دولار", None),
        ("002", 2500, "عميل", None),
        ("002", 3, "ساعة", "نحو"),
        ("002", 100, "%", None),
    ],
)
def test_seed_numbers(seeds_dir, prefix, value, unit, qualifier):
    items = nums(_seed(seeds_dir, prefix))
    assert (value, unit, qualifier) in [vu(i) for i in items]


def test_seed_dates_are_not_counts(seeds_dir):
    values = {i["value"] for p in ("000", "001", "003") for i in nums(_seed(seeds_dir, p))}
    assert not values & {2024, 2025, 2022, 3}
