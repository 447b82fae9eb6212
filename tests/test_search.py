"""Search keys and highlighting (marsad.store.search), without a store."""
from marsad.store.search import COLUMNS, highlight_spans, loose_keys, loose_word, marked_html, query_words, search_columns, snippet
from marsad.text.normalize import normalize


def test_loose_keys_join_transliterations_and_keep_native_words_apart():
    assert loose_word("ترامب") == loose_word("ترمب") == "ترمب"
    assert loose_word("زيلينسكي") == loose_word("زيلنسكي")
    assert loose_word("لانغهوف") == loose_word("لانجهوف")
    assert loose_word("رييس") != loose_word("راس") and loose_word("الرييس") == "الرييس"
    assert loose_keys("وترامب") == ("وترمب", "ترمب") and loose_keys("لترامب")[-1] == "ترمب"


def test_search_columns_are_the_fts_columns():
    cols = search_columns("ترامبُ يصل", "قال الرئيسُ إنّ وترامب")
    assert len(cols) == len(COLUMNS) == 3
    assert cols[0] == normalize("ترامبُ يصل") and cols[1] == normalize("قال الرئيسُ إنّ وترامب")
    assert "ترمب" in cols[2].split()
    assert search_columns(None, "") == ("", "", "")


def test_query_words_are_plain_words():
    assert query_words('"ترمب" AND title:x* NEAR(') == ["ترمب", "and", "title", "x", "near"]
    assert query_words("؟!") == []


def test_highlights_index_the_raw_text():
    text = "قال الرئيسُ دونالد ترامـب، ووزيره إن لترمب وزيلينسكي زيلنسكي «ترمپ»"
    spans = highlight_spans(text, ["ترمب", "زيلنسكي"])
    assert [text[a:b] for a, b in spans] == ["ترامـب", "لترمب", "وزيلينسكي", "زيلنسكي", "ترمپ"]
    cut = snippet(text, spans, width=40)
    assert text[cut["start"]:cut["end"]] == cut["text"]
    assert all(cut["text"][a:b] == text[cut["start"] + a:cut["start"] + b] for a, b in cut["highlights"])
    assert marked_html("<b>x</b> y", [[3, 4]]) == "&lt;b&gt;<mark>x</mark>&lt;/b&gt; y"
