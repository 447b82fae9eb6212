"""Claims that stand on their own: a sentence whose subject is in the sentence before is given
its speaker (from the quotes layer) in brackets, or left out of the claims."""
from __future__ import annotations

import pytest

from marsad.doc import Article
from marsad.link.compare import HashingEmbedder, compare_story
from marsad.link.compare.standalone import PRONOUN, QUOTATION, VERB, borrow_subject, needs_subject, with_subject


@pytest.mark.parametrize("text, kind", [
    ("وأوضح أن «المحادثات كانت مفيدة» وأن جولة أخرى ستعقد.", VERB),
    ("وَأَوْضَحَ أَنَّ المحادثات كانت مفيدة.", VERB),
    ("وأشار إلى أن الاجتماع انتهى دون اتفاق.", VERB),
    ("مضيفاً أن الوفد سيعود الأسبوع المقبل.", VERB),
    ("وتابع: «لن نتراجع عن مطالبنا».", VERB),
    ("«المحادثات كانت مفيدة وسنواصلها».", QUOTATION),
    ("وهو ما يعني تأجيل القمة إلى موعد لاحق.", PRONOUN),
    ("وقال ترامب إن المحادثات كانت مفيدة.", None),
    ("وأشار الوزير إلى أن الاجتماع انتهى.", None),
    ("«المحادثات مفيدة» قال ويتكوف للصحفيين.", None),
    ("أعلنت الحكومة أن الاجتماع انتهى دون اتفاق.", None),
    ("انتهت المحادثات في جنيف مساء الاثنين.", None),
])
def test_needs_subject(text, kind):
    assert needs_subject(text) == kind


def test_with_subject_writes_the_name_in_brackets():
    assert with_subject("وأوضح أن المحادثات كانت مفيدة.", "ويتكوف") == "وأوضح [ويتكوف] أن المحادثات كانت مفيدة."
    assert with_subject("«المحادثات مفيدة».", "ويتكوف") == "[ويتكوف]: «المحادثات مفيدة»."


LEAD_A = "التقى المبعوث الأمريكي ستيف ويتكوف الرئيس الروسي في موسكو مساء الثلاثاء لبحث خطة السلام."
LEAD_B = "أجرى الموفد الأمريكي محادثات في الكرملين استمرت خمس ساعات حول خطة السلام المقترحة."
SAID = "وقال ويتكوف إن الجانبين سيواصلان العمل."
WIRE = "وأوضح أن «المحادثات كانت مفيدة وبناءة» وأن فريقي البلدين سيلتقيان قريباً في جنيف."


def _quote(text: str, content: str, speaker: str) -> dict:
    start = text.index(content)
    return {"start": start, "end": start + len(content), "text": content, "direct": True, "speaker_text": speaker}


def _story(with_quotes: bool) -> list[Article]:
    a_text = "\n\n".join([LEAD_A, SAID, WIRE])
    b_text = "\n\n".join([LEAD_B, WIRE])
    a = Article(id="a", source="a", text=a_text, outlet="المدار")
    b = Article(id="b", source="b", text=b_text, outlet="الأفق")
    if with_quotes:  # as the quote extractor gives them: the speaker carried over from the sentence before
        a.quotes = [_quote(a_text, "المحادثات كانت مفيدة وبناءة", "ويتكوف")]
    return [a, b]


def test_a_subjectless_wire_sentence_borrows_its_speaker():
    claims = compare_story(_story(True), embedder=HashingEmbedder(dim=256))["claims"]
    wire = [c for c in claims if "مفيدة وبناءة" in c["text"]]
    assert wire, claims
    assert wire[0]["text"].startswith("وأوضح [ويتكوف] أن")
    assert wire[0]["subject"] == "ويتكوف"
    assert all(needs_subject(c["text"]) is None or "[" in c["text"] for c in claims)


def test_a_subjectless_claim_with_no_speaker_known_is_left_out():
    claims = compare_story(_story(False), embedder=HashingEmbedder(dim=256))["claims"]
    assert not [c for c in claims if "مفيدة وبناءة" in c["text"]]


def test_borrow_subject_from_the_sentence_before():
    text = "قال الوزير «سنعود إلى الطاولة». وأضاف أن الوفد سيعود الأسبوع المقبل."
    a = Article(id="x", source="x", text=text)
    a.quotes = [_quote(text, "سنعود إلى الطاولة", "الوزير")]
    start = text.index("وأضاف")
    assert borrow_subject(a, start, len(text)) == "الوزير"
    assert borrow_subject(Article(id="y", source="y", text=text), start, len(text)) is None
