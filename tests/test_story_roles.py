"""Successive acts of the same parties told apart by who acts on whom and by the act refused
(issue 13, link/stories/roles.py): one government's expulsion of the other's diplomats and the
other's reply the next day; a refusal to surrender and the surrender. Fixtures are short Arabic
news items written for these tests."""
from __future__ import annotations

import pytest

from marsad.doc import Article, article_id
from marsad.link.stories import cluster_stories
from marsad.link.stories.roles import denied_act, lead_act, party_of, reversed_roles
from tests.test_story_events import annotated, together, use  # noqa: F401  (use: a shared fixture)


def art(text: str, outlet: str, published: str | None = None) -> Article:
    return Article(id=article_id(None, text), source=f"test:{outlet}", text=text, outlet=outlet, published=published)


EXPEL = art("أعلنت الحكومة النرويجية اليوم طرد 12 دبلوماسيا بيلاروسيا من أراضيها بعد اتهام أجهزة الاستخبارات "
            "البيلاروسية بالتجسس على منشآت عسكرية في شمال البلاد.\n\nوقالت وزارة الخارجية إن أمام الدبلوماسيين "
            "أسبوعا واحدا لمغادرة البلاد.", "Outlet A", "2026-04-01")
EXPEL_AGAIN = art("قررت أوسلو طرد 12 دبلوماسيا من سفارة بيلاروسيا، متهمة أجهزة الاستخبارات البيلاروسية بالتجسس "
                  "على منشآت عسكرية في شمال النرويج.\n\nوأمهلت الخارجية النرويجية الدبلوماسيين أسبوعا لمغادرة "
                  "البلاد.", "Outlet B", "2026-04-01")
REPLY = art("قال وزير الخارجية البيلاروسي إن بلاده ستطرد 12 دبلوماسيا نرويجيا ردا على قرار أوسلو طرد "
            "دبلوماسيين بيلاروسيين بتهمة التجسس على منشآت عسكرية في شمال النرويج.\n\nوأضاف أن أمام الدبلوماسيين "
            "أسبوعا لمغادرة البلاد.", "Outlet C", "2026-04-02")
REACTION = art("قالت السفارة البيلاروسية في أوسلو إن قرار النرويج طرد 12 دبلوماسيا بيلاروسيا تصرف عدائي لا "
               "مبرر له.", "Outlet D", "2026-04-01")

REFUSES = art("لم يسلم الرئيس السابق نفسه إلى الشرطة رغم انتهاء المهلة التي حددها القضاء مساء الجمعة، وبقي "
              "وسط أنصاره في مقر النقابة.\n\nوتجمع الآلاف من أنصاره حول المبنى.", "Outlet A", "2026-05-01")
REFUSES_AGAIN = art("رفض الرئيس السابق تسليم نفسه للشرطة مع انقضاء المهلة التي منحها له القضاء، متحصنا مع أنصاره "
                    "في مقر النقابة.\n\nواحتشد الآلاف حول المبنى.", "Outlet B", "2026-05-01")
SURRENDERS = art("سلم الرئيس السابق نفسه إلى الشرطة مساء السبت بعد أن غادر مقر النقابة وسط حشد من أنصاره، ليبدأ "
                 "تنفيذ حكم بسجنه.\n\nونقل في موكب للشرطة إلى المطار.", "Outlet C", "2026-05-02")


def test_parties_are_read_from_names_capitals_and_adjectives():
    assert party_of("روسيا") == party_of("موسكو") == party_of("روسي") == party_of("روسيه") == party_of("روس") > 0
    assert party_of("بريطانيين") == party_of("لندن") > 0 and party_of("بريطانيين") != party_of("روسيا")
    assert party_of("عربي") == 0  # a regional adjective names no party


def test_roles_and_acts_of_the_fixtures():
    expel, again, reply, reaction = (lead_act(a.text.split("\n")[0])[0] for a in (EXPEL, EXPEL_AGAIN, REPLY, REACTION))
    assert len(expel) and len(again) and len(reply) and len(reaction)
    assert reversed_roles(expel, reply) and reversed_roles(again, reply)
    assert reversed_roles(expel, again) is False
    # a reaction that names both sides is neither act's reply
    assert reversed_roles(reaction, expel) is False and reversed_roles(reaction, reply) is False
    refuses, refuses_again, surrenders = (lead_act(a.text.split("\n")[0])[1] for a in (REFUSES, REFUSES_AGAIN, SURRENDERS))
    assert denied_act(refuses, surrenders) and denied_act(refuses_again, surrenders)
    assert denied_act(refuses, refuses_again) is False
    assert denied_act(refuses, lead_act("استقبل الملك الوفد")[1]) is None  # another act: no verdict


@pytest.mark.parametrize("dated", [True, False])
def test_one_partys_act_and_the_other_partys_reply_stay_apart(use, dated):
    items = [EXPEL, EXPEL_AGAIN, REPLY] if dated else [art(a.text, a.outlet) for a in (EXPEL, EXPEL_AGAIN, REPLY)]
    stories = cluster_stories(annotated(items), [], embedder=use)
    assert together(stories, items[0], items[1]), [s["articles"] for s in stories]
    assert not together(stories, items[0], items[2]) and not together(stories, items[1], items[2])


def test_a_refusal_and_the_surrender_stay_apart(use):
    items = [REFUSES, REFUSES_AGAIN, SURRENDERS]
    stories = cluster_stories(annotated(items), [], embedder=use)
    assert not together(stories, REFUSES, SURRENDERS) and not together(stories, REFUSES_AGAIN, SURRENDERS)


def test_the_fixtures_are_hard_without_the_check(use):
    """With the slot check off (slot_veto_share 0) the first stage and the weekday/kind veto join the
    reply to the act and the surrender to the refusal: the direction and the polarity keep them apart."""
    from marsad.link.stories import StoryIndex
    from marsad.link.stories.index import default_params

    params = {**default_params(), "slot_veto_share": 0}
    for items in ([EXPEL, REPLY], [REFUSES, SURRENDERS]):
        index = StoryIndex(embedder=use, params=params)
        assert together(cluster_stories(annotated(items), [], index=index), *items)
