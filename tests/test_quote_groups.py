"""A story's quotes grouped by speaker, a wire copy's quotation listed once."""
from marsad.link.quote_groups import dedupe, group_quotes


def q(article, text, speaker=None, speaker_text=None, start=0):
    return {"article": article, "start": start, "end": start + len(text), "text": text, "direct": True,
            "speaker": speaker, "speaker_text": speaker_text}


def test_wire_copies_of_a_quotation_are_one_quote_with_their_articles():
    quotes = [
        q("a", "المحادثات كانت مفيدة وبناءة للغاية", "e1", "ويتكوف"),
        q("b", "المحادثات كانت مفيدةً وبنّاءة للغاية", "e1", "ويتكوف", start=40),  # diacritics differ
        q("c", "المحادثات كانت مفيدة وبناءة", None, None),  # a trimmed copy, attribution cut
        q("b", "لن نتراجع عن مطالبنا", "e2", "لافروف"),
    ]
    items = dedupe(quotes)
    assert len(items) == 2
    first = items[0]
    assert [c["article"] for c in first["copies"]] == ["a", "b", "c"]
    assert first["speaker"] == "e1"  # the speaker most copies give
    groups = group_quotes(quotes)
    assert [g["speaker"] for g in groups] == ["e1", "e2"]
    assert len(groups[0]["quotes"]) == 1 and len(groups[0]["quotes"][0]["copies"]) == 3


def test_different_quotations_of_one_speaker_stay_apart_and_unattributed_come_last():
    quotes = [q("a", "نريد السلام", None, None), q("a", "الاتفاق قريب جداً من الإنجاز", "e1", "ويتكوف"),
              q("b", "لا اتفاق قبل الانسحاب الكامل", "e1", "ويتكوف")]
    groups = group_quotes(quotes)
    assert groups[0]["speaker"] == "e1" and len(groups[0]["quotes"]) == 2
    assert groups[-1]["name"] is None
