"""The neural NER tagger at run time, in numpy only (no torch).

A BiLSTM-CRF (Lample et al. 2016; Ma & Hovy 2016) trained by :mod:`marsad.ner.train_neural`.
Each token is represented by

* a word vector pretrained with word2vec on ANT + SaudiNewsNet news (frozen; looked up by
  the normalised word, then its clitic-stripped forms);
* a character CNN over the normalised word (max-pooled);
* the sum of small embeddings of the CRF's categorical features (gazetteer and trigger
  flags, shape, frequency buckets, distributional clusters, proclitics, document context
  aggregation; see :func:`categorical_features`).

A bidirectional LSTM reads the sentence and a linear-chain CRF decodes the tags. Weights
live in ``marsad/data/ner/neural.npz`` (float16); they load once per process.
"""
from __future__ import annotations

import contextlib
import json
from functools import lru_cache

import numpy as np

from marsad.ner import clitics
from marsad.ner.features import DOC_SIZE, _article_stem, document_features
from marsad.ner.lexicon import norm

MODEL_NAME = "ner/neural.npz"
MAX_CHARS = 20
PAD, UNK = 0, 1
_BATCH = 16  # sentences per numpy LSTM batch

# Lexical features the word vector and the character CNN already cover, and the CRF's
# context-window copies (the BiLSTM sees the neighbours itself).
_DROP_PREFIXES = ("w=", "stem=", "p2=", "p3=", "p4=", "s1=", "s2=", "s3=", "s4=", "ws2=", "ws3=", "w-1|w=", "w|w+1=")


def categorical_features(feats: list[str]) -> list[str]:
    """The token's own categorical CRF features that the network embeds."""
    out = []
    for f in feats:
        if f == "bias" or f.startswith(_DROP_PREFIXES) or f[:1] in "-12" and ":" in f[:3]:
            continue
        out.append(f)
    return out


def word_candidates(token: str) -> list[str]:
    """Keys to look a token's word vector up by, best first."""
    key = norm(token)
    out = [key]
    for k in (_article_stem(key), clitics.split(key)[1]):
        if k not in out:
            out.append(k)
    if any(c.isdigit() for c in key):
        out.append("<num>")
    return out


def encode_document(doc: list[list[str]], vocab: dict, chars: dict, feats: dict) -> list[dict]:
    """Integer inputs (word ids, char ids, feature ids) for each sentence of a document."""
    out = []
    for tokens, sent_feats in zip(doc, document_features(doc)):
        words = []
        for t in tokens:
            words.append(next((vocab[k] for k in word_candidates(t) if k in vocab), UNK))
        ch = np.zeros((len(tokens), MAX_CHARS), dtype=np.int64)
        for i, t in enumerate(tokens):
            for j, c in enumerate(norm(t)[:MAX_CHARS] or t[:MAX_CHARS]):
                ch[i, j] = chars.get(c, UNK)
        fids = [[feats[f] for f in categorical_features(fs) if f in feats] for fs in sent_feats]
        if any(w == UNK for w in words):
            fids = [f + ([feats["<oov>"]] if w == UNK and "<oov>" in feats else []) for f, w in zip(fids, words)]
        out.append({"words": np.array(words, dtype=np.int64), "chars": ch, "feats": fids})
    return out


# --- numpy forward pass ----------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _lstm(x: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One LSTM direction over a batch ``x`` (B × T × d, padding at the end); torch gate
    order i, f, g, o. Outputs at valid positions do not depend on the padding."""
    bsz, n, h = x.shape[0], x.shape[1], w_hh.shape[1]
    gates_x = x @ w_ih.T + b
    hs = np.empty((bsz, n, h), dtype=np.float32)
    hprev = np.zeros((bsz, h), dtype=np.float32)
    c = np.zeros((bsz, h), dtype=np.float32)
    w_hh_t = np.ascontiguousarray(w_hh.T)
    for t in range(n):
        g = gates_x[:, t] + hprev @ w_hh_t
        i, f, o = _sigmoid(g[:, :h]), _sigmoid(g[:, h:2 * h]), _sigmoid(g[:, 3 * h:])
        c = f * c + i * np.tanh(g[:, 2 * h:3 * h])
        hprev = o * np.tanh(c)
        hs[:, t] = hprev
    return hs


class NeuralTagger:
    """Emission scores, Viterbi tags and per-token tag marginals for encoded sentences."""

    def __init__(self, path: str):
        z = np.load(path, allow_pickle=False)
        meta = json.loads(str(z["meta"]))
        self.labels: list[str] = meta["labels"]
        self.vocab = {w: i for i, w in enumerate(meta["vocab"])}
        self.chars = {c: i for i, c in enumerate(meta["chars"])}
        self.feats = {f: i for i, f in enumerate(meta["feats"])}
        self.widths = meta["char_widths"]
        # An ensemble file holds members "m0/…", "m1/…" trained with different seeds on the
        # same inputs; their emissions and CRF weights are averaged (a product of experts).
        n = meta.get("members", 0)
        arrays = {k: z[k].astype(np.float32) for k in z.files if k != "meta"}
        if n:
            self.members = [{k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith(f"m{i}/")} for i in range(n)]
            shared = {k: v for k, v in arrays.items() if "/" not in k}
            for m in self.members:
                m.update(shared)
        else:
            self.members = [arrays]
        self.w = {k: np.mean([m[k] for m in self.members], axis=0) for k in ("crf.trans", "crf.start", "crf.end")}

    def emissions(self, enc: dict) -> np.ndarray:
        return self.batch_emissions([enc])[0]

    def batch_emissions(self, encs: list[dict]) -> list[np.ndarray]:
        """Emission scores (tokens × labels) of several sentences, run as one padded batch."""
        encs = [e for e in encs]
        if len(self.members) == 1:
            return self._emissions(self.members[0], encs)
        per = [self._emissions(m, encs) for m in self.members]
        return [np.mean(x, axis=0) for x in zip(*per)]

    def _token_inputs(self, w: dict, encs: list[dict]) -> np.ndarray:
        """BiLSTM inputs of all tokens (N × d): word projection, char CNN, feature sum."""
        words = np.concatenate([e["words"] for e in encs])
        chars = np.concatenate([e["chars"] for e in encs])
        ce = w["char_emb"][chars]  # N × L × dc
        pooled = []
        for k in self.widths:
            kern, bias = w[f"char_conv{k}.weight"], w[f"char_conv{k}.bias"]  # out × dc × k
            pad = k // 2
            x = np.pad(ce, ((0, 0), (pad, pad), (0, 0)))
            L = x.shape[1] - k + 1
            windows = np.concatenate([x[:, j:j + L, :] for j in range(k)], axis=2)  # N × L × (k·dc)
            flat_kern = kern.transpose(0, 2, 1).reshape(kern.shape[0], -1)  # out × (k·dc)
            conv = windows @ flat_kern.T + bias
            pooled.append(np.maximum(conv, 0).max(axis=1))
        fe = np.zeros((len(words), w["feat_emb"].shape[1]), dtype=np.float32)
        ids = [f for e in encs for f in e["feats"]]
        rows = np.repeat(np.arange(len(ids)), [len(f) for f in ids])
        if len(rows):
            np.add.at(fe, rows, w["feat_emb"][np.concatenate([np.asarray(f, dtype=np.int64) for f in ids])])
        word = w["word_emb"][words] @ w["word_proj.weight"].T + w["word_proj.bias"]
        return np.concatenate([word, *pooled, fe], axis=1)

    def _emissions(self, w: dict, encs: list[dict]) -> list[np.ndarray]:
        lengths = [len(e["words"]) for e in encs]
        x = self._token_inputs(w, encs)
        bsz, n = len(encs), max(lengths)
        fwd_in = np.zeros((bsz, n, x.shape[1]), dtype=np.float32)
        bwd_in = np.zeros_like(fwd_in)
        offset = 0
        for b, m in enumerate(lengths):
            fwd_in[b, :m] = x[offset:offset + m]
            bwd_in[b, :m] = x[offset:offset + m][::-1]
            offset += m
        fwd = _lstm(fwd_in, w["lstm.weight_ih_l0"], w["lstm.weight_hh_l0"], w["lstm.bias_ih_l0"] + w["lstm.bias_hh_l0"])
        bwd = _lstm(bwd_in, w["lstm.weight_ih_l0_reverse"], w["lstm.weight_hh_l0_reverse"],
                    w["lstm.bias_ih_l0_reverse"] + w["lstm.bias_hh_l0_reverse"])
        out = []
        for b, m in enumerate(lengths):
            h = np.concatenate([fwd[b, :m], bwd[b, :m][::-1]], axis=1)
            out.append(h @ w["out.weight"].T + w["out.bias"])
        return out

    def viterbi(self, em: np.ndarray) -> list[int]:
        trans, start, end = self.w["crf.trans"], self.w["crf.start"], self.w["crf.end"]
        score = start + em[0]
        back = []
        for t in range(1, len(em)):
            cand = score[:, None] + trans  # from × to
            back.append(cand.argmax(axis=0))
            score = cand.max(axis=0) + em[t]
        best = [int((score + end).argmax())]
        for ptr in reversed(back):
            best.append(int(ptr[best[-1]]))
        return best[::-1]

    def marginals(self, em: np.ndarray) -> np.ndarray:
        """P(tag at token t) by forward-backward (n × labels)."""
        trans, start, end = self.w["crf.trans"], self.w["crf.start"], self.w["crf.end"]
        n = len(em)
        alpha = np.empty_like(em)
        beta = np.empty_like(em)
        alpha[0] = start + em[0]
        for t in range(1, n):
            alpha[t] = _logsumexp(alpha[t - 1][:, None] + trans, axis=0) + em[t]
        beta[-1] = end
        for t in range(n - 2, -1, -1):
            beta[t] = _logsumexp(trans + (em[t + 1] + beta[t + 1])[None, :], axis=1)
        log_z = _logsumexp(alpha[-1] + end, axis=0)
        return np.exp(alpha + beta - log_z)

    def tag_document(self, doc: list[list[str]], with_probs: bool = False):
        """BIO tags per sentence; with ``with_probs``, also each token's P(part of a person)."""
        with _one_blas_thread():
            return self._tag_document(doc, with_probs)

    def _tag_document(self, doc: list[list[str]], with_probs: bool):
        tags, probs = [], []
        person = [i for i, y in enumerate(self.labels) if y.endswith("-PERS")]
        encs = encode_document(doc, self.vocab, self.chars, self.feats)
        # Sentences of similar length share a batch (little padding in the LSTM loop).
        order = sorted((i for i, t in enumerate(doc) if t), key=lambda i: len(doc[i]))
        ems: dict[int, np.ndarray] = {}
        for k in range(0, len(order), _BATCH):
            part = order[k:k + _BATCH]
            ems.update(zip(part, self.batch_emissions([encs[i] for i in part])))
        for i, tokens in enumerate(doc):
            if not tokens:
                tags.append([])
                probs.append([])
                continue
            em = ems[i]
            tags.append([self.labels[i] for i in self.viterbi(em)])
            if with_probs:
                probs.append(self.marginals(em)[:, person].sum(axis=1).tolist())
        return (tags, probs) if with_probs else tags


def _one_blas_thread():
    """The LSTM loop does many small matrix products; multi-threaded BLAS only spins on them
    (10× slower on a busy machine), so inference limits BLAS to one thread when it can."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: slower on busy machines, same results
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def merge(paths: list[str], out: str) -> None:
    """Write an ensemble file from single models trained on the same inputs (same maps)."""
    metas, arrays = [], {}
    for i, p in enumerate(paths):
        z = np.load(p, allow_pickle=False)
        metas.append(json.loads(str(z["meta"])))
        for k in z.files:
            if k == "word_emb":
                arrays.setdefault(k, z[k])  # frozen pretrained vectors: identical in every member
            elif k != "meta":
                arrays[f"m{i}/{k}"] = z[k]
    for m in metas[1:]:
        if any(m[k] != metas[0][k] for k in ("labels", "vocab", "chars", "feats", "char_widths")):
            raise ValueError("ensemble members were trained on different inputs")
    meta = dict(metas[0], members=len(paths), member_dev_f1=[m["dev_f1"] for m in metas],
                member_config=[m["config"] for m in metas])
    np.savez_compressed(out, meta=np.array(json.dumps(meta, ensure_ascii=False)), **arrays)


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def default_model_path() -> str:
    from marsad.resources import data_path

    return str(data_path(MODEL_NAME))


@lru_cache(maxsize=4)
def load(path: str | None = None) -> NeuralTagger:
    return NeuralTagger(path or default_model_path())


def tag_sentences(sentences: list[list[str]], model_path: str | None = None, doc_size: int = DOC_SIZE) -> list[list[str]]:
    """Tags for consecutive sentences, in pseudo-documents of ``doc_size`` sentences."""
    tagger = load(model_path)
    out = []
    for i in range(0, len(sentences), doc_size):
        out.extend(tagger.tag_document(sentences[i:i + doc_size]))
    return out
