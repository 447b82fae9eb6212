"""Template news of one actor told apart by the slot that differs (issue 13): the ordinal of a
relief flight, the guest of an audience; and what must not count as a slot (a monarch's or a
month's ordinal, a quoted spokesman, another spelling of a name). Fixtures are short Arabic news
items written for these tests."""
from __future__ import annotations

import numpy as np
import pytest

from marsad.doc import Article, article_id
from marsad.link.stories import cluster_stories
from marsad.link.stories.features import article_features
from marsad.link.stories.slots import _person_words, counterpart_clash, ordinal_clash, ordinals, same_person
from tests.test_story_events import annotated, together, use  # noqa: F401  (use: a shared fixture)


def art(text: str, outlet: str, published: str | None = None) -> Article:
    return Article(id=article_id(None, text), source=f"test:{outlet}", text=text, outlet=outlet, published=published)


PLANE = ("وصلت اليوم الطائرة الإغاثية {n} إلى مطار عدن الدولي محملة بعشرة أطنان من الأدوية والمستلزمات الطبية، "
         "ضمن الجسر الجوي الذي أطلقه مركز الإغاثة لمساعدة المتضررين في اليمن.\n\nوكان في استقبال الطائرة "
         "مسؤولون من وزارة الصحة اليمنية ومن السلطة المحلية في عدن.")
PLANE_4 = art(PLANE.format(n="الرابعة"), "Outlet A", "2026-03-01")
PLANE_4_AGAIN = art(
    "هبطت في مطار عدن الدولي اليوم رابع طائرة إغاثية تحمل عشرة أطنان من الأدوية والمستلزمات الطبية، في إطار "
    "الجسر الجوي لمركز الإغاثة لمساعدة المتضررين في اليمن.\n\nوتسلم الشحنة مسؤولون من وزارة الصحة اليمنية.",
    "Outlet B", "2026-03-01")
PLANE_5 = art(PLANE.format(n="الخامسة"), "Outlet A", "2026-03-03")

AUDIENCE = ("استقبل الملك سلمان بن عبدالعزيز في قصر السلام بجدة اليوم {guest} والوفد المرافق له، وجرى "
            "خلال الاستقبال استعراض العلاقات الثنائية وتطورات الأوضاع في المنطقة.\n\nحضر الاستقبال عدد من "
            "الأمراء والوزراء وكبار المسؤولين.")
AUDIENCE_CARTER = art(AUDIENCE.format(guest="وزير الدفاع الأمريكي اشتون كارتر"), "Outlet A")
AUDIENCE_SHOUKRY = art(AUDIENCE.format(guest="وزير الخارجية المصري سامح شكري"), "Outlet B")


def test_relief_flights_differing_by_ordinal_stay_apart_and_one_flight_stays_one(use):
    stories = cluster_stories(annotated([PLANE_4, PLANE_4_AGAIN, PLANE_5]), [], embedder=use)
    assert together(stories, PLANE_4, PLANE_4_AGAIN), [s["articles"] for s in stories]
    assert not together(stories, PLANE_4, PLANE_5)


def test_relief_flights_differing_by_ordinal_stay_apart_without_dates(use):
    bare = [art(a.text, a.outlet) for a in (PLANE_4, PLANE_5)]
    stories = cluster_stories(annotated(bare), [], embedder=use)
    assert not together(stories, *bare)


def test_one_host_with_another_guest_is_another_audience(use):
    stories = cluster_stories(annotated([AUDIENCE_CARTER, AUDIENCE_SHOUKRY]), [], embedder=use)
    assert not together(stories, AUDIENCE_CARTER, AUDIENCE_SHOUKRY)


def test_slots_of_the_fixtures():
    a, b, c = (article_features(x) for x in annotated([PLANE_4, PLANE_4_AGAIN, PLANE_5]))
    assert list(a.ordinals) == list(b.ordinals) == [4] and list(c.ordinals) == [5]
    assert ordinal_clash(a, c) and not ordinal_clash(a, b)
    carter, shoukry = (article_features(x) for x in annotated([AUDIENCE_CARTER, AUDIENCE_SHOUKRY]))
    assert counterpart_clash(carter, shoukry)
    assert ordinal_clash(carter, shoukry) is None  # neither states an ordinal: no verdict


@pytest.mark.parametrize("text, expected", [
    ("وصول رابع طائرة مساعدات إلى عدن", [4]),
    ("الرئيس يدخل المستشفى للمرة الثالثة خلال أسبوع", [3]),
    ("استقبل الملك عبدالله الثاني الوفد", []),  # a monarch's name
    ("في الأول من تشرين الأول", []),  # a date and a month
    ("انفجار في ثاني أكبر مدن البلاد", []),  # a rank among others
    ("استشهاد الجندي أول يحيى", []),  # a military rank
    ("ولي ولي العهد النائب الثاني لرئيس مجلس الوزراء", []),  # an office
])
def test_ordinals_that_count_events(text, expected):
    assert list(ordinals(text)) == expected


def test_same_person_reads_names_not_fathers():
    def name(text: str) -> tuple[int, ...]:
        return tuple(_person_words(text))

    assert same_person(name("عنان"), name("كوفي عنان"))
    assert same_person(name("كوفي عنان"), name("كوفي أنان"))  # spellings of one foreign name
    assert same_person(name("دونالد ترامب"), name("دونالد ترمب"))
    assert same_person(name("سلمان بن عبد العزيز"), name("سلمان بن عبدالعزيز آل سعود"))
    assert not same_person(name("محمد بن سلمان"), name("سلمان بن عبدالعزيز"))  # a father's name
    assert not same_person(name("محمد بن نايف"), name("محمد بن سلمان"))


def test_a_quoted_spokesman_is_not_a_slot():
    quoted = art("قال المتحدث باسم الدفاع المدني أحمد سالم إن حريقا ضخما اندلع في مستودع للوقود بميناء "
                 "طرابلس فجر الثلاثاء وأسفر عن مقتل أربعة عمال.\n\nوأضاف أن فرق الإطفاء سيطرت على النيران.",
                 "Outlet A")
    f = article_features(annotated([quoted])[0])
    assert not len(f.lead_persons), "the speaker is the article's source, not the event's counterpart"
    assert len(f.persons)  # ... but a person it mentions all the same
    assert np.all(f.persons[-1:] == 0)  # names are separated by 0


def test_the_fixtures_are_hard_without_the_slot_check(use):
    """With the check off (slot_veto_share 0) the first stage joins both templates: the slots, not
    the wording or the dates, keep them apart."""
    from marsad.link.stories import StoryIndex
    from marsad.link.stories.index import default_params

    params = {**default_params(), "slot_veto_share": 0}
    for items in ([PLANE_4, PLANE_5], [AUDIENCE_CARTER, AUDIENCE_SHOUKRY]):
        index = StoryIndex(embedder=use, params=params)
        assert together(cluster_stories(annotated(items), [], index=index), *items)


BOMBING = art("قتل 12 شخصا وأصيب العشرات في تفجير انتحاري استهدف مسجدا في مدينة أبها صباح الخميس أثناء صلاة "
              "الظهر، وفق ما أعلنته وزارة الداخلية.\n\nوقالت الوزارة إن الانتحاري فجر حزاما ناسفا داخل المسجد.",
              "Outlet A", "2026-03-05")
FUNERAL_SAME_DAY = art("شيع الآلاف مساء الخميس في مدينة أبها جثامين 12 شخصا قتلوا في التفجير الانتحاري الذي استهدف "
                       "مسجدا أثناء صلاة الظهر.\n\nوأدى المشيعون صلاة الميت على الضحايا في الجامع الكبير.",
                       "Outlet B", "2026-03-05")


def test_a_bombing_and_the_funeral_of_its_victims_the_same_day_stay_apart(use):
    items = [BOMBING, FUNERAL_SAME_DAY]
    assert not together(cluster_stories(annotated(items), [], embedder=use), *items)


def test_slots_survive_the_index_segments(use):
    from marsad.link.stories import StoryIndex

    index = StoryIndex(embedder=use)
    cluster_stories(annotated([PLANE_4, AUDIENCE_CARTER]), [], index=index)
    again = StoryIndex.from_segments([index.take_segment()], embedder=use)
    for before, after in zip(index._rows.feats, again._rows.feats):
        for name in ("ordinals", "lead_persons", "persons"):
            assert np.array_equal(getattr(before, name), getattr(after, name)), name
    assert any(len(f.ordinals) for f in again._rows.feats) and any(len(f.lead_persons) for f in again._rows.feats)
