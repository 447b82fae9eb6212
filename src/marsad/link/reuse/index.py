"""An incremental text-reuse index: add articles one by one, get the new reuse pairs.

For every added article the index keeps its word hashes and offsets (to align later articles
against it) and its sketches in two band tables: one whole-document MinHash (word 5-grams,
finds duplicates and heavily shared texts) and one MinHash per sentence-like unit (word
3-grams, finds an article that shares only a paragraph or two with another). Candidates from
either table are aligned word by word; only aligned passages make a pair. A count-min sketch
of word 5-gram document frequencies tells copy from template: shared words count towards a
link only where they are covered by shared 5-grams seen in at most ``rare_df`` articles.

A store keeps the index across runs as plain arrays: :meth:`ReuseIndex.take_segment` gives
what was added since the last call (appended as one segment), :meth:`ReuseIndex.df_snapshot`
the document frequencies, and :meth:`ReuseIndex.from_segments` rebuilds the index from them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from marsad.doc import Article
from marsad.link.reuse.align import Passage, align
from marsad.link.reuse.candidates import BandIndex, signatures
from marsad.link.reuse.frequency import CountMinSketch
from marsad.link.reuse.shingling import TokenStream, fold32, kgram_hashes, tokenize, unit_spans
from marsad.link.reuse.verdict import agency_of, kind_of
from marsad.store.arrays import ragged, split


@dataclass(frozen=True)
class ReuseParams:
    # whole-document sketches: word 5-grams, 16 bands of 4 (collides at Jaccard ≈ 0.5)
    doc_shingle: int = 5
    doc_bands: int = 16
    doc_rows: int = 4
    # unit sketches: word 3-grams, 10 bands of 5 (an identical unit always collides, one with a
    # changed word (Jaccard ≈ 0.75) 9 times in 10, unrelated sentences practically never)
    unit_shingle: int = 3
    unit_bands: int = 10
    unit_rows: int = 5
    unit_min_words: int = 8
    unit_max_words: int = 40
    unit_chunk: int = 30
    bucket_cap: int = 50  # a sketch bucket this full is boilerplate
    # alignment
    seed_words: int = 3
    seed_max_occurrences: int = 6
    max_gap: int = 6  # words of edit bridged inside one passage
    min_passage_words: int = 12  # shorter shared runs are not reported
    # stock formulas: a 5-gram found in more articles than this is template, not copy
    rare_df: int = 20
    min_passage_rare: int = 6  # a reported passage has at least this many non-template words
    df_width_bits: int = 22
    # verdict
    strong_passage_words: int = 25  # a syndicated pair needs one passage with this many rare words
    min_shared_chars: int = 200
    duplicate_coverage: float = 0.85


@dataclass
class _Entry:
    """What the index keeps of an article: word hashes, and offsets packed as the gap before
    and the length of each word (uint16 unless some gap or word is longer)."""

    id: str
    hashes: np.ndarray
    gaps: np.ndarray
    lengths: np.ndarray
    wire: list[str] = field(default_factory=list)

    @classmethod
    def pack(cls, article_id: str, tokens: TokenStream, wire: list[str]) -> "_Entry":
        ends_before = np.concatenate(([0], tokens.ends[:-1])) if len(tokens) else tokens.ends
        gaps = tokens.starts - ends_before
        lengths = tokens.ends - tokens.starts
        big = len(tokens) and max(int(gaps.max()), int(lengths.max())) > np.iinfo(np.uint16).max
        dtype = np.uint32 if big else np.uint16
        return cls(article_id, tokens.hashes, gaps.astype(dtype), lengths.astype(dtype), list(wire))

    def offsets(self) -> tuple[np.ndarray, np.ndarray]:
        ends = np.cumsum(self.gaps.astype(np.int64) + self.lengths)
        return ends - self.lengths, ends


class ReuseIndex:
    #: The layout of :meth:`take_segment`; bumped whenever it changes (a store holding another
    #: format rebuilds the index from its articles).
    FORMAT = 2

    def __init__(self, params: ReuseParams | None = None):
        self.format = self.FORMAT
        self.params = p = params or ReuseParams()
        self._docs = BandIndex(p.doc_bands, p.doc_rows, p.bucket_cap)
        self._units = BandIndex(p.unit_bands, p.unit_rows, p.bucket_cap)
        self._df = CountMinSketch(p.df_width_bits)
        self._entries: list[_Entry] = []
        self._number: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._number

    def add(self, article: Article) -> list[dict]:
        """Index ``article``; return its reuse pairs with the articles added before it.
        An id already in the index is not added again (returns [])."""
        if article.id in self._number:
            return []
        entry = self._count(article)
        return self._add(article, entry)

    def add_many(self, articles: Iterable[Article]) -> list[dict]:
        """Add a batch. Document frequencies of the whole batch are counted first, so that a
        template is recognised as such from its first occurrence in the batch on."""
        seen: set[str] = set()
        batch = []
        for article in articles:
            if article.id in self._number or article.id in seen:
                continue
            seen.add(article.id)
            batch.append((article, self._count(article)))
        pairs = []
        for article, entry in batch:
            pairs.extend(self._add(article, entry))
        return pairs

    def _count(self, article: Article) -> "_Entry":
        """Tokenise an article and count its 5-grams in the document frequencies."""
        entry = self.entry(article)
        self._df.add(self.doc_grams(entry))
        return entry

    @staticmethod
    def entry(article: Article) -> "_Entry":
        """What the index keeps of ``article`` (its word hashes and offsets)."""
        return _Entry.pack(article.id, tokenize(article.text), article.wire or [])

    def doc_grams(self, entry: "_Entry") -> np.ndarray:
        """The distinct word 5-grams of an entry: what it adds to the document frequencies."""
        return np.unique(kgram_hashes(entry.hashes, self.params.doc_shingle))

    def _add(self, article: Article, entry: "_Entry") -> list[dict]:
        number = len(self._entries)
        tokens = TokenStream(entry.hashes, *entry.offsets())
        self._entries.append(entry)
        self._number[article.id] = number

        doc_keys, unit_keys = self.band_keys(article.text, tokens)
        candidates = self._docs.query_insert(doc_keys, number) | self._units.query_insert(unit_keys, number)
        return self.pairs_with(article, entry, [self._entries[other] for other in sorted(candidates)])

    def band_keys(self, text: str, tokens: TokenStream) -> tuple[np.ndarray, np.ndarray]:
        """The article's LSH band keys: ``(1, doc_bands)`` of its whole-document sketch (word
        5-grams) and ``(units, unit_bands)`` of its unit sketches (word 3-grams); empty when
        the text is too short. Two articles are candidates when a key of one table agrees."""
        p = self.params
        doc_keys = np.zeros((0, p.doc_bands), np.uint64)
        unit_keys = np.zeros((0, p.unit_bands), np.uint64)
        # MinHash is a minimum over the shingles: repeats need not be removed first
        grams = kgram_hashes(tokens.hashes, p.doc_shingle)
        if grams.size:
            doc_keys = self._docs.band_keys(signatures([fold32(grams)], p.doc_bands * p.doc_rows))
        trigrams = fold32(kgram_hashes(tokens.hashes, p.unit_shingle))
        spans = unit_spans(text, tokens, p.unit_min_words, p.unit_max_words, p.unit_chunk)
        unit_sets = [trigrams[i:j - p.unit_shingle + 1] for i, j in spans if j - i >= p.unit_shingle]
        if unit_sets:
            unit_keys = self._units.band_keys(signatures(unit_sets, p.unit_bands * p.unit_rows))
        return doc_keys, unit_keys

    def pairs_with(self, article: Article, entry: "_Entry", others: list["_Entry"]) -> list[dict]:
        """The reuse pairs of ``article`` (indexed as ``entry``) with its candidate articles
        ``others`` (indexed before it): aligned passages, judged with the current document
        frequencies. A cluster engine calls this on the candidates of its band join."""
        if not others:
            return []
        tokens = TokenStream(entry.hashes, *entry.offsets())
        grams = kgram_hashes(tokens.hashes, self.params.doc_shingle)
        rare = self._df.counts(grams) <= self.params.rare_df  # per 5-gram start position in the new text
        pairs = []
        for other in others:
            pair = self._pair(article, tokens, grams, rare, entry, other)
            if pair:
                pairs.append(pair)
        return pairs

    def _pair(self, article: Article, tokens: TokenStream, grams: np.ndarray, rare: np.ndarray,
              new: _Entry, old: _Entry) -> dict | None:
        p = self.params
        passages = align(tokens.hashes, old.hashes, seed=p.seed_words, max_occ=p.seed_max_occurrences,
                         max_gap=p.max_gap, min_words=p.min_passage_words)
        for q in passages:
            q.rare = _rare_words(q, grams, rare, old.hashes, p.doc_shingle)
        passages = [q for q in passages if q.rare >= p.min_passage_rare]
        if not passages:
            return None
        old_starts, old_ends = old.offsets()
        spans = [(int(tokens.starts[q.a0]), int(tokens.ends[q.a1 - 1]), int(old_starts[q.b0]), int(old_ends[q.b1 - 1]))
                 for q in passages]
        shared_chars = sum(min(ae - as_, be - bs) for as_, ae, bs, be in spans)
        kind = kind_of(
            sum(q.rare for q in passages),
            max(q.rare for q in passages),
            shared_chars,
            sum(q.a1 - q.a0 for q in passages) / len(tokens),
            sum(q.b1 - q.b0 for q in passages) / len(old.hashes),
            strong_words=p.strong_passage_words, min_chars=p.min_shared_chars,
            duplicate_coverage=p.duplicate_coverage, min_words=p.min_passage_words,
        )
        if kind is None:
            return None
        agency = agency_of(new.wire, old.wire, [article.text[s:e] for s, e, _, _ in spans])
        # report with a < b by id; the new article is the first side of ``spans``
        if new.id < old.id:
            a, b = new.id, old.id
            out = [{"a_start": s, "a_end": e, "b_start": bs, "b_end": be} for s, e, bs, be in spans]
        else:
            a, b = old.id, new.id
            out = [{"a_start": bs, "a_end": be, "b_start": s, "b_end": e} for s, e, bs, be in spans]
            out.sort(key=lambda d: (d["a_start"], d["b_start"]))
        return {"a": a, "b": b, "kind": kind, "shared_chars": int(shared_chars), "passages": out, "agency": agency}

    # ---- persistence as plain arrays -----------------------------------------------------

    def take_segment(self) -> dict[str, np.ndarray]:
        """The articles indexed since the last call, as arrays (see :mod:`marsad.store.arrays`)."""
        start = getattr(self, "_saved", 0)
        entries = self._entries[start:]
        self._saved = len(self._entries)
        width = np.uint16
        if any(len(e.gaps) and max(int(e.gaps.max()), int(e.lengths.max())) > np.iinfo(np.uint16).max for e in entries):
            width = np.uint32
        hashes, counts = ragged([e.hashes for e in entries], np.uint64)
        doc_keys, doc_vals = self._docs.take_journal()
        unit_keys, unit_vals = self._units.take_journal()
        return {
            "first": np.array([start], np.int64),
            "ids": np.array([e.id for e in entries], dtype="U"),
            "wire": np.array([json.dumps(e.wire, ensure_ascii=False) for e in entries], dtype="U"),
            "counts": counts,
            "hashes": hashes,
            "gaps": ragged([e.gaps for e in entries], width)[0],
            "lengths": ragged([e.lengths for e in entries], width)[0],
            "doc_keys": doc_keys, "doc_vals": doc_vals,
            "unit_keys": unit_keys, "unit_vals": unit_vals,
        }

    def df_snapshot(self) -> dict[str, np.ndarray]:
        """The document-frequency sketch and how many indexed articles it counts."""
        return {"table": self._df._table, "covers": np.array([len(self._entries)], np.int64)}

    @classmethod
    def from_segments(cls, segments: Iterable[dict[str, np.ndarray]], df: dict[str, np.ndarray] | None = None,
                      params: ReuseParams | None = None) -> "ReuseIndex":
        """Rebuild an index from its stored segments (in order) and its df snapshot; articles
        the snapshot does not cover are counted again from their stored word hashes."""
        index = cls(params)
        doc_k, doc_v, unit_k, unit_v = [], [], [], []
        for seg in segments:
            if int(seg["first"][0]) != len(index._entries):
                raise ValueError(f"reuse index segment starts at {int(seg['first'][0])}, expected {len(index._entries)}")
            parts = zip(seg["ids"].tolist(), seg["wire"].tolist(), split(seg["hashes"], seg["counts"]),
                        split(seg["gaps"], seg["counts"]), split(seg["lengths"], seg["counts"]))
            for article_id, wire, hashes, gaps, lengths in parts:
                index._number[article_id] = len(index._entries)
                index._entries.append(_Entry(article_id, hashes, gaps, lengths, json.loads(wire)))
            doc_k.append(seg["doc_keys"]), doc_v.append(seg["doc_vals"])
            unit_k.append(seg["unit_keys"]), unit_v.append(seg["unit_vals"])
        if doc_k:
            index._docs.load(np.concatenate(doc_k), np.concatenate(doc_v))
            index._units.load(np.concatenate(unit_k), np.concatenate(unit_v))
        covered = 0
        if df is not None and df["table"].shape == index._df._table.shape:
            index._df._table = np.array(df["table"], dtype=np.uint16)
            covered = min(int(df["covers"][0]), len(index._entries))
        for entry in index._entries[covered:]:
            index._df.add(np.unique(kgram_hashes(entry.hashes, index.params.doc_shingle)))
        index._saved = len(index._entries)
        return index


    @classmethod
    def judging_by(cls, df: CountMinSketch, params: ReuseParams | None = None) -> "ReuseIndex":
        """An empty index that judges which passages are rare by ``df`` (document frequencies
        counted elsewhere, e.g. summed over a cluster's partitions): enough for
        :meth:`pairs_with`, which is given the candidates instead of finding them."""
        index = cls(params)
        index._df = df
        return index

    @classmethod
    def assemble(cls, entries: list[_Entry], doc_table: tuple[np.ndarray, np.ndarray],
                 unit_table: tuple[np.ndarray, np.ndarray], df: CountMinSketch,
                 params: ReuseParams | None = None) -> "ReuseIndex":
        """The index of articles linked elsewhere (a cluster's band join), not saved yet:
        ``entries`` in insertion order, each band table's (keys, entry numbers) — every bucket
        holding its first ``bucket_cap`` articles, see
        :func:`marsad.link.reuse.candidates.bucket_members` — and the document
        frequencies of them all. The same index as adding the articles one by one."""
        index = cls(params)
        for entry in entries:
            index._number[entry.id] = len(index._entries)
            index._entries.append(entry)
        index._docs.load(*doc_table, unsaved=True)
        index._units.load(*unit_table, unsaved=True)
        index._df = df
        return index


def _rare_words(q: Passage, grams: np.ndarray, rare: np.ndarray, old_hashes: np.ndarray, k: int) -> int:
    """Words of the passage (new side) covered by a k-gram that is rare and occurs in the old
    side of the passage too."""
    last = q.a1 - k + 1  # k-grams lying wholly inside the passage start at a0 .. a1-k
    if last <= q.a0:
        return 0
    inside = grams[q.a0:last]
    good = rare[q.a0:last] & np.isin(inside, kgram_hashes(old_hashes[q.b0:q.b1], k))
    if not good.any():
        return 0
    covered = np.convolve(good.astype(np.int8), np.ones(k, dtype=np.int8))[: q.a1 - q.a0]
    return int(np.count_nonzero(covered))
