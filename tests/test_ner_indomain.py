"""The in-domain NER set: inline work format, edits, verification, regions, BIO conversion,
span scoring, and the shipped annotations against the corpus files they index."""
import json
import os

import pytest

from marsad.ner import annotate, indomain

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus")
HAVE_CORPUS = all(os.path.exists(os.path.join(CORPUS, p)) for p in indomain.CORPORA.values())

TEXT = "قال الرئيس فلاديمير بوتين إن الكرملين يرحب. وزار وبوتين لندن وللكرملين موقف."


def _at(text, surface, nth=0):
    i = -1
    for _ in range(nth + 1):
        i = text.index(surface, i + 1)
    return i, i + len(surface)


def test_inline_round_trip():
    s, e = _at(TEXT, "فلاديمير بوتين")
    spans = [{"n": 0, "start": s, "end": e, "type": "PER"}]
    inline = annotate.to_inline(TEXT, spans)
    assert "[[PER#0 فلاديمير بوتين]]" in inline
    plain, parsed = annotate.from_inline(inline)
    assert plain == TEXT and parsed == [(s, e, "PER")]


def test_verify_accepts_proclitic_stripped_and_rejects_bad_spans():
    ok = [(*_at(TEXT, "بوتين", 1), "PER"), (*_at(TEXT, "لندن"), "LOC"), (*_at(TEXT, "كرملين", 1), "ORG")]
    assert annotate.verify(TEXT, ok, "t") == []  # "وبوتين" → "بوتين", "للكرملين" → "كرملين"
    s, e = _at(TEXT, "الكرملين")
    assert any("word end" in m for m in annotate.verify(TEXT, [(s, e - 2, "ORG")], "t"))
    assert any("word start" in m for m in annotate.verify(TEXT, [(s + 3, e, "ORG")], "t"))
    a = _at(TEXT, "فلاديمير بوتين")
    assert any("overlaps" in m for m in annotate.verify(TEXT, [(a[0], a[1], "PER"), (a[0] + 9, a[1], "PER")], "t"))
    assert any("unknown type" in m for m in annotate.verify(TEXT, [(*_at(TEXT, "لندن"), "MISC")], "t"))


def test_edits_delete_retype_resize_and_add():
    fields = {"title": "بوتين في لندن", "text": TEXT}
    s, e = _at(TEXT, "الرئيس فلاديمير بوتين")
    prefill = [
        {"n": 0, "field": "text", "start": s, "end": e, "type": "PER"},
        {"n": 1, "field": "text", "start": _at(TEXT, "لندن")[0], "end": _at(TEXT, "لندن")[1], "type": "ORG"},
        {"n": 2, "field": "title", "start": 0, "end": 5, "type": "LOC"},
    ]
    spans, errors = annotate.apply_edits(fields, prefill, ["0>فلاديمير بوتين", "1=LOC", "-2", "+PER بوتين"], "t")
    assert errors == []
    text = {(TEXT[a:b], t) for a, b, t in spans["text"]}
    assert text == {("فلاديمير بوتين", "PER"), ("لندن", "LOC"), ("بوتين", "PER")}  # the "وبوتين" one added
    assert [(fields["title"][a:b], t) for a, b, t in spans["title"]] == [("بوتين", "PER")]
    only_second, _ = annotate.apply_edits(fields, [], ["+PER بوتين @2"], "t")
    assert only_second["title"] == [] and len(only_second["text"]) == 1
    _, errors = annotate.apply_edits(fields, prefill, ["+PER موسكو", "-7", "what"], "t")
    assert len(errors) == 3


def test_region_ends_at_a_sentence_end_near_the_target():
    sentence = "هذه جملة قصيرة في خبر. "
    text = sentence * 100
    end = indomain.region_end(text)
    assert indomain.REGION_CHARS // 2 <= end <= indomain.REGION_CHARS and text[end - 1] == "."
    assert indomain.region_end("خبر قصير.  ") == len("خبر قصير.")
    one_long = "كلمة " * 300 + "نهاية."  # 1,506 characters: the first sentence is kept whole
    assert indomain.region_end(one_long) == len(one_long)
    no_end = "كلمة " * 400 + "نهاية."  # no sentence end within REGION_MAX: cut at a space
    end = indomain.region_end(no_end)
    assert end <= indomain.REGION_CHARS and no_end[end] == " "


def test_bio_sentences_tag_whole_tokens_and_keep_sentences():
    s, e = _at(TEXT, "بوتين", 1)
    doc = indomain.Doc("ant", "x", "train", "بوتين في لندن", TEXT, len(TEXT),
                       [("text", s, e, "PER"), ("title", 9, 13, "LOC")])
    sents = indomain.bio_sentences(doc)
    assert sents[0] == (["بوتين", "في", "لندن"], ["O", "O", "B-LOC"])
    tokens, tags = sents[2]
    assert tags[tokens.index("وبوتين")] == "B-PERS"  # the proclitic's token carries the tag (ANERcorp style)


def test_span_scoring_is_exact():
    doc = indomain.Doc("ant", "x", "test", "", TEXT, len(TEXT), [("text", 0, 3, "PER"), ("text", 4, 10, "ORG")])
    r = indomain.score_docs([doc], [{("text", 0, 3, "PER"), ("text", 4, 11, "ORG"), ("text", 20, 25, "LOC")}])
    assert r["types"]["PER"]["f1"] == 1.0 and r["types"]["ORG"]["f1"] == 0.0
    assert r["micro"]["tp"] == 1 and r["micro"]["predicted"] == 3 and r["micro"]["gold"] == 2


def test_error_kinds_sort_each_miss_and_false_alarm():
    gold = {("text", 0, 5, "PER"), ("text", 10, 20, "ORG"), ("text", 30, 35, "LOC"), ("title", 0, 4, "LOC")}
    pred = {("text", 0, 5, "PER"), ("text", 10, 15, "ORG"), ("text", 30, 35, "ORG"), ("text", 40, 44, "PER"),
            ("title", 5, 9, "LOC")}
    got = sorted((t, k, sp[1:3]) for t, k, sp in indomain.error_kinds(gold, pred))
    assert got == [("LOC", "missed", (0, 4)), ("LOC", "spurious", (5, 9)), ("LOC", "wrong type", (30, 35)),
                   ("ORG", "boundary", (10, 20)), ("PER", "spurious", (40, 44))]
    # a span that overlaps a gold span is a boundary error of that gold span, not spurious too
    assert all(k != "spurious" or sp[1] != 10 for _, k, sp in indomain.error_kinds(gold, pred))


def test_shipped_annotations_are_well_formed():
    anns = indomain.read_annotations()
    keys = [(a["corpus"], a["id"]) for a in anns]
    assert len(keys) == len(set(keys)) >= 200
    sel = {(s["corpus"], s["id"]): s for s in (json.loads(x) for x in open(annotate.selection_path()))}
    for a in anns:
        s = sel[(a["corpus"], a["id"])]
        assert a["split"] == s["split"] and a["region_end"] == s["region_end"]
        assert all(f in indomain.FIELDS and t in indomain.TYPES and 0 <= b < e for f, b, e, t in a["spans"])


@pytest.mark.skipif(not HAVE_CORPUS, reason="../shared/corpus (ANT, SaudiNewsNet) not present")
def test_annotations_match_the_corpus_text():
    """Every span is word-aligned and non-overlapping on the exact corpus text it indexes."""
    docs = indomain.load(CORPUS)
    assert {d.split for d in docs} == {"train", "dev", "test"}
    for d in docs:
        for name in indomain.FIELDS:
            spans = [(s, e, t) for f, s, e, t in d.spans if f == name]
            assert annotate.verify(d.field_text(name), spans, d.id) == []


def _tiny_corpus(tmp_path):
    """A one-article ANT-shaped corpus and its annotations, written by us."""
    import gzip

    text = "قال الرئيس فلاديمير بوتين في موسكو إن الكرملين يرحب بالمحادثات."
    title = "بوتين يرحب"
    os.makedirs(tmp_path / "ant")
    with gzip.open(tmp_path / "ant" / "ant-v2.1.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "T-1", "title": title, "text": text}, ensure_ascii=False) + "\n")
    end = indomain.region_end(text)
    spans = [["title", 0, 5, "PER"], ["text", *_at(text, "فلاديمير بوتين"), "PER"],
             ["text", *_at(text, "موسكو"), "LOC"], ["text", *_at(text, "الكرملين"), "ORG"]]
    ann = tmp_path / "ann.jsonl"
    ann.write_text(json.dumps({"corpus": "ant", "id": "T-1", "n": 0, "split": "train", "region_end": end,
                               "text_sha1": indomain.sha1(text[:end]), "title_sha1": indomain.sha1(title),
                               "spans": spans}) + "\n")
    return str(tmp_path), str(ann)


def test_training_reads_the_indomain_articles_and_eval_scores_them(tmp_path):
    from marsad.ner.train import train

    corpus, ann = _tiny_corpus(tmp_path)
    bio = tmp_path / "tiny.bio"
    bio.write_text("قال O\nبوتين B-PERS\n\n")
    summary = train(str(bio), str(tmp_path / "m.crfsuite"), params={"max_iterations": 20},
                    indomain_splits=("train",), indomain_repeat=2, corpus_dir=corpus, annotations=ann)
    assert summary["indomain_documents"] == 1 and summary["indomain_repeat"] == 2
    r = indomain.evaluate("train", corpus, str(tmp_path / "m.crfsuite"), annotations=ann)
    assert r["documents"] == 1 and r["micro"]["gold"] == 4 and 0 <= r["micro"]["f1"] <= 1


def test_changed_corpus_text_is_refused(tmp_path):
    corpus, ann = _tiny_corpus(tmp_path)
    rec = json.loads(open(ann).read())
    rec["text_sha1"] = "0" * 40
    open(ann, "w").write(json.dumps(rec) + "\n")
    with pytest.raises(ValueError, match="differs"):
        indomain.load(corpus, path=ann)


def test_a_head_in_construct_joins_the_place_after_it():
    from marsad.ner.rules import Span, place_org_spans

    words = ["خسر", "منتخب", "مصر", "أمام", "المنتخب", "فرنسا"]
    spans = place_org_spans(words, [Span(2, 3, "LOC"), Span(5, 6, "LOC")])
    assert [(s.start, s.end, s.type) for s in spans] == [(1, 3, "ORG"), (5, 6, "LOC")]  # definite head: no


def test_agreement_of_the_second_pass_is_computed_on_shared_articles():
    r = indomain.agreement()
    assert r["documents"] == 50 and 0.5 < r["micro"]["f1"] <= 1.0


@pytest.mark.skipif(not HAVE_CORPUS, reason="../shared/corpus absent")
def test_training_documents_can_leave_a_corpus_out():
    from marsad.ner.train import indomain_documents

    both = indomain_documents(("dev",), CORPUS)
    ant = indomain_documents(("dev",), CORPUS, corpora=("ant",))
    n_ant = sum(a["corpus"] == "ant" and a["split"] == "dev" for a in indomain.read_annotations())
    assert len(ant) == n_ant < len(both)
    with pytest.raises(ValueError, match="unknown in-domain corpora"):
        indomain_documents(("dev",), CORPUS, corpora=("saudinewsnet",))
