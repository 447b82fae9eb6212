"""Search keys and highlighting (marsad.store.search), without a store."""
from marsad.store.search import COLUMNS, _alternative, _without_subsumed, first_snippet, highlight_spans, loose_keys, loose_word, marked_html, query_words, search_columns, snippet
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


def test_a_phrase_is_highlighted_as_a_whole():
    text = "قالت الأمم المتّحدة إن المملكة المتحدة و المملكةُ  المتحدة تدعمان"
    spans = highlight_spans(text, ["المملكه المتحده"])
    assert [text[a:b] for a, b in spans] == ["المملكة المتحدة", "المملكةُ  المتحدة"]  # not الأمم المتحدة
    text = "وصلَ ترامبُ، ثمّ ترّامب وتـرامبٌ"  # marks inside and after a word belong to it
    assert [text[a:b] for a, b in highlight_spans(text, ["ترمب"])] == ["ترامبُ", "ترّامب", "وتـرامبٌ"]


def test_first_snippet_finds_a_word_past_the_start_of_a_long_text():
    text = "كلام " * 2000 + "ثم وصل ترامب إلى المدينة " + "كلام " * 100
    cut = first_snippet(text, ["ترمب"])
    assert cut["start"] > 9000 and [cut["text"][a:b] for a, b in cut["highlights"]] == ["ترامب"]
    assert first_snippet("لا شيء هنا", ["ترمب"])["highlights"] == []


def test_a_name_s_longer_spellings_are_not_searched_twice():
    # a spelling containing a shorter one matches nothing more: bm25 would scan its postings for nothing
    expr = _alternative([("الولايات", "المتحده", "الامريكيه"), ("الولايات", "المتحده"), ("امريكا",)])
    assert '"الولايات المتحده الامريكيه"' not in expr and '"الولايات المتحده"' in expr and '"امريكا"' in expr
    # only within the same columns or more: a title/body spelling is not dropped for a loose key
    groups = _without_subsumed([(("loose",), [("ترمب",)]), (("title", "body"), [("دونالد", "ترمب")])])
    assert groups == [(("loose",), [("ترمب",)]), (("title", "body"), [("دونالد", "ترمب")])]


def test_a_known_name_is_searched_as_that_name(tmp_path):
    import sqlite3

    from tests.store_fixture import variants_store

    from marsad.store.search import build_query, search

    db = sqlite3.connect(variants_store(str(tmp_path / "v.db")))
    expr, searched, entities = build_query(db, "دونالد ترامب")
    assert entities == ["e_trump"] and " AND " not in expr  # its spellings, not its words one by one
    assert ("دونالد",) not in searched and ("دونالد", "ترامب") in searched
    hits = search(db, "دونالد ترامب")["results"]
    assert {h["id"] for h in hits} == {"v1", "v2", "v4"}
    v1 = next(h for h in hits if h["id"] == "v1")
    assert [v1["snippet"][a:b] for a, b in v1["highlights"]] == ["دونالد ترامب", "ترامب"]
    expr, _, _ = build_query(db, "أسعار القمح")  # not a name: every word must match
    assert " AND " in expr and [h["id"] for h in search(db, "أسعار القمح")["results"]] == ["v3"]
