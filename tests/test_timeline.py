"""Story-level dates: publication dates inferred from the story, and the timeline."""
from marsad.doc import Article
from marsad.extract.dates import DateExtractor
from marsad.link.timeline import apply_story_dates, infer_published, timeline


def _article(aid, text, published=None):
    a = Article(id=aid, source=aid, text=text, published=published,
                published_source="text" if published else None)
    return DateExtractor()(a)


DATED = _article(
    "a1",
    "عقد وزيرا الخارجية مساء الثلاثاء جولة محادثات استمرت سبع ساعات في جنيف.\n\n"
    "وقال الوسيط الدولي اليوم الأربعاء إن الجولة المقبلة ستعقد الشهر المقبل.",
    published="2026-03-11",  # a Wednesday
)
UNDATED = _article(
    "a2",
    "أعلن الوسيط الدولي، اليوم الأربعاء، أن جولة جديدة من المحادثات ستعقد الشهر المقبل.\n\n"
    "وكان الوزيران قد التقيا مساء الثلاثاء في جنيف في محادثات استمرت ساعات.",
)
CONTRADICTS = _article("a3", "قال المتحدث اليوم الخميس إن الاتصالات مستمرة بين الجانبين منذ أسابيع.")
NO_CUE = _article("a4", "تتواصل الاتصالات بين الجانبين تمهيداً لجولة جديدة من المحادثات في جنيف.")


def test_undated_article_takes_the_story_date_its_text_agrees_with():
    members = [DATED, UNDATED, CONTRADICTS, NO_CUE]
    assert infer_published(members) == {"a2": "2026-03-11"}


def test_applied_story_date_reresolves_relative_dates():
    a2 = _article("a2", UNDATED.text)
    assert a2.dates == []  # nothing relative can be resolved without a date
    apply_story_dates([DATED, a2])
    assert a2.published == "2026-03-11" and a2.published_source == "story"
    got = {d["text"]: (d["date"], d["resolved_from"]) for d in a2.dates}
    assert got["اليوم الأربعاء"] == ("2026-03-11", "story")
    assert got["مساء الثلاثاء"] == ("2026-03-10", "story")


def test_no_dated_member_means_no_inference():
    a2 = _article("a2", UNDATED.text)
    apply_story_dates([a2, NO_CUE])
    assert a2.published is None


def test_timeline_orders_days_and_groups_articles():
    a2 = _article("a2", UNDATED.text)
    apply_story_dates([DATED, a2])
    lines = timeline([DATED, a2])
    days = [ev["date"] for ev in lines]
    assert days == sorted(days) and {"2026-03-10", "2026-03-11"} <= set(days)
    talks = [ev for ev in lines if ev["date"] == "2026-03-10"]
    assert any(set(ev["articles"]) == {"a1", "a2"} for ev in talks) or len(talks) == 2
    for ev in lines:
        for aid in ev["articles"]:
            assert ev["text"] in {"a1": DATED, "a2": a2}[aid].text or len(ev["articles"]) > 1


def test_a_sentence_is_listed_under_one_day_only():
    # Two dates in one sentence: the event is the first; the second is what was announced.
    two = _article("t1", "أعلن الوسيط يوم الثلاثاء 10 مارس 2026 أن القمة ستعقد يوم الخميس 12 مارس 2026 في جنيف.")
    lines = timeline([two])
    assert [ev["date"] for ev in lines] == ["2026-03-10"]
    # One wire sentence, "أمس" read against two publication dates: one day, the one most give.
    wire = "وقال الوسيط الدولي أمس إن جولة جديدة من المحادثات ستعقد في جنيف."
    copies = [_article(f"w{i}", wire, published=p) for i, p in enumerate(["2026-03-11", "2026-03-11", "2026-03-12"])]
    lines = timeline(copies)
    assert len(lines) == 1 and lines[0]["date"] == "2026-03-10"
    assert lines[0]["articles"] == ["w0", "w1", "w2"]
