"""Text reuse: duplicates and syndicated copy down to the shared passages (marsad.link.reuse)."""
from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np

import pytest
from hypothesis import given, settings, strategies as st

from marsad.doc import Article
from marsad.link.reuse import ReuseIndex, find_reuse
from marsad.link.reuse.candidates import BandIndex, _identity, signatures
from marsad.link.reuse.shingling import tokenize
from marsad.text.normalize import normalize
from marsad.store.arrays import pack, unpack

# --- fixtures: an agency story, a reprint with edits, a re-post, an independent story ---------

AGENCY = [
    "الرياض (واس) - دشّن وزير البيئة والمياه والزراعة اليوم الأحد محطة جديدة لتحلية المياه في "
    "مدينة الجبيل بطاقة إنتاجية تبلغ ستمائة ألف متر مكعب يومياً، في إطار خطة الوزارة لرفع الطاقة "
    "الإنتاجية وتلبية الطلب المتزايد على المياه في المنطقة الشرقية.",
    "وأوضح الوزير في كلمة ألقاها خلال حفل التدشين أن المحطة الجديدة تعتمد على تقنية التناضح "
    "العكسي، وأنها ستخفض استهلاك الطاقة بنسبة أربعين في المئة مقارنة بالمحطات الحرارية القديمة، "
    "مشيراً إلى أن تكلفة المشروع بلغت نحو ثلاثة مليارات ريال.",
    "وأضاف أن المرحلة الأولى من المشروع ستغذي مدن الدمام والخبر والظهران والقطيف، على أن تكتمل "
    "المرحلة الثانية مطلع العام المقبل لتشمل محافظة الأحساء وعدداً من القرى المجاورة التي تعاني "
    "من انقطاعات متكررة خلال أشهر الصيف.",
    "من جهته، قال الرئيس التنفيذي للمؤسسة العامة لتحلية المياه المالحة إن المؤسسة تعمل على تنفيذ "
    "سبعة مشاريع مماثلة في مناطق مختلفة من المملكة، وإن نسبة الإنجاز في بعضها تجاوزت ثمانين في "
    "المئة، لافتاً إلى أن القطاع الخاص يساهم في تمويل هذه المشاريع.",
    "وأشار إلى أن المؤسسة وقّعت خلال الأشهر الماضية عقوداً طويلة الأجل مع شركات محلية وأجنبية "
    "لتشغيل المحطات وصيانتها، بما يضمن استمرارية الإمداد ورفع كفاءة الشبكات ونقل الخبرات إلى "
    "الكوادر الوطنية الشابة.",
    "ويأتي تدشين المحطة ضمن مستهدفات برنامج التحول الوطني الذي يسعى إلى خفض الفاقد من المياه إلى "
    "أقل من خمسة عشر في المئة بحلول عام 2020، وتوسيع الاعتماد على مصادر الطاقة المتجددة في تشغيل "
    "محطات التحلية.",
]

# The reprint: its own intro, paragraph 3 dropped, hamza / alef maqsura / ta marbuta spelled
# differently, one word changed, diacritics and tatweel added, a closing line of its own.
REPRINT = [
    "في خطوة طال انتظارها لسكان الساحل الشرقي، باتت مياه الشرب المحلاة تصل قريباً إلى آلاف "
    "المنازل بعد سنوات من الشكاوى.",
    "واوضح الوزير في كلمة القاها خلال حفل التدشين ان المحطة الجديده تعتمد على تقنية التناضح "
    "العكسي، وانها ستخفض استهلاك الطاقه بنسبة اربعين في المائة مقارنة بالمحطات الحرارية القديمة، "
    "مشيرا الى ان تكلفة المشروع بلغت نحو ثلاثة مليارات ريال.",
    "من جهته، أكد الرئيس التنفيذي للمؤسسة العامة لتحلية المياه المالحة أن المؤسسة تعمل على تنفيذ "
    "سبعة مشاريع مماثلة في مناطق مختلفة من المملكة، وأن نسبة الإنجاز في بعضها تجاوزت ثمانين في "
    "المئة، لافتاً إلى أن القطاع الخاص يساهم في تمويل هذه المشاريع.",
    "وأشـار إلى أنّ المؤسسة وقّعت خلال الأشهر الماضية عقوداً طويلة الأجل مع شركات محلية وأجنبية "
    "لتشغيل المحطات وصيانتها، بما يضمن استمرارية الإمداد ورفع كفاءة الشبكات ونقل الخبرات إلى "
    "الكوادر الوطنية الشابّة.",
    "ويأتي تدشين المحطة ضمن مستهدفات برنامج التحول الوطني الذي يسعى إلى خفض الفاقد من المياه إلى "
    "أقل من خمسة عشر في المئة بحلول عام 2020، وتوسيع الاعتماد على مصادر الطاقة المتجددة في تشغيل "
    "محطات التحلية.",
    "يذكر أن الصحيفة ستنشر غداً تقريراً مصوراً من موقع المحطة.",
]

# Same event, written independently: same names and figures, no shared copy.
INDEPENDENT = [
    "افتتح وزير البيئة والمياه والزراعة صباح الأحد في الجبيل أكبر محطة تحلية تعمل بالتناضح "
    "العكسي في الخليج، وتنتج ستمائة ألف متر مكعب كل يوم.",
    "وتقول الوزارة إن المشروع كلّف ثلاثة مليارات ريال، وإن سكان الدمام والخبر والقطيف سيلمسون "
    "الفرق هذا الصيف، فيما تنتظر الأحساء دورها العام المقبل.",
    "ويرى خبراء في قطاع المياه تحدثت إليهم الصحيفة أن التحول عن المحطات الحرارية يوفر كثيراً من "
    "الوقود، لكنه يتطلب صيانة دقيقة للأغشية وتدريباً مستمراً للفنيين السعوديين.",
    "ويشارك القطاع الخاص في تمويل سبعة مشاريع أخرى للتحلية تنفذها المؤسسة العامة في مناطق "
    "متفرقة، بعضها قارب الاكتمال.",
]


def _article(aid: str, paragraphs: list[str], **kw) -> Article:
    return Article(id=aid, source=f"test:{aid}", text="\n\n".join(paragraphs), **kw)


def _paragraph_span(text: str, paragraph: str) -> tuple[int, int]:
    i = text.index(paragraph)
    return i, i + len(paragraph)


def _covered(span: tuple[int, int], passages: list[tuple[int, int]]) -> float:
    s, e = span
    inside = sum(max(0, min(e, pe) - max(s, ps)) for ps, pe in passages)
    return inside / (e - s)


def _words(s: str) -> list[str]:
    return normalize(s).replace("،", " ").replace(".", " ").replace(",", " ").split()


def _check_offsets(pair: dict, by_id: dict[str, Article]) -> None:
    a, b = by_id[pair["a"]].text, by_id[pair["b"]].text
    assert pair["a"] < pair["b"]
    for q in pair["passages"]:
        assert 0 <= q["a_start"] < q["a_end"] <= len(a)
        assert 0 <= q["b_start"] < q["b_end"] <= len(b)
        for t, s, e in ((a, q["a_start"], q["a_end"]), (b, q["b_start"], q["b_end"])):
            # passages begin and end on a word (its diacritics included), never inside one
            assert t[s].isalnum() and (t[e - 1].isalnum() or normalize(t[e - 1]) == "")
            assert s == 0 or not t[s - 1].isalnum()
            assert e == len(t) or not (t[e].isalnum() or normalize(t[e]) == "")
        ratio = difflib.SequenceMatcher(None, _words(a[q["a_start"]:q["a_end"]]),
                                        _words(b[q["b_start"]:q["b_end"]]), autojunk=False).ratio()
        assert ratio >= 0.7  # the same copy, edits included


# --- syndication with edits ------------------------------------------------------------------

def test_reprint_with_edits_is_syndicated_with_the_shared_paragraphs():
    agency = _article("a-agency", AGENCY, wire=["واس"])
    reprint = _article("b-reprint", REPRINT)
    pairs = find_reuse([agency, reprint])
    assert len(pairs) == 1
    pair = pairs[0]
    assert (pair["a"], pair["b"], pair["kind"], pair["agency"]) == ("a-agency", "b-reprint", "syndicated", "واس")
    _check_offsets(pair, {a.id: a for a in (agency, reprint)})

    on_a = [(q["a_start"], q["a_end"]) for q in pair["passages"]]
    on_b = [(q["b_start"], q["b_end"]) for q in pair["passages"]]
    for k in (1, 3, 4, 5):  # shared paragraphs of the agency copy, edits included
        assert _covered(_paragraph_span(agency.text, AGENCY[k]), on_a) >= 0.9, k
    for k in (0, 2):  # the replaced intro and the dropped paragraph
        assert _covered(_paragraph_span(agency.text, AGENCY[k]), on_a) == 0, k
    for k in (1, 2, 3, 4):
        assert _covered(_paragraph_span(reprint.text, REPRINT[k]), on_b) >= 0.9, k
    for k in (0, 5):
        assert _covered(_paragraph_span(reprint.text, REPRINT[k]), on_b) == 0, k
    # the dropped paragraph splits the copy into two passages
    assert len(pair["passages"]) == 2
    assert pair["shared_chars"] == sum(min(q["a_end"] - q["a_start"], q["b_end"] - q["b_start"])
                                       for q in pair["passages"])


def test_agency_named_inside_the_shared_passage():
    paragraphs = list(AGENCY)
    paragraphs[4] = paragraphs[4].replace("وأشار إلى أن", "وأشار في تصريح لوكالة الأنباء السعودية (واس) إلى أن")
    reprint = list(REPRINT)
    reprint[3] = reprint[3].replace("وأشـار إلى أنّ", "وأشار في تصريح لوكالة الأنباء السعودية (واس) إلى أن")
    pairs = find_reuse([_article("a", paragraphs), _article("b", reprint)])
    assert [p["agency"] for p in pairs] == ["واس"]
    pairs = find_reuse([_article("a", AGENCY), _article("b", REPRINT)])
    assert [p["agency"] for p in pairs] == [None]


# --- duplicates --------------------------------------------------------------------------------

def test_same_outlet_repost_with_minor_edits_is_a_duplicate():
    first = _article("post-1", AGENCY, outlet="صحيفة")
    edited = [p.replace("اليوم الأحد", "أمس الأحد").replace("مكعب يومياً", "مكعب يوميا") for p in AGENCY]
    edited[3] = edited[3].replace("مماثلة", "مشابهة")
    second = _article("post-2", edited, outlet="صحيفة")
    pairs = find_reuse([second, first])
    assert [(p["a"], p["b"], p["kind"]) for p in pairs] == [("post-1", "post-2", "duplicate")]
    _check_offsets(pairs[0], {a.id: a for a in (first, second)})
    covered = sum(q["a_end"] - q["a_start"] for q in pairs[0]["passages"])
    assert covered >= 0.9 * len(first.text)


def test_offsets_shift_with_a_prefix_of_the_other_text():
    base = _article("x1", AGENCY)
    prefix = "تنويه من المحرر: نعيد نشر هذا الخبر بعد تصحيح خطأ في العنوان.\n\n"
    shifted = Article(id="x2", source="test:x2", text=prefix + base.text)
    (pair,) = find_reuse([base, shifted])
    assert pair["kind"] == "duplicate"
    for q in pair["passages"]:
        assert q["b_start"] - q["a_start"] == len(prefix)
        assert q["b_end"] - q["a_end"] == len(prefix)
        assert base.text[q["a_start"]:q["a_end"]] == shifted.text[q["b_start"]:q["b_end"]]


_MARKS = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u0640"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(_MARKS)), max_size=40))
def test_diacritics_and_tatweel_do_not_move_passages(marks):
    """Vocalising or stretching words in one copy changes no passage boundary on the other side,
    and every passage still begins and ends on a word."""
    base = _article("m1", AGENCY)
    text = REPRINT and "\n\n".join(REPRINT)
    chars = list(text)
    # insert marks only after Arabic letters, so that words stay words
    for pos, mark in sorted(marks, reverse=True):
        i = pos % len(chars)
        if "\u0621" <= chars[i] <= "\u064a":
            chars.insert(i + 1, mark)
    marked = Article(id="m2", source="test:m2", text="".join(chars))
    plain = Article(id="m2", source="test:m2", text=text)
    got, ref = find_reuse([base, marked]), find_reuse([base, plain])
    assert [(p["kind"], len(p["passages"])) for p in got] == [(p["kind"], len(p["passages"])) for p in ref]
    for p, r in zip(got, ref):
        assert [(q["a_start"], q["a_end"]) for q in p["passages"]] == [(q["a_start"], q["a_end"]) for q in r["passages"]]
        _check_offsets(p, {"m1": base, "m2": marked})


# --- no link ---------------------------------------------------------------------------------------

def test_same_topic_without_shared_copy_gives_no_pair():
    assert find_reuse([_article("a", AGENCY), _article("b", INDEPENDENT)]) == []


def test_stock_formula_alone_gives_no_pair():
    formula = ("برعاية خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز آل سعود حفظه الله وبحضور صاحب "
               "السمو الملكي الأمير محمد بن سلمان بن عبدالعزيز ولي العهد")
    one = _article("f1", [formula + " افتتح معرض الكتاب الدولي أبوابه للزوار بمشاركة خمسمائة دار نشر من "
                                     "ثلاثين دولة، ويستمر عشرة أيام."])
    two = _article("f2", [formula + " انطلقت أعمال المؤتمر الطبي السنوي لجراحة القلب بمشاركة مئات "
                                     "الأطباء من داخل المملكة وخارجها."])
    assert find_reuse([one, two]) == []


CABLE = (
    "بعث خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز آل سعود برقية تهنئة لفخامة الرئيس {name} "
    "رئيس جمهورية {country} بمناسبة ذكرى استقلال بلاده. وأعرب الملك المفدى باسمه واسم شعب وحكومة "
    "المملكة العربية السعودية عن أصدق التهاني وأطيب التمنيات بالصحة والسعادة لفخامته، ولحكومة وشعب "
    "جمهورية {country} الصديق اطراد التقدم والازدهار.\n\nكما بعث صاحب السمو الملكي ولي العهد برقية "
    "تهنئة مماثلة عبّر فيها عن أبلغ التهاني وأطيب التمنيات بموفور الصحة والسعادة لفخامته، ولحكومة "
    "وشعب جمهورية {country} الصديق المزيد من التقدم والازدهار."
)
COUNTRIES = [
    ("بيرو", "أولانتا هومالا"), ("كولومبيا", "خوان مانويل سانتوس"), ("تشاد", "إدريس ديبي"),
    ("المالديف", "عبدالله يمين"), ("سنغافورة", "توني تان"), ("ليبيريا", "إلين جونسون"),
    ("بوركينا فاسو", "ميشيل كافاندو"), ("النيجر", "محمدو يوسفو"), ("بنين", "توماس بوني يايي"),
    ("ساحل العاج", "الحسن واتارا"), ("الغابون", "علي بونغو"), ("الكونغو", "دنيس ساسو"),
    ("جامايكا", "بورتيا سيمبسون"), ("بوليفيا", "إيفو موراليس"), ("الإكوادور", "رافائيل كوريا"),
    ("السنغال", "ماكي سال"), ("مالي", "إبراهيم بوبكر كيتا"), ("غانا", "جون ماهاما"),
    ("كينيا", "أوهورو كينياتا"), ("أوغندا", "يويري موسيفيني"), ("زامبيا", "إدغار لونغو"),
    ("ملاوي", "بيتر موثاريكا"), ("أنغولا", "خوسيه إدواردو"), ("الأرجنتين", "كريستينا فرنانديز"),
]


def test_template_cables_are_not_copy_but_a_reprinted_cable_is():
    """Two dozen congratulation cables share long template sentences and differ only in names:
    none is the copy of another. The same cable printed by a second outlet is."""
    cables = [Article(id=f"c{k:02d}", source="test", text=CABLE.format(name=n, country=c))
              for k, (c, n) in enumerate(COUNTRIES)]
    reprint = Article(id="c99", source="test", text=cables[3].text.replace("الملك المفدى", "الملك"))
    pairs = find_reuse(cables + [reprint])
    assert [(p["a"], p["b"], p["kind"]) for p in pairs] == [("c03", "c99", "duplicate")]
    # with only three cables nothing marks the sentences as template: they do link
    assert len(find_reuse(cables[:3])) == 3


# --- incremental index ------------------------------------------------------------------------

def test_incremental_index_survives_serialisation():
    agency, reprint, other = _article("a", AGENCY), _article("b", REPRINT), _article("c", INDEPENDENT)
    index = ReuseIndex()
    assert index.add(agency) == []
    assert index.add(other) == []
    first = unpack(pack(index.take_segment()))  # plain arrays, as the store keeps them
    df = unpack(pack(index.df_snapshot()))
    restored = ReuseIndex.from_segments([first], df)
    assert len(restored) == 2 and "a" in restored
    new_pairs = restored.add(reprint)
    assert [(p["a"], p["b"]) for p in new_pairs] == [("a", "b")]
    assert new_pairs == find_reuse([agency, other, reprint])
    assert restored.add(reprint) == []  # an id is indexed once
    # appended segments rebuild the grown index; without the df snapshot it is recounted
    second = unpack(pack(restored.take_segment()))
    assert second["ids"].tolist() == ["b"]
    again = ReuseIndex.from_segments([first, second])
    assert len(again) == 3 and np.array_equal(again._df._table, restored._df._table)
    assert again.add(reprint) == []
    with pytest.raises(ValueError):
        ReuseIndex.from_segments([second])  # a segment out of place is refused
    with pytest.raises(TypeError):
        pack({"bad": np.array([{"not": "an array"}], dtype=object)})


def test_bucket_cap_silences_boilerplate_buckets():
    index = BandIndex(bands=2, rows=1, cap=3)
    keys = np.array([[11, 12]], dtype=np.uint64)
    assert index.query_insert(keys, 1) == set()
    assert index.query_insert(keys, 2) == {1}
    assert index.query_insert(keys, 3) == {1, 2}
    assert index.query_insert(keys, 4) == set()  # full: boilerplate, no candidates
    index.flush()
    assert index.query_insert(keys, 5) == set()
    assert index.query_insert(np.array([[13, 12]], dtype=np.uint64), 6) == set()


def test_signatures_are_datasketch_minhashes():
    from datasketch import MinHash

    rng = np.random.default_rng(0)
    sets = [rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32) for n in (1, 7, 300)]
    ours = signatures(sets, 50)
    theirs = [m.hashvalues for m in MinHash.bulk([s.tolist() for s in sets], num_perm=50, seed=1, hashfunc=_identity)]
    assert (ours == np.stack(theirs)).all()


def test_tokens_keep_exact_offsets_in_vocalised_text():
    text = "قالَ المستشارُ الدبلوماسيّ: «بنّاءة» ٧٠١ كيلومترٍ مربّعة، و3.5 في المئة"
    tokens = tokenize(text)
    words = [text[s:e] for s, e in zip(tokens.starts, tokens.ends)]
    assert words == ["قالَ", "المستشارُ", "الدبلوماسيّ", "بنّاءة", "٧٠١", "كيلومترٍ", "مربّعة", "و", "3.5", "في", "المئة"]
    same = tokenize("قال المستشار الدبلوماسي بناءه 701 كيلومتر مربعه")
    assert tokens.hashes[:7].tolist() == same.hashes.tolist()


# --- the seed articles ---------------------------------------------------------------------------

SHARED_000_003 = [
    "حتى الآن لم نتوصل إلى تسوية لكن من الممكن مناقشة بعض المقترحات الأميركية",
    "المحادثات كانت مفيدة وبناءة للغاية",
    "تم إحراز «بعض التقدم» في المحادثات مع روسيا لإنهاء الحرب مع أوكرانيا",
    "فيما تواصل القوات الروسية ضغطها على أوكرانيا",
    "لبيانات صادرة عن معهد دراسة الحرب",
    "سيطرت روسيا على 701 كيلومتر مربعة",
    "والبالغ 725 كيلومترا مربعة",
]


def _check_seed_pairs(articles: dict[str, Article]) -> None:
    pairs = find_reuse(list(articles.values()))
    name = {a.id: k for k, a in articles.items()}
    assert [tuple(sorted((name[p["a"]], name[p["b"]]))) for p in pairs] == [("000", "003")]
    pair = pairs[0]
    assert pair["kind"] == "syndicated"
    _check_offsets(pair, {a.id: a for a in articles.values()})
    a = articles["000"]
    side = "a" if pair["a"] == a.id else "b"
    passages = [a.text[q[f"{side}_start"]:q[f"{side}_end"]] for q in pair["passages"]]
    for sentence in SHARED_000_003:
        assert any(sentence in p for p in passages), sentence
    assert not any("يرماك" in p or "بيسكوف" in p for p in passages)


def test_seed_000_and_003_share_the_afp_paragraphs(seed_articles):
    _check_seed_pairs(seed_articles)
    pair = find_reuse(list(seed_articles.values()))[0]
    assert pair["agency"] == "فرانس برس"


def test_seed_raw_files(seeds_dir):
    articles = {p.name[:3]: Article(id=p.name, source=str(p), text=p.read_text(encoding="utf-8"))
                for p in sorted(Path(seeds_dir).glob("*.txt"))}
    _check_seed_pairs(articles)
