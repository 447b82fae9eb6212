import re
import unicodedata

from hypothesis import given, strategies as st

from marsad.text.normalize import _CHAR_MAP, ascii_digits, normalize, normalize_with_map, strip_diacritics
from marsad.text.segment import clauses, paragraphs, sentences


def test_normalize_unifies_letter_forms_and_digits():
    assert normalize("أحمد") == normalize("احمد") == normalize("إحمد")
    assert normalize("مستشفى") == normalize("مستشفي")
    assert normalize("مدرسة") == normalize("مدرسه")
    assert normalize("مُحَمَّـــد") == "محمد"
    assert normalize("٢٠٢٥") == "2025"
    assert normalize("  A  b ") == "a b"


def test_ascii_digits_keeps_length():
    s = "في ٣ ديسمبر ٢٠٢٥"
    assert ascii_digits(s) == "في 3 ديسمبر 2025"
    assert len(ascii_digits(s)) == len(s)


@given(st.text(alphabet=st.sampled_from("أإآٱاىئؤةکیہـًٌٍَُِّْٰۭۖ٠١٢٣٤٥٦٧٨٩۰۹٫٬ﻷﱞ مدرسة Abİ\t\n")))
def test_normalize_is_its_definition(s):
    """The one-pass key equals the definition: NFKC, no diacritics or tatweel, unified letters
    and digits, lower case, collapsed whitespace."""
    slow = strip_diacritics(unicodedata.normalize("NFKC", s)).translate(_CHAR_MAP).lower()
    assert normalize(s) == re.sub(r"\s+", " ", slow).strip()


def test_normalize_with_map_points_back_into_the_original():
    s = "قال الرئيسُ الأميركيّ إنّ"
    key, index = normalize_with_map(s)
    i = key.index("الاميركي")
    assert s[index[i]:index[i + len("الاميركي") - 1] + 1] == "الأميركي"


def test_sentences_respect_quotes_abbreviations_and_decimals():
    text = (
        "قال د. أحمد إن النمو بلغ 3.5 في المئة. وأضاف: «لن نتراجع. هذا قرارنا». "
        "هل انتهت الأزمة؟ لا أحد يعرف!\nسطر جديد"
    )
    got = [s.text for s in sentences(text)]
    assert got == [
        "قال د. أحمد إن النمو بلغ 3.5 في المئة.",
        "وأضاف: «لن نتراجع. هذا قرارنا».",
        "هل انتهت الأزمة؟",
        "لا أحد يعرف!",
        "سطر جديد",
    ]


def test_paragraphs_and_clauses():
    text = "الفقرة الأولى، وفيها فاصلة؛ ثم فاصلة منقوطة.\n\nالفقرة الثانية."
    ps = paragraphs(text)
    assert [p.text for p in ps] == ["الفقرة الأولى، وفيها فاصلة؛ ثم فاصلة منقوطة.", "الفقرة الثانية."]
    assert [c.text for c in clauses(text, ps[0].start, ps[0].end)] == [
        "الفقرة الأولى", "وفيها فاصلة", "ثم فاصلة منقوطة.",
    ]


ARABICISH = st.text(alphabet=st.sampled_from(list("ابتثجحخدذرسشصقلمنهوي «»“”\".؟!،؛\n 0123456789")), max_size=300)


@given(ARABICISH)
def test_segments_index_exactly(text):
    for seg in sentences(text) + paragraphs(text) + clauses(text):
        assert text[seg.start:seg.end] == seg.text
        assert seg.text.strip() == seg.text and seg.text


@given(ARABICISH)
def test_sentences_cover_all_non_space_text(text):
    covered = "".join(s.text for s in sentences(text))
    assert covered.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_embedder_returns_every_vector_when_a_call_overflows_its_cache(monkeypatch):
    # a comparison batch holds thousands of sentences: more than the shared cache keeps
    import numpy as np

    import marsad.text.embed as embed

    def fake_encode(self, texts, parts):
        return np.array([[len(t), 1.0] + [0.0] * (embed.DIM - 2) for t in texts]), np.zeros((0, embed.DIM))

    monkeypatch.setattr(embed, "CACHE_SIZE", 3)
    monkeypatch.setattr(embed, "_CACHE", embed.OrderedDict())
    monkeypatch.setattr(embed.UseEmbedder, "encode_parts", fake_encode)
    use = embed.UseEmbedder(threads=7)
    use(["a", "bb"])  # cached, then pushed out by the next call's new texts
    out = use(["a", "ccc", "dddd", "eeeee", "bb", "a"])
    expected = [1, 3, 4, 5, 2, 1]
    assert [round(float(v[0] / v[1])) for v in out] == expected
    assert len(embed._CACHE) == 3
