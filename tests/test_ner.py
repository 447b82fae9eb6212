"""NER: exact-span scorer, tokeniser offsets, clitic stripping, the shipped CRF + trigger rules."""
from __future__ import annotations

import os
import pickle

import pytest

from marsad.doc import Article, check_spans
from marsad.ner.bio import chunks, read_bio
from marsad.ner.clitics import mention_skip
from marsad.ner.evaluate import format_table, score
from marsad.ner.tokenize import tokenize

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "ner", "anercorp")


# --- scorer -----------------------------------------------------------------------------------


def test_chunks_conlleval_style():
    tags = ["B-PERS", "I-PERS", "O", "I-LOC", "I-LOC", "B-ORG", "I-PERS", "B-LOC", "B-LOC"]
    assert chunks(tags) == [
        ("PERS", 0, 2), ("LOC", 3, 5), ("ORG", 5, 6), ("PERS", 6, 7), ("LOC", 7, 8), ("LOC", 8, 9),
    ]


def test_score_exact_spans_only():
    gold = [["B-PERS", "I-PERS", "O", "B-LOC"], ["B-ORG", "I-ORG", "I-ORG", "O"]]
    pred = [["B-PERS", "O", "O", "B-LOC"], ["B-ORG", "I-ORG", "I-ORG", "B-MISC"]]
    r = score(gold, pred)
    # PERS span is cut short: no credit; LOC and ORG exact; MISC is a false positive.
    assert r["types"]["PERS"]["tp"] == 0 and r["types"]["PERS"]["gold"] == 1
    assert r["types"]["LOC"]["f1"] == 1.0 and r["types"]["ORG"]["f1"] == 1.0
    assert r["types"]["MISC"]["precision"] == 0.0
    assert r["micro"]["tp"] == 2 and r["micro"]["predicted"] == 4 and r["micro"]["gold"] == 3
    assert r["micro"]["precision"] == pytest.approx(0.5)
    assert r["micro"]["recall"] == pytest.approx(2 / 3)
    assert r["micro"]["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert r["micro_per_loc_org"]["tp"] == 2 and r["micro_per_loc_org"]["predicted"] == 3
    table = format_table(r)
    assert "micro" in table and "PERS" in table and "66.67" in table


def test_score_rejects_length_mismatch():
    with pytest.raises(ValueError):
        score([["O", "O"]], [["O"]])


def test_read_bio_skips_blank_tokens(tmp_path):
    path = tmp_path / "t.bio"
    path.write_text("أعلن O\nالكرملين B-ORG\n O\nأمس O\n\nبوتين B-PERS\n", encoding="utf-8")
    assert read_bio(str(path)) == [(["أعلن", "الكرملين", "أمس"], ["O", "B-ORG", "O"]), (["بوتين"], ["B-PERS"])]


# --- tokeniser and clitics --------------------------------------------------------------------


def test_tokenize_offsets_and_punctuation():
    text = "قال «المتحدث» باسم الوزارة، سامي: 3.5 مليون (ناتو)؟"
    toks = tokenize(text)
    assert all(text[t.start:t.end] == t.text for t in toks)
    assert [t.text for t in toks] == [
        "قال", "«", "المتحدث", "»", "باسم", "الوزارة", "،", "سامي", ":", "3.5", "مليون", "(", "ناتو", ")", "؟",
    ]


@pytest.mark.parametrize(
    "token, mention",
    [
        ("لبوتين", "بوتين"),
        ("والكرملين", "الكرملين"),
        ("وبالكرملين", "الكرملين"),
        ("وموسكو", "موسكو"),
        ("بموسكو", "موسكو"),
        ("لندن", "لندن"),
        ("واشنطن", "واشنطن"),
        ("فلاديمير", "فلاديمير"),
        ("وليد", "وليد"),
        ("باريس", "باريس"),
        ("بالرياض", "الرياض"),
    ],
)
def test_mention_skip(token, mention):
    assert token[mention_skip(token):] == mention


# --- the shipped model and the rules ----------------------------------------------------------


@pytest.fixture(scope="module")
def tagger():
    from marsad.extract.entities import EntityTagger

    return EntityTagger()


def _tag(tagger, text):
    article = Article(id="t", source="test", text=text)
    tagger(article)
    assert check_spans(article) == []
    return article.mentions


def _find(mentions, text):
    return [m for m in mentions if m["text"] == text]


def test_offsets_index_exactly(tagger):
    text = (
        "أعلنت وزارة الخارجية الفرنسية، اليوم الاثنين، أن الوزير سيزور القاهرة وعمّان الأسبوع المقبل.\n\n"
        "وقال المتحدث باسم الحكومة الألمانية شتيفن هيبشترايت للصحفيين في برلين إن «الاتفاق ممكن»."
    )
    mentions = _tag(tagger, text)
    assert mentions, "expected some entities"
    for m in mentions:
        assert text[m["start"]:m["end"]] == m["text"]
        assert m["type"] in ("PER", "LOC", "ORG")
        if "role" in m:
            assert text[m["role_start"]:m["role_end"]] == m["role"]


def test_role_and_name_after_comma(tagger):
    text = "وقال مدير المستشفى، فيكتور لاباتكين، إن الأطباء عالجوا عشرين مصاباً خلال الليل."
    mentions = _tag(tagger, text)
    person = _find(mentions, "فيكتور لاباتكين")
    assert person and person[0]["type"] == "PER"
    assert person[0]["role"] == "مدير المستشفى"


def test_role_with_nationality_and_ministry(tagger):
    text = "والتقى وزير الخارجية البريطاني ديفيد لامي نظيره التركي في أنقرة مساء الثلاثاء."
    mentions = _tag(tagger, text)
    person = _find(mentions, "ديفيد لامي")
    assert person and person[0]["role"] == "وزير الخارجية البريطاني"
    assert _find(mentions, "أنقرة") and _find(mentions, "أنقرة")[0]["type"] == "LOC"


def test_role_with_governor_of_region(tagger):
    text = "وأكد حاكم المقاطعة أوليكسندر بروكودين أن القصف استهدف محطة الكهرباء."
    person = _find(_tag(tagger, text), "أوليكسندر بروكودين")
    assert person and person[0]["type"] == "PER" and person[0]["role"] == "حاكم المقاطعة"


def test_clitics_left_out_of_mentions(tagger):
    text = "عاد الوفد إلى موسكو، فيما رحب الاتحاد الأوروبي والكرملين بالمبادرة."
    texts = {m["text"] for m in _tag(tagger, text)}
    assert "الكرملين" in texts and "والكرملين" not in texts


def test_mention_offsets_skip_clitics():
    from marsad.extract.entities import _to_mention
    from marsad.ner.rules import Span

    text = "وأرسل ترامب رسالة لبوتين عبر مبعوثه"
    tokens = tokenize(text)
    m = _to_mention(text, tokens, Span(3, 4, "PER"))
    assert m["text"] == "بوتين" and text[m["start"]:m["end"]] == "بوتين"
    m = _to_mention(text, tokens, Span(1, 2, "PER", role=(0, 1)))
    assert m["text"] == "ترامب"


def test_fixed_organisation_names(tagger):
    text = "ونقلت وكالة فرانس برس عن مسؤول في حلف شمال الأطلسي قوله إن الاجتماع سيعقد في بروكسل."
    mentions = _tag(tagger, text)
    orgs = {m["text"] for m in mentions if m["type"] == "ORG"}
    assert "حلف شمال الأطلسي" in orgs
    assert any("فرانس برس" in o for o in orgs)
    assert _find(mentions, "بروكسل")[0]["type"] == "LOC"


def test_tagger_pickles(tagger):
    clone = pickle.loads(pickle.dumps(tagger))
    text = "قال الرئيس الروسي فلاديمير بوتين في موسكو إن المحادثات مفيدة."
    assert _tag(clone, text) == _tag(tagger, text)


# --- training and evaluation API --------------------------------------------------------------

_TINY = [
    ("قال الرئيس فلاديمير بوتين في موسكو", "O O B-PERS I-PERS O B-LOC"),
    ("وزار الوزير سامي الخطيب باريس", "O O B-PERS I-PERS B-LOC"),
    ("أعلنت وزارة الخارجية أمس", "O B-ORG I-ORG O"),
    ("وصل أحمد إلى لندن", "O B-PERS O B-LOC"),
]


def _write_bio(path):
    with open(path, "w", encoding="utf-8") as f:
        for words, tags in _TINY:
            for w, t in zip(words.split(), tags.split()):
                f.write(f"{w} {t}\n")
            f.write("\n")


def test_train_is_deterministic_and_evaluate_reads_it(tmp_path):
    from marsad.ner.evaluate import evaluate
    from marsad.ner.train import train

    bio = tmp_path / "tiny.bio"
    _write_bio(bio)
    a, b = tmp_path / "a.crfsuite", tmp_path / "b.crfsuite"
    summary = train(str(bio), str(a), params={"max_iterations": 30}, indomain_splits=())
    train(str(bio), str(b), params={"max_iterations": 30}, indomain_splits=())
    assert summary["sentences"] == 4 and summary["tokens"] == 19
    assert a.read_bytes() == b.read_bytes()
    result = evaluate(str(bio), str(a), model="crf")
    assert set(result["types"]) >= {"PERS", "LOC", "ORG"}
    assert 0.0 <= result["micro"]["f1"] <= 1.0
    assert "micro" in format_table(result)


def test_shipped_model_on_anercorp_sample():
    """A smoke check of the shipped model on the first test sentences (full figures: model card)."""
    path = os.path.join(SHARED, "test.bio")
    if not os.path.exists(path):
        pytest.skip("shared/data/ner/anercorp absent")
    from marsad.ner.model import tag_sentences

    sentences = read_bio(path)[:150]
    r = score([t for _, t in sentences], tag_sentences([w for w, _ in sentences]))
    assert r["micro"]["f1"] > 0.6


def test_corpus_label_features_follow_the_table_and_can_be_switched_off(tmp_path):
    from marsad.ner import features

    table = tmp_path / "corpus_labels.tsv"
    table.write_text("# header\nبوتين\t500\tPER:0.93\nالكرملين\t90\tORG:0.55 LOC:0.06\n", encoding="utf-8")
    try:
        features.set_corpus_labels(True, str(table))
        own, shared = features.token_features("لبوتين")  # looked up without the clitic
        assert "lab_PER=4" in own and "lab_PER=4" in shared
        assert "lab_PER=4" in features.token_features("بوتين")[0]  # not ب + "وتين"
        assert {"lab_ORG=3", "lab_LOC=1"} <= set(features.token_features("والكرملين")[0])
        assert not any(f.startswith("lab_") for f in features.token_features("قال")[0])
        features.set_corpus_labels(False)
        assert not any(f.startswith("lab_") for f in features.token_features("لبوتين")[0])
    finally:
        features.set_corpus_labels(True)


def test_build_corpus_labels_counts_spans_and_leaves_out_dev_and_test(tmp_path):
    import gzip
    import json

    from marsad.ner import build_corpus_labels, indomain

    held_out = next(a["id"] for a in indomain.read_annotations() if a["corpus"] == "ant" and a["split"] == "dev")
    corpus = tmp_path / "ant.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as f:
        for i in range(6):
            f.write(json.dumps({"id": f"x{i}", "title": "", "text": "قال الرئيس الروسي فلاديمير بوتين في موسكو."},
                               ensure_ascii=False) + "\n")
        f.write(json.dumps({"id": held_out, "title": "", "text": "بوتين"}, ensure_ascii=False) + "\n")
    out = tmp_path / "labels.tsv"
    summary = build_corpus_labels.build(str(corpus), str(out))
    assert summary["articles"] == 6  # the dev article is not read
    rows = {line.split("\t")[0]: line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")}
    assert rows["بوتين"][1] == "6" and rows["بوتين"][2] == "PER:1.00"
    assert rows["موسكو"][2] == "LOC:1.00"
    assert "قال" not in rows  # never inside a span


# --- the neural tagger (numpy inference) -------------------------------------------------------


def _toy_crf(n_labels=3, seed=0):
    """A NeuralTagger shell holding only random CRF weights, for the decoding maths."""
    import numpy as np

    from marsad.ner.neural import NeuralTagger

    rng = np.random.default_rng(seed)
    t = NeuralTagger.__new__(NeuralTagger)
    t.w = {"crf.trans": rng.normal(size=(n_labels, n_labels)).astype("float32"),
           "crf.start": rng.normal(size=n_labels).astype("float32"),
           "crf.end": rng.normal(size=n_labels).astype("float32")}
    return t, rng.normal(size=(4, n_labels)).astype("float32")


def _path_score(t, em, path):
    w = t.w
    s = w["crf.start"][path[0]] + em[0, path[0]] + w["crf.end"][path[-1]]
    for i in range(1, len(path)):
        s += w["crf.trans"][path[i - 1], path[i]] + em[i, path[i]]
    return s


def test_neural_viterbi_and_marginals_match_brute_force():
    import itertools

    import numpy as np

    t, em = _toy_crf()
    paths = list(itertools.product(range(3), repeat=len(em)))
    scores = np.array([_path_score(t, em, p) for p in paths])
    assert tuple(t.viterbi(em)) == paths[int(scores.argmax())]
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    expected = np.zeros_like(em)
    for p, pr in zip(paths, probs):
        for i, y in enumerate(p):
            expected[i, y] += pr
    assert np.allclose(t.marginals(em), expected, atol=1e-5)


def test_two_letter_clitic_strip_keeps_a_real_stem():
    from marsad.ner.clitics import mention_skip

    assert mention_skip("فكتور") == 0  # not ف + ك + "تور"
    assert mention_skip("لبوتين") == 1 and mention_skip("وبكين") == 1


def test_trim_person_drops_a_capital_even_when_the_model_is_sure():
    from marsad.ner.rules import Span, trim_person

    tokens = ["ويطالب", "بوتين", "كييف", "بتسليم"]
    assert trim_person(tokens, [0.9, 0.99, 0.95, 0.9], Span(1, 3, "PER")).end == 2
    # after a given name the place word is a surname ("جورج" + a capital's name): kept
    tokens = ["قال", "جورج", "موسكو"]
    assert trim_person(tokens, [0.9, 0.99, 0.95], Span(1, 3, "PER")).end == 3


def test_document_majority_retypes_a_one_word_name():
    from marsad.ner.rules import Span, propagate

    doc = [["في", "منطقة", "لوغانسك"], ["رئاسة", "منطقة", "لوغانسك"], ["على", "لوغانسك", "بأكملها"],
           ["هجوم", "على", "لوغانسك"]]
    spans = [[Span(2, 3, "LOC")], [Span(2, 3, "LOC")], [Span(1, 2, "LOC")], [Span(2, 3, "PER")]]
    propagate(doc, spans)
    assert [s.type for sent in spans for s in sent] == ["LOC"] * 4


def test_fixed_org_name_run_into_a_place_is_split():
    from marsad.extract.entities import apply_rules
    from marsad.ner.rules import Span

    words = ["مطالبة", "الكرملين", "أوكرانيا", "بالتخلي", "رسميا"]
    tags = ["O", "B-ORG", "I-ORG", "O", "O"]
    spans = apply_rules(words, tags, [0.9, 0.95, 0.9, 0.9, 0.9], [Span(1, 3, "ORG")])
    assert [(s.start, s.end, s.type) for s in spans] == [(1, 2, "ORG"), (2, 3, "LOC")]
    # a longer organisation name the model found is kept whole
    words = ["أعلنت", "الكرملين", "الروسية", "أمس"]  # not a place after the name
    spans = apply_rules(words, ["O", "B-ORG", "I-ORG", "O"], [0.9] * 4, [Span(1, 3, "ORG")])
    assert [(s.start, s.end, s.type) for s in spans] == [(1, 3, "ORG")]


def test_hashtag_marks_do_not_split_names_and_future_verbs_are_not_names(tagger):
    text = ("وقال الرئيس الأميركي دونالد #ترمب إن المستشارة الألمانية أنجيلا #ميركل ستزور "
            "#واشنطن الأسبوع المقبل، فيما سيلتقي سيرغي لافروف نظيره الأميركي.")
    a = tagger(Article(id="h", source="h.txt", text=text))
    check_spans(a)
    people = [m["text"] for m in a.mentions if m["type"] == "PER"]
    assert people[:2] == ["دونالد #ترمب", "أنجيلا #ميركل"]
    assert "سيرغي لافروف" in people  # a given name that starts like a future verb
    assert any(m["text"] == "واشنطن" and m["type"] == "LOC" for m in a.mentions)


def test_tokenizer_skips_only_a_hashtag_mark_glued_to_a_word():
    assert [t.text for t in tokenize("زار #ترمب # الرياض")] == ["زار", "ترمب", "#", "الرياض"]
    text = "قال #ترمب"
    assert [(t.start, t.end) for t in tokenize(text)] == [(0, 3), (5, 9)]


def test_one_word_tail_joins_the_name_before_it():
    from marsad.ner.rules import Span, join_name_tail

    tokens = ["الزعيم", "كيم", "يونغ", "أون", "قال"]
    joined = join_name_tail(tokens, [Span(1, 3, "PER"), Span(3, 4, "PER")])
    assert [(s.start, s.end) for s in joined] == [(1, 4)]
    # a given name or a coordinated word starts another person
    tokens = ["دونالد", "ترامب", "ستيف", "ويتكوف", "وكوشنر"]
    kept = join_name_tail(tokens, [Span(0, 2, "PER"), Span(2, 4, "PER"), Span(4, 5, "PER")])
    assert [(s.start, s.end) for s in kept] == [(0, 2), (2, 4), (4, 5)]
    kept = join_name_tail(["ترامب", "بوتين", "ستيف"], [Span(0, 2, "PER"), Span(2, 3, "PER")])
    assert [(s.start, s.end) for s in kept] == [(0, 2), (2, 3)]


def test_person_split_and_trim_keep_foreign_names_that_start_like_a_clitic():
    from marsad.ner.rules import Span, split_person, trim_person

    # "و" + a name is a second person; "ف" + a common word ("ولد") is the first letter of a name
    assert [(s.start, s.end) for s in split_person(["ويتكوف", "وكوشنر"], Span(0, 2, "PER"))] == [(0, 1), (1, 2)]
    assert [(s.start, s.end) for s in split_person(["آري", "فولد"], Span(0, 2, "PER"))] == [(0, 2)]
    # a preposition is cut only before a known word; a leading title is not part of the name
    assert trim_person(["بيسكوف", "لوكالة"], [0.9, 0.3], Span(0, 2, "PER")).end == 1
    assert trim_person(["ويلمار", "بالديز"], [0.9, 0.3], Span(0, 2, "PER")).end == 2
    s = trim_person(["الأميرة", "ألِس"], [0.5, 0.9], Span(0, 2, "PER"))
    assert (s.start, s.end) == (1, 2)


def test_build_triggers_counts_context_roles_by_stem_and_features_read_them(tmp_path):
    from marsad.ner import build_triggers, features

    # "الرئيس" precedes a person 3 times of 4 (once with a clitic: same stem), "وزارة" heads
    # an organisation, "قال" follows a person; "في" (5 times) is once after a person, once
    # before a place and once before an organisation.
    sentences = [
        (["قال", "الرئيس", "ماكرون"], ["O", "O", "B-PERS"]),
        (["والرئيس", "بايدن", "قال"], ["O", "B-PERS", "O"]),
        (["الرئيس", "ترامب", "في", "باريس"], ["O", "B-PERS", "O", "B-LOC"]),
        (["الرئيس", "قال", "في", "وزارة", "الدفاع"], ["O", "O", "O", "B-ORG", "I-ORG"]),
        (["في", "في", "في"], ["O", "O", "O"]),
    ]
    table = build_triggers.build(sentences, min_count=2, min_share=0.1)
    assert table["رييس"] == [("PER<", 0.75)]
    assert table["في"] == [("ORG<", 0.2), ("LOC<", 0.2), ("PER>", 0.2)]
    assert ("PER>", 1 / 3) in table["قال"]
    assert "وزاره" not in table  # seen once: below min_count
    path = tmp_path / "triggers.tsv"
    build_triggers.write(table, str(path), "a test")
    try:
        features.set_tables(triggers=str(path))
        own, shared = features.token_features("للرئيس")
        assert "trg_PER<=2" in own and "trg_PER<=2" in shared  # neighbours see it too
        assert "trg_LOC<=1" in features.token_features("في")[0]
        assert "-1:trg_PER<=2" in features.sentence_features(["الرئيس", "ماكرون"])[1]
    finally:
        features.set_tables()


def test_cross_fitted_trigger_training_restores_the_tagging_table(tmp_path):
    from marsad.ner import features
    from marsad.ner.train import train

    bio = tmp_path / "tiny.bio"
    _write_bio(bio)
    table = tmp_path / "triggers.tsv"
    table.write_text("رييس\tPER<:0.75\n", encoding="utf-8")
    try:
        features.set_tables(triggers=str(table))
        summary = train(str(bio), str(tmp_path / "m.crfsuite"), params={"max_iterations": 10},
                        indomain_splits=(), trigger_folds=2)
        assert summary["sentences"] == 4
        assert features.TRIGGERS_PATH == str(table)
        assert "trg_PER<=2" in features.token_features("الرئيس")[0]
    finally:
        features.set_tables()


def test_neighbour_cluster_granularities_can_be_chosen_and_reset():
    from marsad.ner import features

    word = next(w for w in ("قال", "الرئيس", "في") if features.cluster(w))
    try:
        features.set_tables(neighbour_clusters=("c64", "c512", "c2k"))
        shared = features.token_features(word)[1]
        assert {f.partition("=")[0] for f in shared if f.startswith("c")} >= {"c64", "c512", "c2k"}
        features.set_tables()
        kinds = {f.partition("=")[0] for f in features.token_features(word)[1] if f.startswith("c")}
        assert "c512" in kinds and "c64" not in kinds and "c2k" not in kinds
    finally:
        features.set_tables()
